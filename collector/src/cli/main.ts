/** The `cairn` command line: start the collector and manage sites, with or without a running server. */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startCollector, VERSION } from '../collector.ts';
import { loadConfig, OPTIONS, type Config } from '../config.ts';
import { SiteAdmin } from '../sites/site-admin.ts';
import { SiteDirectory } from '../sites/site-directory.ts';
import { openStore } from '../store/open-store.ts';
import { StoreError, type Store } from '../store/store.ts';
import { RollupJob, type RollupReport } from '../rollup/rollup-job.ts';
import { createLogger } from '../logger.ts';
import { AuditLog } from '../accounts/audit.ts';
import { DailySalts } from '../enrich/daily-salts.ts';
import { utcDay } from '../time.ts';
import { adminRequest } from './admin-client.ts';
import { ensureBuilt } from './ensure-built.ts';
import { gdprDelete, gdprExport, parsePerson } from './gdpr-commands.ts';
import { goalAdd, goalList, goalRemove } from './goal-commands.ts';
import { keyAdd, keyList, keyRevoke } from './key-commands.ts';
import { siteAdd, siteDelete, siteList, siteRestore, siteSet, type Flags } from './site-commands.ts';
import { UsageError } from './usage-error.ts';
import { passwordFromStdin, userAdd, userList, userPassword } from './user-commands.ts';
import { seed } from './seed-command.ts';
import { health } from './health-command.ts';

const USAGE = `cairn ${VERSION} — self-hosted, cookie-free web analytics

Usage:
  cairn start                     run the collector (embedded store in ./data)
  cairn site add <domain>         register a site; prints its id, tracker tag and secret key
      --no-subdomains             only the domain itself (and www.) may send events
      --timezone <IANA zone>      the site's reporting time zone (default UTC)
      --query-keys <a,b>          query parameters to keep besides utm_*, ref and source
      --retention-months <n>      how long raw events are kept (default 25; rollups stay)
  cairn site set <site> [--timezone <zone>] [--retention-months <n>]
                                  change a site's reporting time zone or retention
  cairn site list                 list the sites (and the deleted ones awaiting their purge)
  cairn site delete <site> --yes  stop counting a site now; its data is purged after 7 days
  cairn site restore <site>       bring a deleted site back before its purge
  cairn goal add <site> --page <pattern> | --event <name> [--name <label>] [--revenue <prop>]
                                  add a goal (page patterns use * for any characters)
  cairn goal list <site>          list a site's goals
  cairn goal remove <site> <id>   remove a goal
  cairn key list <site>           list a site's keys (last 4 characters only) and whether revoked
  cairn key add <site> [--name <label>]
                                  make another site key (one per plugin, say); prints it once
  cairn key revoke <site> <id>    revoke a key: it and its view tokens stop working at once
  cairn user add <email> [--owner | --admin] [--name <name>] [--password-stdin]
                                  add a dashboard user (a client without --owner or --admin); the
                                  password is read from standard input
  cairn user list                 list the dashboard users
  cairn user password <email> --password-stdin
                                  set a user's password (read from standard input) and end its
                                  sessions: for a forgotten password where no email can be sent
  cairn gdpr export <site> --prop <key>=<id>
                                  the events a server SDK sent about one person (NDJSON)
  cairn gdpr delete <site> --prop <key>=<id> --yes
                                  erase them (their days are rolled up again)
  cairn health                    the running collector's health: store, disk space, events waiting
  cairn rollup                    roll up every closed day now (the server does it every minute)
  cairn seed [--events N] [--days D] [--sites S]
                                  demo data: S new synthetic sites (default 1) with N events (default
                                  100000) over D days (default 30); the collector must be stopped
  cairn help                      this text

Options (flags win over environment variables):
${Object.values(OPTIONS)
  .map((o) => `  --${o.flag.padEnd(22)} ${o.env}${o.fallback && !o.fallback.startsWith('/') ? ` (default ${o.fallback})` : ''}`)
  .join('\n')}
`;

function configFrom(flags: Flags): Config {
  const strings: Record<string, string> = {};
  for (const [k, v] of Object.entries(flags)) if (typeof v === 'string') strings[k] = v;
  return loadConfig(strings);
}

async function rollup(config: Config): Promise<void> {
  const remote = await adminRequest(join(config.dataDir, 'cairn.sock'), 'POST', '/rollups');
  const report = remote
    ? (remote.body as RollupReport)
    : await withStore(config, (sites, store) =>
        new RollupJob({ store, sites, log: createLogger('warn'), now: Date.now }).run((done, total, site) =>
          process.stderr.write(`\r${site}: ${done}/${total} days`),
        ),
      );
  if (!remote && report.days > 0) process.stderr.write('\n');
  console.log(report.days === 0 ? 'Every closed day is rolled up already.' : `Rolled up ${report.days} day(s) of ${report.sites} site(s) in ${(report.ms / 1000).toFixed(1)} s.`);
}

/** Site management on a store opened directly (what the admin socket does when a collector runs). */
const withSiteAdmin =
  (config: Config) =>
  <T>(job: (admin: SiteAdmin, sites: SiteDirectory) => Promise<T>): Promise<T> =>
    withStore(config, (sites, store, audit) => job(new SiteAdmin({ sites, store, audit, publicUrl: () => config.publicUrl, now: Date.now }), sites));

/** Opens the store directly: only when no collector is running on this data directory. */
async function withStore<T>(config: Config, job: (sites: SiteDirectory, store: Store, audit: AuditLog) => Promise<T>): Promise<T> {
  const store = await openStore(config);
  try {
    const sites = new SiteDirectory(store);
    await sites.reload();
    // What the command line changes is audited as what comes through a collector's admin socket.
    const salts = new DailySalts(store.salts);
    const audit = new AuditLog({ store, now: Date.now, salt: (t) => salts.forDay(utcDay(t)), log: createLogger('error') });
    return await job(sites, store, audit);
  } finally {
    await store.close();
  }
}

async function start(config: Config): Promise<void> {
  // Handlers first: a signal that arrives while the store opens still gets a clean stop.
  let signalled: string | null = null;
  let stop = (signal: string) => {
    signalled ??= signal;
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  ensureBuilt('@cairn/tracker', 'dist/t.js', ['src', 'rollup.config.js', 'package.json']);
  // The widgets' build makes widgets.js and the dashboard app together; the app's service worker is its last output.
  ensureBuilt('@cairn/widgets', 'dist/app/sw.js', ['src', 'scripts', 'package.json']);
  const collector = await startCollector({ config });
  let stopping = false;
  stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    collector.log.info({ signal }, 'stopping: no new connections, flushing acknowledged events');
    collector.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`cairn: stop failed: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  if (signalled) stop(signalled);
}

/** Runs the CLI with `argv` (without node and the script): an exit code, or 'running' for `start`. */
export async function main(argv: string[]): Promise<number | 'running'> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        ...Object.fromEntries(Object.values(OPTIONS).map((o) => [o.flag, { type: 'string' as const }])),
        'no-subdomains': { type: 'boolean' },
        timezone: { type: 'string' },
        'query-keys': { type: 'string' },
        'retention-months': { type: 'string' },
        page: { type: 'string' },
        events: { type: 'string' },
        days: { type: 'string' },
        sites: { type: 'string' },
        event: { type: 'string' },
        name: { type: 'string' },
        revenue: { type: 'string' },
        prop: { type: 'string' },
        yes: { type: 'boolean' },
        owner: { type: 'boolean' },
        admin: { type: 'boolean' },
        'password-stdin': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (err) {
    console.error(`cairn: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { positionals, values: flags } = parsed;
  const [command, sub, arg] = positionals;
  if (flags.version) {
    console.log(VERSION);
    return 0;
  }
  if (flags.help || !command || command === 'help') {
    console.log(USAGE);
    return 0;
  }
  try {
    const config = configFrom(flags);
    const expect = (n: number) => {
      if (positionals.length > n) throw new UsageError(`unexpected argument "${positionals[n]}"`);
    };
    if (command === 'start') {
      expect(1);
      await start(config);
      return 'running';
    }
    if (command === 'seed') {
      expect(1);
      const num = (name: 'events' | 'days' | 'sites', fallback: number, max: number) => {
        const raw = flags[name];
        if (raw === undefined) return fallback;
        const n = Number(raw);
        if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`--${name} must be a whole number from 1 to ${max}`);
        return n;
      };
      const o = { events: num('events', 100_000, 100_000_000), days: num('days', 30, 3650), sites: num('sites', 1, 100) };
      if (await adminRequest(join(config.dataDir, 'cairn.sock'), 'GET', '/sites')) {
        throw new Error('cairn seed writes to the store directly: stop the collector first, then run it again');
      }
      await withStore(config, (sites, store) => seed(sites, store, o));
      return 0;
    }
    if (command === 'health') {
      expect(1);
      return await health(config.dataDir);
    }
    if (command === 'rollup') {
      expect(1);
      await rollup(config);
      return 0;
    }
    if (command === 'user') {
      const socket = join(config.dataDir, 'cairn.sock');
      const store = <T>(job: (s: Store, audit: AuditLog) => Promise<T>) => withStore(config, (_sites, s, audit) => job(s, audit));
      if (sub === 'list') {
        expect(2);
        await userList(socket, store);
        return 0;
      }
      if (sub === 'password') {
        if (!arg) throw new UsageError('user password needs an email: cairn user password you@example.com --password-stdin');
        if (!flags['password-stdin']) throw new UsageError('user password reads the new password from standard input: add --password-stdin');
        expect(3);
        await userPassword(socket, store, arg, await passwordFromStdin());
        return 0;
      }
      if (sub !== 'add') throw new UsageError(sub ? `unknown command "user ${sub}": use user add, list or password` : 'user needs a command: cairn user add|list|password');
      if (!arg) throw new UsageError('user add needs an email: cairn user add you@example.com --owner');
      expect(3);
      if (flags.owner && flags.admin) throw new UsageError('user add takes one of --owner or --admin');
      await userAdd(socket, store, {
        email: arg,
        role: flags.owner ? 'owner' : flags.admin ? 'admin' : 'client',
        ...(typeof flags.name === 'string' ? { name: flags.name } : {}),
        ...(flags['password-stdin'] ? { password: await passwordFromStdin() } : {}),
      });
      return 0;
    }
    if (command === 'gdpr') {
      if (sub !== 'export' && sub !== 'delete') throw new UsageError(sub ? `unknown command "gdpr ${sub}": use gdpr export or delete` : 'gdpr needs a command: cairn gdpr export|delete <site> --prop <key>=<id>');
      if (!arg) throw new UsageError(`gdpr ${sub} needs a site id: cairn gdpr ${sub} <site> --prop <key>=<id>`);
      expect(3);
      const person = typeof flags.prop === 'string' ? parsePerson(flags.prop) : null;
      if (!person) throw new UsageError(`gdpr ${sub} needs --prop <key>=<id>, e.g. --prop user_id=42`);
      const socket = join(config.dataDir, 'cairn.sock');
      const store = <T>(job: (sites: SiteDirectory, s: Store, audit: AuditLog) => Promise<T>) => withStore(config, job);
      if (sub === 'export') await gdprExport(socket, store, arg, person);
      else {
        if (!flags.yes) throw new UsageError('gdpr delete erases events for good: add --yes to go ahead (see what would go with gdpr export)');
        await gdprDelete(socket, store, arg, person);
      }
      return 0;
    }
    if (command === 'goal') {
      const socket = join(config.dataDir, 'cairn.sock');
      const store = <T>(job: (sites: SiteDirectory, s: Store, audit: AuditLog) => Promise<T>) => withStore(config, job);
      if (sub !== 'add' && sub !== 'list' && sub !== 'remove') {
        throw new UsageError(sub ? `unknown command "goal ${sub}": use goal add, list or remove` : 'goal needs a command: cairn goal add|list|remove <site>');
      }
      if (!arg) throw new UsageError(`goal ${sub} needs a site id: cairn goal ${sub} <site>`);
      if (sub === 'add') {
        expect(3);
        const page = typeof flags.page === 'string' ? flags.page : undefined;
        const event = typeof flags.event === 'string' ? flags.event : undefined;
        if (!page === !event) throw new UsageError('goal add needs one of --page <pattern> or --event <name>');
        await goalAdd(socket, store, arg, {
          kind: page ? 'page' : 'event',
          match: (page ?? event)!,
          ...(typeof flags.name === 'string' ? { name: flags.name } : {}),
          ...(typeof flags.revenue === 'string' ? { revenue: flags.revenue } : {}),
        });
      } else if (sub === 'list') {
        expect(3);
        await goalList(socket, store, arg);
      } else {
        const id = positionals[3];
        if (!id) throw new UsageError('goal remove needs a goal id: cairn goal remove <site> <id>');
        expect(4);
        await goalRemove(socket, store, arg, id);
      }
      return 0;
    }
    if (command === 'key') {
      const socket = join(config.dataDir, 'cairn.sock');
      if (sub !== 'list' && sub !== 'add' && sub !== 'revoke') {
        throw new UsageError(sub ? `unknown command "key ${sub}": use key list, add or revoke` : 'key needs a command: cairn key list|add|revoke <site>');
      }
      if (!arg) throw new UsageError(`key ${sub} needs a site id: cairn key ${sub} <site>`);
      if (sub === 'list') {
        expect(3);
        await keyList(socket, withSiteAdmin(config), arg);
      } else if (sub === 'add') {
        expect(3);
        await keyAdd(socket, withSiteAdmin(config), arg, typeof flags.name === 'string' ? flags.name : 'Site key');
      } else {
        const id = positionals[3];
        if (!id) throw new UsageError('key revoke needs a key id (see cairn key list <site>): cairn key revoke <site> <id>');
        expect(4);
        await keyRevoke(socket, withSiteAdmin(config), arg, id);
      }
      return 0;
    }
    if (command !== 'site') throw new UsageError(`unknown command "${command}"`);
    const socket = join(config.dataDir, 'cairn.sock');
    if (sub === 'add') {
      if (!arg) throw new UsageError('site add needs a domain: cairn site add example.com');
      expect(3);
      await siteAdd(socket, withSiteAdmin(config), arg, flags, config.publicUrl);
    } else if (sub === 'list') {
      expect(2);
      await siteList(socket, withSiteAdmin(config));
    } else if (sub === 'set') {
      if (!arg) throw new UsageError('site set needs a site id: cairn site set <site> --retention-months 13');
      expect(3);
      await siteSet(socket, withSiteAdmin(config), arg, flags);
    } else if (sub === 'delete' || sub === 'restore') {
      if (!arg) throw new UsageError(`site ${sub} needs a site id: cairn site ${sub} <site>`);
      expect(3);
      if (sub === 'delete') await siteDelete(socket, withSiteAdmin(config), arg, flags.yes === true);
      else await siteRestore(socket, withSiteAdmin(config), arg);
    } else throw new UsageError(sub ? `unknown command "site ${sub}": use site add, set, list, delete or restore` : 'site needs a subcommand: add, set, list, delete or restore');
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`cairn: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    // A store failure names its operation for the logs; a person needs only the reason.
    console.error(`cairn: ${err instanceof StoreError ? err.reason : (err as Error).message}`);
    return 1;
  }
}
