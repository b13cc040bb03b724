/**
 * `POST /api/event` (ARCHITECTURE.md §2), served by a plain node:http handler in front of
 * Express: Express's routing and middleware would cost most of the throughput on this path.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { botReason } from '../enrich/bots.ts';
import type { Enricher } from '../enrich/enrich-event.ts';
import { CairnError, errorResponse } from '../errors.ts';
import { LIMITS, type WireEvent } from '../protocol/event.ts';
import { hostBelongsToSite, type SiteDirectory } from '../sites/site-directory.ts';
import { StoreError, type Site, type StoredEvent } from '../store/store.ts';
import type { BotCounter } from './bot-counter.ts';
import { ClientIdWindow } from './dedupe.ts';
import type { GroupCommit } from './group-commit.ts';
import { parseEvents } from './parse-events.ts';
import { ClientGone, readBody } from './read-body.ts';
import type { RateLimiter } from '../rate-limit.ts';

export interface IngestDeps {
  sites: SiteDirectory;
  enricher: Enricher;
  writer: GroupCommit;
  dedupe: ClientIdWindow;
  bots: BotCounter;
  ipLimiter: RateLimiter;
  siteLimiter: RateLimiter;
  clientIp: (req: IncomingMessage) => string;
  now: () => number;
  log: Logger;
  /** Counts of what is expected yet worth watching (the owner's health report shows them). */
  counts: IngestCounts;
}

export interface IngestCounts {
  /** Requests whose client went away (closed, reset, timed out) before the body was read. */
  aborted: number;
  /** Events refused with 503 because the disk was too full to keep them safely. */
  refusedNoSpace: number;
}

export const newIngestCounts = (): IngestCounts => ({ aborted: 0, refusedNoSpace: 0 });

/** Server SDKs may date an event (`t`) within this window; the browser tracker never does. */
const PAST_MS = 24 * 3_600_000;
const FUTURE_MS = 5 * 60_000;

// Simple CORS requests (text/plain POSTs, sendBeacon) only need the origin header; the rest is
// for preflights of application/json requests.
const ALLOW_ORIGIN = { 'access-control-allow-origin': '*' };
const PREFLIGHT = {
  ...ALLOW_ORIGIN,
  'access-control-allow-methods': 'POST, OPTIONS',
  'access-control-allow-headers': 'Content-Type',
  'access-control-max-age': '86400',
  'content-length': '0',
};
// A flat [name, value, …] list skips Node's per-call header object handling on the hot path.
const ACCEPTED_HEADERS = ['access-control-allow-origin', '*', 'content-length', '0'];
const ACCEPTED = /^(text\/plain|application\/json)\s*(;|$)/i;

function sendError(res: ServerResponse, err: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const answer = errorResponse(err);
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    ...ALLOW_ORIGIN,
    ...answer.headers,
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/** Every event's site must exist and its page must be on one of the site's domains. */
function resolveSites(events: readonly WireEvent[], sites: SiteDirectory, now: number): { site: Site; url: URL }[] {
  return events.map((ev, i) => {
    const at = events.length > 1 ? `[${i}].` : '';
    const site = sites.get(ev.s);
    if (!site) throw new CairnError(403, 'unknown_site', `${at}s: no site "${ev.s}" is registered here`, { field: `${at}s` });
    const url = URL.parse(ev.u);
    if (!url) throw new CairnError(400, 'invalid_event', `${at}u: not a valid URL`, { field: `${at}u` });
    if (!hostBelongsToSite(url.hostname, site)) {
      throw new CairnError(403, 'hostname_not_allowed', `${at}u: ${url.hostname} is not a domain of site "${ev.s}"`, { field: `${at}u` });
    }
    if (ev.t !== undefined && (ev.t < now - PAST_MS || ev.t > now + FUTURE_MS)) {
      throw new CairnError(400, 'invalid_event', `${at}t: must be within the last 24 hours`, { field: `${at}t` });
    }
    return { site, url };
  });
}

function checkRateLimits(deps: IngestDeps, ip: string, sites: readonly { site: Site }[], now: number): void {
  const limited = (wait: number, what: string) =>
    new CairnError(429, 'rate_limited', `too many events from this ${what}; retry in ${wait} s`, {
      headers: { 'retry-after': String(wait) },
    });
  const ipWait = deps.ipLimiter.take(ip, sites.length, now);
  if (ipWait > 0) throw limited(ipWait, 'address');
  if (sites.length === 1) {
    const wait = deps.siteLimiter.take(sites[0]!.site.id, 1, now);
    if (wait > 0) throw limited(wait, 'site');
    return;
  }
  const perSite = new Map<string, number>();
  for (const { site } of sites) perSite.set(site.id, (perSite.get(site.id) ?? 0) + 1);
  for (const [id, n] of perSite) {
    const wait = deps.siteLimiter.take(id, n, now);
    if (wait > 0) throw limited(wait, 'site');
  }
}

async function ingest(deps: IngestDeps, req: IncomingMessage): Promise<void> {
  const now = deps.now();
  const events = parseEvents(await readBody(req, LIMITS.batchBytes));
  const sites = resolveSites(events, deps.sites, now);
  const ip = deps.clientIp(req);
  checkRateLimits(deps, ip, sites, now);

  const userAgent = req.headers['user-agent'];
  const bot = botReason(userAgent, req.headers);
  if (bot) {
    for (const { site } of sites) deps.bots.count(site.id, bot, now);
    return;
  }

  const salts = deps.enricher.saltsReady(now) ?? (await deps.enricher.saltsFor(now));
  const facts = { ip, userAgent: userAgent!, now };
  const rows: StoredEvent[] = [];
  const newIds: string[] = [];
  const earlier: Promise<void>[] = [];
  events.forEach((ev, i) => {
    const { site, url } = sites[i]!;
    if (ev.id !== undefined) {
      const key = ClientIdWindow.key(site.id, ev.id);
      const seen = newIds.includes(key) ? 'stored' : deps.dedupe.lookup(key);
      if (seen === 'stored') return;
      if (seen) {
        earlier.push(seen);
        return;
      }
      newIds.push(key);
    }
    rows.push(deps.enricher.enrich(ev, url, site, facts, salts, ev.t ?? now));
  });
  const write = rows.length > 0 ? deps.writer.write(rows) : Promise.resolve();
  if (newIds.length > 0) deps.dedupe.track(newIds, write, now);
  await write;
  if (earlier.length > 0) await Promise.all(earlier);
}

/** The request handler for `/api/event`. */
export function createIngestHandler(deps: IngestDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (req.method === 'OPTIONS') return void res.writeHead(204, PREFLIGHT).end();
    if (req.method !== 'POST') return sendError(res, new CairnError(405, 'method_not_allowed', 'use POST'), { allow: 'POST, OPTIONS' });
    const type = req.headers['content-type'];
    if (type !== undefined && !ACCEPTED.test(type)) {
      req.resume();
      return sendError(res, new CairnError(415, 'unsupported_media_type', 'send text/plain or application/json'));
    }
    ingest(deps, req).then(
      () => {
        if (!res.headersSent) res.writeHead(202, ACCEPTED_HEADERS).end();
      },
      (err: unknown) => {
        if (err instanceof CairnError) {
          // A body we stopped reading cannot be followed by another request on this connection.
          return sendError(res, err, err.status === 413 || !req.complete ? { connection: 'close' } : {});
        }
        if (err instanceof ClientGone) {
          deps.counts.aborted++;
          deps.log.debug({ aborted: deps.counts.aborted }, err.message);
          return;
        }
        if (err instanceof StoreError) {
          // A full disk is logged once when it starts and ends (collector.ts), not per request.
          if (err.code === 'no_space') deps.counts.refusedNoSpace++;
          else deps.log.error({ op: err.operation, err: err.message }, 'events not stored; answered 503');
          return sendError(res, new CairnError(503, 'store_unavailable', 'events could not be stored; retry later', { headers: { 'retry-after': '5' } }));
        }
        deps.log.error({ err }, 'ingest failed unexpectedly');
        sendError(res, err);
      },
    );
  };
}
