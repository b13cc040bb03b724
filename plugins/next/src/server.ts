/**
 * Server-side Cairn for Route Handlers, Server Actions and Server Components: `track()` sends an
 * event as the visitor who made the request; `viewToken()` exchanges the site key for a view token
 * that `<Dashboard />` can hold. The site key is read here, on the server, and nowhere else.
 */
import { createClient, type Client, type Section, type ViewToken } from '@cairn/tracker/server';
import type { HeaderSource } from './forward.ts';
import { collectorUrl, settings } from './settings.ts';

export type { HeaderSource } from './forward.ts';
/** The view token and its sections, as @cairn/tracker/server has them (checked there against the collector's protocol). */
export type { Section, ViewToken } from '@cairn/tracker/server';
/** Flat props of an event: string, number or boolean values, at most 1 KB serialized. */
export type Props = Record<string, string | number | boolean>;

export interface TrackOptions {
  /** The request being handled (a Route Handler's `request`): the visitor's address, user agent and page. */
  request?: Request;
  /** The request's headers when there is no Request object: `await headers()` in a Server Action. */
  headers?: HeaderSource;
  /** The page the event belongs to; by default the `Referer` (the page that called), else the request's URL. */
  url?: string;
  /** A client event id (at most 64 characters): the collector stores an id once, so retries are safe. New by default. */
  id?: string;
}

export interface TrackResult {
  /** The event's client id (the one given, or a new one). */
  id: string;
  /** The collector's answer: 202 when stored (or deliberately ignored, such as a bot's), 0 when it was unreachable. */
  status: number;
}

function fail(caller: string, message: string): never {
  throw new Error(`[@cairn/next] ${caller}: ${message}`);
}

/** One SDK client per collector, site and key: it batches concurrent events and keeps the tokens it minted. */
const clients = new Map<string, Client>();

/** How long track() retries an unreachable or overloaded collector before it answers status 0. */
const RETRY_FOR_MS = 5_000;

function clientFor(caller: string, key?: string): Client {
  const collector = collectorUrl(caller);
  const { site } = settings();
  if (!site) fail(caller, "no site id. Wrap next.config with withCairn(config, { collector, site }) from '@cairn/next/config'.");
  const id = JSON.stringify([collector, site, key ?? null]);
  let client = clients.get(id);
  if (!client) {
    client = createClient({
      collector,
      site,
      key,
      // Next sets X-Forwarded-For to the visitor's address (or keeps the one a proxy in front set).
      trustProxy: true,
      // An action waits for its event: a collector that cannot be reached costs it seconds, not minutes.
      retryForMs: RETRY_FOR_MS,
      onError: (err) => console.warn(`[@cairn/next] track(): ${err.message}`),
      fetch: (input, init) => fetch(input, { ...init, cache: 'no-store' }),
    });
    clients.set(id, client);
  }
  return client;
}

/**
 * Sends an event from the server, as the visitor of `request` (their address and user agent), with
 * a timestamp and a client event id, through `send()` of `@cairn/tracker/server` (batched with
 * events sent at the same time; retried for a few seconds on network errors, 5xx and 429). Misuse
 * throws; an unreachable collector only yields status 0, so analytics never breaks the action that
 * tracks. Not to delay the answer, call it inside `after()` from `next/server`.
 */
export async function track(name: string, props?: Props, options: TrackOptions = {}): Promise<TrackResult> {
  if (typeof name !== 'string' || name.length < 1 || name.length > 120) fail('track()', `the event name must be 1–120 characters (got ${JSON.stringify(name)}).`);
  if (props !== undefined && (props === null || typeof props !== 'object' || Array.isArray(props))) fail('track()', 'props must be a flat object of strings, numbers and booleans.');
  const from = options.headers ?? options.request?.headers;
  const url = options.url ?? from?.get('referer') ?? options.request?.url;
  if (!url) fail('track()', 'pass { request } (a Route Handler), { headers: await headers() } (a Server Action) or { url }.');
  const id = options.id ?? crypto.randomUUID();
  if (id.length > 64) fail('track()', 'the id is at most 64 characters.');
  return clientFor('track()').send(name, props, { headers: from ?? new Headers(), url, id });
}

/**
 * A view token for `<Dashboard />`, from the site key in `CAIRN_SITE_KEY` (server environment,
 * never `NEXT_PUBLIC_`): read-only, one site, at most an hour (docs/api/sites.md). Minted by
 * `viewToken()` of `@cairn/tracker/server`: kept in memory until five minutes before it expires.
 */
export async function viewToken(options: { sections?: Section[]; ttl?: number } = {}): Promise<ViewToken> {
  const key = process.env.CAIRN_SITE_KEY;
  if (!key) fail('viewToken()', 'CAIRN_SITE_KEY is not set. Put the site key in the server environment (not with a NEXT_PUBLIC_ prefix: it must never reach the browser).');
  try {
    return await clientFor('viewToken()', key).viewToken(options);
  } catch (err) {
    fail('viewToken()', (err as Error).message.replace(/^viewToken\(\): /, ''));
  }
}
