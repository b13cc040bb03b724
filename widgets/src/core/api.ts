/**
 * The stats API as the widgets call it: with a view token in `Authorization` when they have one
 * (embedded in a CMS admin), else with the collector's session cookie (the collector's own
 * dashboard, same origin). Errors come back as ApiError with the API's code and message.
 */
import type { Filter } from '@cairn/collector/protocol';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }

  /** The credentials no longer hold: an expired or revoked view token, or an ended session. */
  get expired(): boolean {
    return this.status === 401;
  }
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

  async get<T>(path: string, signal?: AbortSignal): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.#base}${path}`, {
        headers: this.#token ? { authorization: `Bearer ${this.#token}` } : {},
        // The session cookie only goes to the collector that served the page.
        credentials: this.#token ? 'omit' : 'same-origin',
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new ApiError(0, 'unreachable', `Cairn cannot be reached at ${this.#base || location.origin}`);
    }
    if (!res.ok) {
      const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
      throw new ApiError(res.status, body?.error?.code ?? 'error', body?.error?.message ?? `the collector answered ${res.status}`);
    }
    return (await res.json()) as T;
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
