/**
 * `@cairn/tracker/server`: events sent from a server (Node ≥ 20, or any runtime with `fetch`),
 * for the visitor whose request the server is answering.
 *
 *   import { createClient } from '@cairn/tracker/server';
 *   const cairn = createClient({ collector: 'https://stats.example.com', site: 'SITE_ID' });
 *   cairn.track('signup', { plan: 'pro' }, { request: req });
 *
 * `track()` queues and returns at once. Events are sent in batches (up to 100 a request, after
 * `flushMs`). The collector reads each event's visitor (address and the protocol's
 * FORWARDED_HEADERS) for the visitor hash, automated browsers and prefetches: with the site `key`,
 * every event names its visitor (`v`, docs/api/events.md) and a batch holds events of any
 * visitors; without it, a request carries one visitor's address and headers, so a batch holds one
 * visitor's events. A batch refused for a while (network errors, 5xx, 429) is sent again with
 * exponential backoff and jitter, honouring Retry-After; every event carries a client id, so a
 * batch the collector stored but whose answer was lost is not counted twice. The queue is
 * bounded: when it is full the oldest events go, and `stats()` counts them.
 */
import type { FORWARDED_HEADERS, LIMITS, SECTIONS, ViewTokenAnswer } from '@cairn/collector/protocol';

/** Flat props, as the browser tracker sends them. */
export type Props = Record<string, string | number | boolean>;

/** A Fetch API request (Next, Remix, Hono…) or a Node request (`http`, Express, Nest, Fastify's `raw`). */
export type RequestLike =
  | { url: string; headers: { get(name: string): string | null } }
  | { url?: string; headers: Record<string, string | string[] | undefined>; socket?: { remoteAddress?: string }; protocol?: string };

export interface ClientOptions {
  /** The collector's address, e.g. `https://stats.example.com`. */
  collector: string;
  /** The site id. */
  site: string;
  /**
   * A site key of the site (server-side only, never sent to a browser): for viewToken(), and so
   * that one request carries events of many visitors (each event names its visitor; the collector
   * then needs no trusted-proxy entry for this server).
   */
  key?: string;
  /**
   * Read the visitor's address from the request's `X-Forwarded-For` (its first entry): only when
   * a proxy you trust sets it (a load balancer, Vercel, Next). Otherwise the address is the
   * request's socket's, or `address` given to track().
   */
  trustProxy?: boolean;
  /** Events per request, 1–100. Default 100. */
  batchSize?: number;
  /** How long an event waits for others before it is sent, in ms. Default 250. */
  flushMs?: number;
  /** Events kept at most while the collector cannot be reached; the oldest go first. Default 10,000. */
  maxQueue?: number;
  /** How long a batch is retried before it is given up, in ms. Default 10 minutes. */
  retryForMs?: number;
  /** Batches sent at once, at most. Default 4. */
  concurrency?: number;
  /** Called for events given up: refused by the collector (4xx), or retried for `retryForMs`. */
  onError?: (error: Error, events: number) => void;
  /** The fetch to send with (tests, instrumentation). Default: the global fetch. */
  fetch?: typeof fetch;
}

export interface TrackOptions {
  /** The visitor's request: its URL is the page, its headers and address the visitor's. */
  request?: RequestLike;
  /** The visitor's headers, when there is no request object (Next's `await headers()`). */
  headers?: { get(name: string): string | null } | Record<string, string | string[] | undefined>;
  /** The page the event belongs to (absolute URL): taken from the request when not given. */
  url?: string;
  /** The visitor's address, when neither the request's socket nor a trusted proxy gives it. */
  address?: string;
  /** The event's id (≤ 64 characters): the collector stores an id once. Default: a random one. */
  id?: string;
  /** When it happened, ms since the epoch (within the last 24 hours). Default: now. */
  timestamp?: number;
}

export interface ClientStats {
  /** Events waiting to be sent. */
  queued: number;
  /** Events the collector acknowledged (stored, or known already). */
  sent: number;
  /** Events dropped because the queue was full. */
  dropped: number;
  /** Events given up: refused, or retried for too long. */
  failed: number;
  /** Requests sent again after a failure. */
  retries: number;
}

/** What became of an event sent with `send()`. */
export interface Sent {
  /** The event's client id (the one given, or a new one). */
  id: string;
  /**
   * The collector's last answer: 202 when stored (or deliberately ignored, such as a bot's);
   * a 4xx when refused; 0 when it could not be reached for `retryForMs`, or the event was dropped
   * from a full queue.
   */
  status: number;
}

export interface Client {
  /** Queues an event; throws only when the call itself is wrong (no URL, closed client). */
  track(name: string, props?: Props, options?: TrackOptions): void;
  /**
   * Sends an event now and resolves when the collector has answered it (or it was given up):
   * for serverless functions and actions that must finish their work before they return. Sent
   * with whatever else is queued, retried like `track()`'s events.
   */
  send(name: string, props?: Props, options?: TrackOptions): Promise<Sent>;
  /** Resolves when every event queued so far was acknowledged or given up. */
  flush(): Promise<void>;
  /** Flushes, then stops: later track() calls throw. */
  close(): Promise<void>;
  stats(): ClientStats;
  /** Flushes before the process ends (SIGTERM, SIGINT, beforeExit); returns a function that removes the handlers. */
  flushOnExit(): () => void;
  /**
   * A view token for the dashboard widgets, from the site key: read-only, this site, at most an
   * hour (docs/api/sites.md). Kept until five minutes before it expires; calls at the same time
   * share one request.
   */
  viewToken(options?: { sections?: Section[]; ttl?: number }): Promise<ViewToken>;
}

/** What a view token may open of a site. */
export type Section = 'traffic' | 'sources' | 'goals' | 'realtime' | 'export';

export interface ViewToken {
  token: string;
  site: string;
  sections: Section[];
  /** ISO 8601. */
  expiresAt: string;
  /** The site's query parameters that are part of its pages' paths (`p` makes `/?p=1` a page). */
  queryKeys: string[];
}

/** Why viewToken() has no token, for callers that word it their own way. */
export class ViewTokenError extends Error {
  /** `no_key`: none given; `unreachable`; `refused`: the key is wrong or revoked (401); `deleted`: the site (403); `not_cairn`: no such route (404); `other_site`: the key is another site's; `failed`: any other answer. */
  readonly reason: 'no_key' | 'unreachable' | 'refused' | 'deleted' | 'not_cairn' | 'other_site' | 'failed';
  /** The collector's answer, when it gave one. */
  readonly status: number | undefined;
  /** For `other_site`: the site the key belongs to. */
  readonly site: string | undefined;

  constructor(reason: ViewTokenError['reason'], message: string, extra: { status?: number; site?: string; cause?: unknown } = {}) {
    super(message, { cause: extra.cause });
    this.name = 'ViewTokenError';
    this.reason = reason;
    this.status = extra.status;
    this.site = extra.site;
  }
}

/** A view token is handed out again only while it has this long to live. */
const TOKEN_MARGIN_MS = 5 * 60_000;

/**
 * The visitor's request headers the collector reads besides the address: the user agent (visitor
 * hash, browser), Sec-CH-UA (automated browsers), Sec-Purpose and Purpose (prefetches). Checked
 * below against the protocol's FORWARDED_HEADERS; proxies pass on exactly these.
 */
export const VISITOR_HEADERS = ['user-agent', 'sec-ch-ua', 'sec-purpose', 'purpose'] as const;
/** The collector's caps on one request. */
const MAX_BATCH = 100;
const MAX_BODY = 65_536;

// Written out rather than imported (the collector is no dependency of this package); these checks,
// erased from dist, fail the typecheck of src/ when the values and the protocol's part.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
type _SameAsProtocol = [
  Holds<Same<(typeof VISITOR_HEADERS)[number], (typeof FORWARDED_HEADERS)[number]>>,
  Holds<Same<typeof MAX_BODY, (typeof LIMITS)['batchBytes']>>,
  Holds<Same<typeof MAX_BATCH, (typeof LIMITS)['batchEvents']>>,
  Holds<Same<Section, (typeof SECTIONS)[number]>>,
  Holds<Same<ViewToken, ViewTokenAnswer>>,
];

interface Queued {
  /** The request's visitor, serialized: events with the same share a batch ('' when each event names its own). */
  visitor: string;
  headers: Record<string, string>;
  event: Record<string, unknown>;
  /** Its JSON, for the body cap. */
  bytes: number;
  /** Called with the collector's last answer, for send(). */
  settle?: (status: number) => void;
}

const isFetchHeaders = (h: unknown): h is { get(name: string): string | null } => typeof (h as { get?: unknown }).get === 'function';

function headerOf(headers: TrackOptions['headers'], name: string): string | undefined {
  if (!headers) return undefined;
  const value = isFetchHeaders(headers) ? headers.get(name) : headers[name];
  return (Array.isArray(value) ? value[0] : value) || undefined;
}

/** The page: the given URL, or the request's (a Node request's URL is a path: its Host completes it). */
function pageOf(options: TrackOptions): string | undefined {
  if (options.url) return options.url;
  const req = options.request;
  if (!req?.url) return undefined;
  if (/^https?:\/\//.test(req.url)) return req.url;
  const host = headerOf(req.headers, 'host');
  if (!host) return undefined;
  const proto = 'protocol' in req && req.protocol ? req.protocol : (headerOf(req.headers, 'x-forwarded-proto') ?? 'http');
  return `${proto.split(',')[0]!.trim()}://${host}${req.url}`;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Retry-After in ms: seconds or an HTTP date; null when absent or unreadable. */
function retryAfterMs(value: string | null, now: number): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export function createClient(options: ClientOptions): Client {
  const collector = options.collector.replace(/\/+$/, '');
  if (!/^https?:\/\//.test(collector)) throw new TypeError(`createClient: collector must be an http(s) URL, got ${JSON.stringify(options.collector)}`);
  if (!options.site) throw new TypeError('createClient: site is required (the site id)');
  const batchSize = Math.min(MAX_BATCH, Math.max(1, Math.floor(options.batchSize ?? MAX_BATCH)));
  const flushMs = options.flushMs ?? 250;
  const maxQueue = Math.max(1, options.maxQueue ?? 10_000);
  const retryForMs = options.retryForMs ?? 600_000;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const send = options.fetch ?? fetch;
  const stats: Omit<ClientStats, 'queued'> = { sent: 0, dropped: 0, failed: 0, retries: 0 };
  let queue: Queued[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** The sending loop, while it runs; flush() waits for it. */
  let running: Promise<void> | undefined;
  let closed = false;

  const schedule = () => {
    if (timer || running) return;
    timer = setTimeout(() => {
      timer = undefined;
      void drain();
    }, flushMs);
    // A pending flush does not keep the process alive: flushOnExit() or close() sends what is left.
    (timer as { unref?: () => void }).unref?.();
  };

  /** The first visitor's events, up to the batch size and the body cap, taken off the queue. */
  function nextBatch(): Queued[] {
    const visitor = queue[0]!.visitor;
    const batch: Queued[] = [];
    let bytes = 2;
    let i = 0;
    // The events in front, while they fit (all of them, with the key): taken off in one splice.
    for (; i < queue.length && batch.length < batchSize; i++) {
      const q = queue[i]!;
      if (q.visitor !== visitor || bytes + q.bytes + 1 > MAX_BODY) break;
      batch.push(q);
      bytes += q.bytes + 1;
    }
    queue.splice(0, i);
    if (batch.length === batchSize || queue.length === 0 || visitor === '') return batch;
    // The visitor's later events, behind other visitors': one pass that keeps the others in order.
    const rest: Queued[] = [];
    for (const q of queue) {
      if (batch.length < batchSize && q.visitor === visitor && bytes + q.bytes + 1 <= MAX_BODY) {
        batch.push(q);
        bytes += q.bytes + 1;
      } else rest.push(q);
    }
    queue = rest;
    return batch;
  }

  /** Sends one batch until it is acknowledged or given up. */
  async function deliver(batch: Queued[]): Promise<void> {
    const body = JSON.stringify(batch.map((q) => q.event));
    const headers = { 'content-type': 'application/json', ...batch[0]!.headers };
    const started = Date.now();
    let status = 0;
    const settle = () => batch.forEach((q) => q.settle?.(status));
    for (let attempt = 0; ; attempt++) {
      let wait: number | null = null;
      let error: Error;
      try {
        const res = await send(`${collector}/api/event`, { method: 'POST', headers, body });
        status = res.status;
        if (res.status === 202) {
          stats.sent += batch.length;
          settle();
          await res.body?.cancel();
          return;
        }
        const text = await res.text().catch(() => '');
        error = new Error(`the collector answered ${res.status}${text ? `: ${text.slice(0, 300)}` : ''}`);
        if (res.status !== 429 && res.status < 500) {
          // Refused for what it is (invalid, unknown site, too large): sending it again changes nothing.
          stats.failed += batch.length;
          settle();
          options.onError?.(error, batch.length);
          return;
        }
        wait = retryAfterMs(res.headers.get('retry-after'), Date.now());
      } catch (err) {
        error = new Error(`the collector at ${collector} could not be reached (${err instanceof Error ? err.message : String(err)})`, { cause: err });
        status = 0;
      }
      // Exponential backoff from 250 ms to 30 s, with full jitter; Retry-After when given.
      const delay = wait ?? Math.random() * Math.min(30_000, 250 * 2 ** attempt);
      if (Date.now() + delay - started > retryForMs) {
        stats.failed += batch.length;
        settle();
        options.onError?.(new Error(`gave up after ${attempt + 1} attempts: ${error.message}`), batch.length);
        return;
      }
      await sleep(delay);
      stats.retries++;
    }
  }

  function drain(): Promise<void> {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    // Up to `concurrency` batches in flight: the collector commits concurrent requests together.
    running ??= (async () => {
      const active = new Set<Promise<void>>();
      try {
        while (queue.length > 0 || active.size > 0) {
          while (queue.length > 0 && active.size < concurrency) {
            const sent: Promise<void> = deliver(nextBatch()).finally(() => active.delete(sent));
            active.add(sent);
          }
          await Promise.race(active);
        }
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  const tokens = new Map<string, Promise<ViewToken>>();

  async function mintToken(body: { sections?: Section[]; ttl?: number }): Promise<ViewToken> {
    const fail = (reason: ViewTokenError['reason'], message: string, extra: { status?: number; site?: string; cause?: unknown } = {}): never => {
      throw new ViewTokenError(reason, `viewToken(): ${message}`, extra);
    };
    if (!options.key) fail('no_key', 'createClient() was given no key (a site key of the site, kept on the server)');
    let res: Response;
    try {
      res = await send(`${collector}/api/tokens/view`, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    } catch (err) {
      return fail('unreachable', `the collector at ${collector} could not be reached (${err instanceof Error ? err.message : String(err)})`, { cause: err });
    }
    const { status } = res;
    if (status === 401) fail('refused', 'no view token: it refused the site key: the key is wrong or was revoked', { status });
    if (status === 403) fail('deleted', 'no view token: the site was deleted', { status });
    if (status === 404) fail('not_cairn', `no view token: ${collector} answers, but not like a Cairn collector (no /api/tokens/view)`, { status });
    if (status !== 201) fail('failed', `no view token: it answered ${status}: ${(await res.text().catch(() => '')).slice(0, 300)}`, { status });
    const token = (await res.json().catch(() => null)) as ViewToken | null;
    if (typeof token?.token !== 'string') return fail('failed', `no view token: ${collector} answered 201 without one`, { status });
    if (token.site !== options.site) fail('other_site', `the site key belongs to site "${token.site}", not "${options.site}"`, { site: token.site });
    return token;
  }

  const keyHeaders = options.key ? { authorization: `Bearer ${options.key}` } : undefined;

  /** Validates an event and queues it; answers its id. */
  function enqueue(caller: string, name: string, props: Props | undefined, opts: TrackOptions, settle?: (status: number) => void): string {
    if (closed) throw new Error(`${caller}: this client was closed`);
    const url = pageOf(opts);
    if (!url) throw new TypeError(`${caller}: pass { url } (the page the event belongs to) or { request } with its URL and Host header`);
    const from = opts.headers ?? opts.request?.headers;
    const headers: Record<string, string> = {};
    for (const name of VISITOR_HEADERS) {
      const value = headerOf(from, name);
      if (value) headers[name] = value;
    }
    const forwarded = options.trustProxy ? headerOf(from, 'x-forwarded-for')?.split(',')[0]?.trim() : undefined;
    const socket = opts.request && 'socket' in opts.request ? opts.request.socket?.remoteAddress : undefined;
    const address = opts.address ?? forwarded ?? socket;
    const id = opts.id ?? crypto.randomUUID();
    const event: Record<string, unknown> = { s: options.site, n: name, u: url, id, t: opts.timestamp ?? Date.now() };
    if (props && Object.keys(props).length > 0) event.p = props;
    // With the key, the event names its visitor and goes in any batch; else the request does.
    const named = Boolean(keyHeaders && address);
    if (named) event.v = { a: address, h: headers };
    else if (address) headers['x-forwarded-for'] = address;
    if (queue.length >= maxQueue) {
      queue.shift()!.settle?.(0);
      stats.dropped++;
    }
    const request = named ? keyHeaders! : headers;
    queue.push({ visitor: named ? '' : JSON.stringify(headers), headers: request, event, bytes: new TextEncoder().encode(JSON.stringify(event)).length, settle });
    return id;
  }

  const client: Client = {
    viewToken(opts = {}) {
      const cacheKey = JSON.stringify([opts.sections ?? null, opts.ttl ?? null]);
      const cached = tokens.get(cacheKey);
      const fresh = cached?.then((t) => (Date.parse(t.expiresAt) - Date.now() > TOKEN_MARGIN_MS ? t : null)).catch(() => null);
      const token = (async () => (await fresh) ?? mintToken(opts))();
      // Only a token is kept: a refusal is asked again next time.
      tokens.set(cacheKey, token);
      token.catch(() => tokens.get(cacheKey) === token && tokens.delete(cacheKey));
      return token;
    },
    track(name, props, opts = {}) {
      enqueue('track()', name, props, opts);
      if (queue.length >= batchSize) void drain();
      else schedule();
    },
    send(name, props, opts = {}) {
      return new Promise<Sent>((resolve) => {
        const id = enqueue('send()', name, props, opts, (status) => resolve({ id, status }));
        void drain();
      });
    },
    async flush() {
      while (queue.length > 0 || running) await drain();
    },
    async close() {
      closed = true;
      await client.flush();
    },
    stats: () => ({ queued: queue.length, ...stats }),
    flushOnExit() {
      const proc = (globalThis as { process?: { on(e: string, f: (...a: unknown[]) => void): void; off(e: string, f: (...a: unknown[]) => void): void; exit(code?: number): void; listenerCount(e: string): number } }).process;
      if (!proc) return () => undefined;
      const onExit = () => void client.flush();
      // A signal ends the process once the queue is sent, unless something else handles it too.
      const onSignal = (signal: unknown) => {
        const alone = proc.listenerCount(String(signal)) === 1;
        void client.flush().finally(() => alone && proc.exit(signal === 'SIGINT' ? 130 : 143));
      };
      proc.on('beforeExit', onExit);
      proc.on('SIGTERM', onSignal);
      proc.on('SIGINT', onSignal);
      return () => {
        proc.off('beforeExit', onExit);
        proc.off('SIGTERM', onSignal);
        proc.off('SIGINT', onSignal);
      };
    },
  };
  return client;
}

export interface ForwardOptions {
  /** The collector's address, e.g. `https://stats.example.com`. */
  collector: string;
  /** The visitor's address (Astro's `clientAddress`, a Node request's `socket.remoteAddress`). */
  address?: string;
  /**
   * Pass on the request's `X-Forwarded-For` as it is, when a proxy you trust set it (Next sets it
   * to the client's address). Otherwise only `address` is sent, and without either the collector
   * counts every visitor as this server.
   */
  trustProxy?: boolean;
  /** The script a GET serves: `t.js` (default) or `t-v.js` (the Web Vitals chunk). */
  script?: 't.js' | 't-v.js';
  /** The fetch to send with. Default: the global fetch. */
  fetch?: typeof fetch;
}

/** Answer headers passed back: what the tracker, a cache and a person debugging need. */
const RETURNED = ['content-type', 'retry-after', 'cache-control', 'etag'];

/**
 * A first-party proxy in one call: `forward(request, { collector })` answers a GET with the
 * collector's tracker script and a POST with the collector's answer to the events in its body,
 * sent on with the visitor's address and exactly the headers the collector reads. A body over the
 * collector's cap (64 KB) is refused here (413) without being read further.
 *
 *   // app/_c/[file]/route.ts, a Hono route, a Worker…
 *   export const POST = (request: Request) => forward(request, { collector, trustProxy: true });
 */
export async function forward(request: Request, options: ForwardOptions): Promise<Response> {
  const collector = options.collector.replace(/\/+$/, '');
  const send = options.fetch ?? fetch;
  const answer = (status: number, message: string) => new Response(message, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } });
  const passBack = (res: Response) => {
    const headers = new Headers();
    for (const name of RETURNED) {
      const value = res.headers.get(name);
      if (value) headers.set(name, value);
    }
    return new Response(res.body, { status: res.status, headers });
  };
  try {
    if (request.method === 'GET' || request.method === 'HEAD') {
      return passBack(await send(`${collector}/${options.script ?? 't.js'}`, { method: request.method }));
    }
    if (request.method !== 'POST') return new Response('Method not allowed', { status: 405, headers: { allow: 'GET, POST' } });
    if (Number(request.headers.get('content-length') ?? 0) > MAX_BODY) return answer(413, 'An event batch is at most 64 KB.');
    const body = await request.arrayBuffer();
    if (body.byteLength > MAX_BODY) return answer(413, 'An event batch is at most 64 KB.');
    const headers = new Headers({ 'content-type': request.headers.get('content-type') ?? 'text/plain' });
    for (const name of VISITOR_HEADERS) {
      const value = request.headers.get(name);
      if (value) headers.set(name, value);
    }
    const forwarded = options.trustProxy ? request.headers.get('x-forwarded-for') : null;
    const address = options.address ?? forwarded;
    if (address) headers.set('x-forwarded-for', address);
    return passBack(await send(`${collector}/api/event`, { method: 'POST', headers, body }));
  } catch {
    return answer(502, 'The collector could not be reached.');
  }
}
