/**
 * `POST /api/event` (ARCHITECTURE.md §2), served by a plain node:http handler in front of
 * Express: Express's routing and middleware would cost most of the throughput on this path.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import { botMatch, botReason } from '../enrich/bots.ts';
import type { Enricher } from '../enrich/enrich-event.ts';
import { CairnError, errorResponse } from '../errors.ts';
import type { DropReason } from '../protocol/dropped.ts';
import { LIMITS, type WireEvent } from '../protocol/event.ts';
import { hostBelongsToSite, type SiteDirectory } from '../sites/site-directory.ts';
import { StoreError, type Site, type StoredEvent } from '../store/store.ts';
import type { DropCounter } from './drop-counter.ts';
import type { EventKeys } from './event-keys.ts';
import { ClientIdWindow } from './dedupe.ts';
import type { GroupCommit } from './group-commit.ts';
import type { LiveCheck } from './live-check.ts';
import type { LiveCheckEntry } from '../protocol/management-answers.ts';
import { parseEvents } from './parse-events.ts';
import { ClientGone, readBody } from './read-body.ts';
import type { RateLimiter } from '../rate-limit.ts';

export interface IngestDeps {
  sites: SiteDirectory;
  enricher: Enricher;
  writer: GroupCommit;
  dedupe: ClientIdWindow;
  drops: DropCounter;
  live: LiveCheck;
  ipLimiter: RateLimiter;
  siteLimiter: RateLimiter;
  keys: EventKeys;
  clientIp: (req: IncomingMessage) => string;
  now: () => number;
  log: Logger;
  /** Counts of what is expected yet worth watching (the owner's health report shows them). */
  counts: IngestCounts;
}

export interface IngestCounts {
  /** Requests whose client went away (closed, reset, timed out) before the body was read. */
  aborted: number;
  /** Events for a site that does not exist (and was not deleted lately): no site to count them against. */
  unknownSite: number;
  /** Events refused with 503 because the disk was too full to keep them safely. */
  refusedNoSpace: number;
}

export const newIngestCounts = (): IngestCounts => ({ aborted: 0, unknownSite: 0, refusedNoSpace: 0 });

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

/** Who an event is counted for: the visitor's address, user agent and the headers bots are told by. */
interface Visitor {
  ip: string;
  userAgent: string | undefined;
  headers: IncomingHttpHeaders;
}

/**
 * The visitor of each event: the request's, or for an event with `v` the one a server names,
 * which only a site key of the event's site may do.
 */
function visitorsOf(events: readonly WireEvent[], request: Visitor, keySite: string | null): Visitor[] {
  return events.map((ev, i) => {
    if (!ev.v) return request;
    const at = events.length > 1 ? `[${i}].` : '';
    if (keySite === null) throw new CairnError(401, 'unauthenticated', `${at}v: an event names its visitor only with its site's key: Authorization: Bearer cairn_sk_…`, { field: `${at}v` });
    if (keySite !== ev.s) throw new CairnError(403, 'forbidden', `${at}v: the site key is not one of site "${ev.s}"`, { field: `${at}v` });
    if (!isIP(ev.v.a)) throw new CairnError(400, 'invalid_event', `${at}v.a: not an IPv4 or IPv6 address`, { field: `${at}v.a` });
    const headers = ev.v.h ?? {};
    return { ip: ev.v.a, userAgent: headers['user-agent'], headers };
  });
}

function checkRateLimits(deps: IngestDeps, visitors: readonly Visitor[], sites: readonly { site: Site }[], now: number): void {
  const limited = (wait: number, what: string) =>
    new CairnError(429, 'rate_limited', `too many events from this ${what}; retry in ${wait} s`, {
      headers: { 'retry-after': String(wait) },
    });
  if (visitors.every((v) => v === visitors[0])) {
    const ipWait = deps.ipLimiter.take(visitors[0]!.ip, sites.length, now);
    if (ipWait > 0) throw limited(ipWait, 'address');
  } else {
    const perIp = new Map<string, number>();
    for (const { ip } of visitors) perIp.set(ip, (perIp.get(ip) ?? 0) + 1);
    for (const [ip, n] of perIp) {
      const wait = deps.ipLimiter.take(ip, n, now);
      if (wait > 0) throw limited(wait, 'address');
    }
  }
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

/** The error codes that refuse a request's events, and the reason each is counted under. */
const REFUSED: Partial<Record<string, DropReason>> = {
  invalid_json: 'invalid',
  invalid_event: 'invalid',
  too_large: 'invalid',
  unknown_site: 'unknown_site',
  hostname_not_allowed: 'hostname_not_allowed',
  rate_limited: 'rate_limited',
};

/** The events of a body as far as they can be read, for counting a refused request against their sites. */
function claimedEvents(text: string): Partial<WireEvent>[] {
  try {
    const body: unknown = JSON.parse(text);
    return (Array.isArray(body) ? body : [body]).filter((e): e is Partial<WireEvent> => typeof e === 'object' && e !== null && typeof e.s === 'string');
  } catch {
    return [];
  }
}

/** The page of an event, as the live check shows it. */
function pageOf(u: unknown): { host: string | null; page: string | null } {
  const url = typeof u === 'string' ? URL.parse(u) : null;
  return { host: url?.hostname ?? null, page: url?.pathname ?? null };
}

/**
 * Counts every event of a refused request under its site: a batch is refused whole, so each of
 * its events is counted with the reason the batch was refused for. An unknown site has no one
 * to report to, unless it was deleted lately (its owner may restore it).
 */
function countRefused(deps: IngestDeps, events: readonly Partial<WireEvent>[], err: CairnError, now: number): void {
  const reason = REFUSED[err.code];
  if (!reason) return;
  for (const ev of events) {
    const site = reason === 'unknown_site' ? deps.sites.find(ev.s!) : deps.sites.get(ev.s!);
    if (!site) {
      if (reason === 'unknown_site') deps.counts.unknownSite++;
      continue;
    }
    deps.drops.count(site.id, reason, now);
    if (deps.live.watching(site.id, now)) {
      deps.live.record(site.id, { at: now, outcome: reason, name: typeof ev.n === 'string' ? ev.n : null, ...pageOf(ev.u), detail: err.message });
    }
  }
}

async function ingest(deps: IngestDeps, req: IncomingMessage): Promise<void> {
  const now = deps.now();
  const text = await readBody(req, LIMITS.batchBytes);
  const request: Visitor = { ip: deps.clientIp(req), userAgent: req.headers['user-agent'], headers: req.headers };
  // Only a server names its events' visitors, with its site key; browsers send no Authorization.
  const keySite = req.headers.authorization === undefined ? null : await deps.keys.siteOf(req.headers.authorization, now);
  let events: WireEvent[] | undefined;
  let sites: { site: Site; url: URL }[];
  let visitors: Visitor[];
  try {
    events = parseEvents(text);
    sites = resolveSites(events, deps.sites, now);
    visitors = visitorsOf(events, request, keySite);
    checkRateLimits(deps, visitors, sites, now);
  } catch (err) {
    if (err instanceof CairnError) countRefused(deps, events ?? claimedEvents(text), err, now);
    throw err;
  }

  // Bots are told by the visitor's headers: the request's, or those a server passed on.
  const bots = new Map<Visitor, ReturnType<typeof botReason>>();
  for (const v of visitors) if (!bots.has(v)) bots.set(v, botReason(v.userAgent, v.headers));
  if (bots.get(request) && visitors.every((v) => v === request)) return dropBots(deps, events, sites, visitors, bots, now);

  const salts = deps.enricher.saltsReady(now) ?? (await deps.enricher.saltsFor(now));
  const facts = new Map<Visitor, { ip: string; userAgent: string; now: number }>();
  const rows: StoredEvent[] = [];
  const newIds: string[] = [];
  const earlier: Promise<void>[] = [];
  const watched: [string, Omit<LiveCheckEntry, 'seq' | 'label'>][] = [];
  events.forEach((ev, i) => {
    const { site, url } = sites[i]!;
    const visitor = visitors[i]!;
    const bot = bots.get(visitor);
    if (bot) return dropBot(deps, ev, sites[i]!, visitor, bot, now);
    if (ev.id !== undefined) {
      const key = ClientIdWindow.key(site.id, ev.id);
      const seen = newIds.includes(key) ? 'stored' : deps.dedupe.lookup(key);
      if (seen) {
        deps.drops.count(site.id, 'duplicate', now);
        if (deps.live.watching(site.id, now)) {
          deps.live.record(site.id, { at: now, outcome: 'duplicate', name: ev.n, host: url.hostname, page: url.pathname, detail: 'an event with this id was received before' });
        }
        if (seen !== 'stored') earlier.push(seen);
        return;
      }
      newIds.push(key);
    }
    let known = facts.get(visitor);
    if (!known) facts.set(visitor, (known = { ip: visitor.ip, userAgent: visitor.userAgent!, now }));
    const row = deps.enricher.enrich(ev, url, site, known, salts, ev.t ?? now);
    rows.push(row);
    if (deps.live.watching(site.id, now)) {
      watched.push([site.id, {
        at: now,
        outcome: 'stored',
        name: row.name,
        host: row.hostname,
        page: row.pathname,
        browser: row.browser,
        device: row.device,
        country: row.country,
      }]);
    }
  });
  const write = rows.length > 0 ? deps.writer.write(rows) : Promise.resolve();
  if (newIds.length > 0) deps.dedupe.track(newIds, write, now);
  await write;
  // Shown as stored once they are: a failed write answers 503, and the tracker sends them again.
  for (const [site, entry] of watched) deps.live.record(site, entry);
  if (earlier.length > 0) await Promise.all(earlier);
}

/** Counts a bot's event under its site, and shows it to a live installation check. */
function dropBot(deps: IngestDeps, ev: WireEvent, { site, url }: { site: Site; url: URL }, visitor: Visitor, bot: NonNullable<ReturnType<typeof botReason>>, now: number): void {
  deps.drops.count(site.id, bot, now);
  if (deps.live.watching(site.id, now)) {
    deps.live.record(site.id, { at: now, outcome: bot, name: ev.n, host: url.hostname, page: url.pathname, detail: botMatch(visitor.userAgent, bot) });
  }
}

function dropBots(deps: IngestDeps, events: readonly WireEvent[], sites: readonly { site: Site; url: URL }[], visitors: readonly Visitor[], bots: ReadonlyMap<Visitor, ReturnType<typeof botReason>>, now: number): void {
  events.forEach((ev, i) => dropBot(deps, ev, sites[i]!, visitors[i]!, bots.get(visitors[i]!)!, now));
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
