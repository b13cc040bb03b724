/**
 * The widgets' and the app's one HTTP client: JSON to and from the collector, with a view token
 * in `Authorization` when there is one (widgets embedded in a CMS admin), else with the
 * collector's session cookie (the collector's own dashboard, same origin). Every error answer
 * comes back as an ApiError with the code, message and field of the API's error envelope, which
 * is read here and nowhere else. `CairnApi` is the stats API on top of it; the app's session
 * (app/session.ts) adds its CSRF token.
 */
import type { ErrorEnvelope, Filter } from '@cairn/collector/protocol';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** The input the error is about (`email`, `grants.0.site`), or null. */
  readonly field: string | null;
  constructor(status: number, code: string, message: string, field: string | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
  }

  /** The credentials no longer hold: an expired or revoked view token, or an ended session. */
  get expired(): boolean {
    return this.status === 401;
  }
}

export interface SendOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Sent as JSON. */
  body?: unknown;
  /** A view token or site key; without one, the session cookie goes (to the page's own origin only). */
  token?: string | null;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** What the error says when no answer comes. */
  unreachable: string;
  /** How the API's messages (lower-case clauses) read where they are shown; as they are by default. */
  wording?: (message: string) => string;
}

/** One request to the collector: the parsed answer (undefined for a 204), or an ApiError; an abort rejects as the abort. */
export async function send<T>(url: string, o: SendOptions): Promise<T> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: o.method ?? 'GET',
      headers,
      // The session cookie only goes to the collector that served the page.
      credentials: o.token ? 'omit' : 'same-origin',
      ...(o.body === undefined ? {} : { body: JSON.stringify(o.body) }),
      ...(o.signal ? { signal: o.signal } : {}),
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'unreachable', o.unreachable);
  }
  if (!res.ok) {
    const e = ((await res.json().catch(() => null)) as Partial<ErrorEnvelope> | null)?.error;
    const wording = o.wording ?? ((m: string) => m);
    throw new ApiError(res.status, e?.code ?? 'error', wording(e?.message ?? `the collector answered ${res.status}`), e?.field ?? null);
  }
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export interface ApiOptions {
  /** The collector's URL; '' for the page's own origin. */
  api: string;
  site: string;
  token?: string | null;
}

/** The query every stats request shares (docs/api/stats.md). */
export interface StatsQuery {
  period?: string;
  date?: string;
  from?: string;
  to?: string;
  compare?: 'previous' | 'year' | null;
  filters?: Filter[];
  [other: string]: unknown;
}

export function queryString(q: StatsQuery): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null || v === '') continue;
    if (k === 'filters') {
      if ((v as Filter[]).length > 0) params.set(k, JSON.stringify(v));
    } else params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

export class CairnApi {
  readonly #base: string;
  readonly #site: string;
  readonly #token: string | null;

  constructor(o: ApiOptions) {
    this.#base = o.api.replace(/\/+$/, '');
    this.#site = o.site;
    this.#token = o.token || null;
  }

  /** `GET /api/stats/:site/<path>` with the query; rejects with ApiError. */
  async stats<T>(path: string, q: StatsQuery = {}, signal?: AbortSignal): Promise<T> {
    return this.get<T>(`/api/stats/${encodeURIComponent(this.#site)}/${path}${queryString(q)}`, signal);
  }

  /** `GET <path>` of the collector; rejects with ApiError. */
  async get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return send<T>(`${this.#base}${path}`, { token: this.#token, signal, unreachable: `Cairn cannot be reached at ${this.#base || location.origin}` });
  }

  /** The realtime WebSocket URL (the token in the query: browsers cannot give a WebSocket headers). */
  realtimeUrl(): string {
    const base = this.#base || location.origin;
    const url = new URL(`${base}/api/realtime`);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('site', this.#site);
    if (this.#token) url.searchParams.set('token', this.#token);
    return url.toString();
  }
}
