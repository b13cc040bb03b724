/**
 * The collector's services over one opened store: what the HTTP API, the local admin socket and
 * the command line call. The collector builds them once when it starts; the command line builds
 * them over a store it opens itself when no collector runs, so that a command takes the same
 * path either way.
 */
import type { Logger } from 'pino';
import { AuditLog } from './accounts/audit.ts';
import { Logins } from './accounts/logins.ts';
import { tokenSecret } from './accounts/signed-tokens.ts';
import { loginLimiters, UserAdmin } from './accounts/user-admin.ts';
import type { Config } from './config.ts';
import { DailySalts } from './enrich/daily-salts.ts';
import { createMailer, type Mailer } from './mail/mailer.ts';
import { RollupJob } from './rollup/rollup-job.ts';
import { SiteAdmin } from './sites/site-admin.ts';
import { IntegrationKeys } from './sites/integration-keys.ts';
import { SiteDirectory } from './sites/site-directory.ts';
import { StatsService } from './stats/stats-service.ts';
import type { Store } from './store/store.ts';
import { utcDay } from './time.ts';

export interface Services {
  store: Store;
  sites: SiteDirectory;
  salts: DailySalts;
  audit: AuditLog;
  logins: Logins;
  /** The installation's token secret (view tokens, password and setup links). */
  secret: Buffer;
  mailer: Mailer;
  siteAdmin: SiteAdmin;
  userAdmin: UserAdmin;
  integrations: IntegrationKeys;
  stats: StatsService;
  rollups: RollupJob;
  /** Login attempts per client address and per account. */
  loginLimits: ReturnType<typeof loginLimiters>;
}

export async function openServices(deps: {
  store: Store;
  config: Pick<Config, 'smtpUrl' | 'mailFrom'>;
  log: Logger;
  now: () => number;
  /** Where browsers reach the collector (links in emails, tracker tags); known once it listens. */
  publicUrl: () => string;
}): Promise<Services> {
  const { store, log, now, publicUrl } = deps;
  const sites = new SiteDirectory(store);
  await sites.reload();
  const salts = new DailySalts(store.salts);
  const audit = new AuditLog({ store, now, salt: (t) => salts.forDay(utcDay(t)), log });
  const logins = new Logins(store, now);
  const secret = await tokenSecret(store.meta);
  const mailer = createMailer(deps.config.smtpUrl || undefined, deps.config.mailFrom, log);
  const loginLimits = loginLimiters();
  return {
    store,
    sites,
    salts,
    audit,
    logins,
    secret,
    mailer,
    loginLimits,
    siteAdmin: new SiteAdmin({ sites, store, audit, publicUrl, now }),
    integrations: new IntegrationKeys({ store, audit, now }),
    userAdmin: new UserAdmin({
      store,
      sites,
      logins,
      audit,
      mailer,
      secret,
      publicUrl,
      now,
      limits: loginLimits,
      onMailError: (err) => log.error({ err: err.message }, 'a password reset email could not be sent'),
    }),
    stats: new StatsService(store, now),
    rollups: new RollupJob({ store, sites, log, now }),
  };
}
