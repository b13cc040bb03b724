/** A logged-in dashboard, for end-to-end tests: requests with the session cookie, its CSRF token and the collector's origin. */
import type { Harness } from './harness.ts';

export interface DashboardClient {
  cookie: string;
  csrf: string;
  /** A JSON request; the answer's status and parsed body (null when empty; loosely typed, as tests read what they check). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
}

let ip = 0;

/** Logs in through `POST /api/auth/login`; throws when that fails. Each client has its own address (rate limits). */
export async function logIn(h: Harness, email: string, password: string): Promise<DashboardClient> {
  const address = `198.18.${(++ip >> 8) & 255}.${ip & 255}`;
  const base = { origin: h.collector.url, 'content-type': 'application/json', 'x-forwarded-for': address };
  const res = await fetch(`${h.collector.url}/api/auth/login`, { method: 'POST', headers: base, body: JSON.stringify({ email, password }) });
  if (res.status !== 200) throw new Error(`login as ${email} failed: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return {
    cookie,
    csrf: csrfToken,
    async call(method, path, body, headers = {}) {
      const r = await fetch(`${h.collector.url}${path}`, {
        method,
        headers: { ...base, cookie, 'x-csrf-token': csrfToken, ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await r.text();
      return { status: r.status, body: text ? JSON.parse(text) : null };
    },
  };
}
