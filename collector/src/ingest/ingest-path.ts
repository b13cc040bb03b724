/**
 * The state the `/api/event` path keeps in memory, built from the store when the collector
 * starts: visits still open (sessions), client ids seen lately (dedupe), rate limits, drop counts,
 * the group commit in front of the store. Returns the handler and what the upkeep sweeps.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { clientIpResolver } from '../enrich/client-ip.ts';
import type { DailySalts } from '../enrich/daily-salts.ts';
import { Enricher } from '../enrich/enrich-event.ts';
import type { GeoLookup } from '../enrich/geo.ts';
import { SESSION_GAP_MS, Sessions } from '../enrich/sessions.ts';
import type { Sweeper } from '../maintenance.ts';
import { RateLimiter } from '../rate-limit.ts';
import type { SiteDirectory } from '../sites/site-directory.ts';
import type { Store } from '../store/store.ts';
import { DropCounter } from './drop-counter.ts';
import { EventKeys } from './event-keys.ts';
import { LiveCheck } from './live-check.ts';
import { ClientIdWindow, DEDUPE_WINDOW_MS } from './dedupe.ts';
import { GroupCommit } from './group-commit.ts';
import { createIngestHandler, newIngestCounts } from './ingest-handler.ts';

export async function openIngestPath(deps: {
  store: Store;
  sites: SiteDirectory;
  salts: DailySalts;
  geo: GeoLookup;
  config: Pick<Config, 'commitMaxRows' | 'rateLimitIp' | 'rateLimitSite' | 'trustedProxies'>;
  now: () => number;
  log: Logger;
}) {
  const { store, config, now } = deps;
  const sessions = new Sessions();
  sessions.seed(await store.events.sessionTails(now() - SESSION_GAP_MS));
  const dedupe = new ClientIdWindow();
  // Server SDKs may date events up to 24 h back, so look one more day into the past.
  dedupe.seed(await store.events.clientIds(now() - 2 * DEDUPE_WINDOW_MS));
  const writer = new GroupCommit((rows) => store.events.append(rows), { maxRows: config.commitMaxRows });
  const drops = new DropCounter(store.dropCounts);
  const live = new LiveCheck();
  const ipLimiter = new RateLimiter(config.rateLimitIp);
  const siteLimiter = new RateLimiter(config.rateLimitSite);
  const counts = newIngestCounts();
  const keys = new EventKeys((hash) => store.keys.byHash(hash));
  const handler = createIngestHandler({
    sites: deps.sites,
    enricher: new Enricher({ salts: deps.salts, sessions, geo: deps.geo }),
    writer,
    dedupe,
    drops,
    live,
    ipLimiter,
    siteLimiter,
    keys,
    clientIp: clientIpResolver(config.trustedProxies),
    now,
    log: deps.log,
    counts,
  });
  const sweepers: Sweeper[] = [
    { name: 'visits', sweep: (t) => sessions.sweep(t) },
    { name: 'client ids', sweep: (t) => dedupe.sweep(t) },
    { name: 'rate limits', sweep: (t) => (ipLimiter.sweep(t), siteLimiter.sweep(t)) },
    { name: 'site keys', sweep: (t) => keys.sweep(t) },
    { name: 'drop counts', sweep: () => drops.flush() },
    { name: 'live checks', sweep: (t) => live.sweep(t) },
  ];
  return { handler, counts, writer, drops, live, sweepers };
}
