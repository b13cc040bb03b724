/**
 * The management API as the app calls it: same-origin JSON with the session cookie, the session's
 * CSRF token on every change, and errors as RequestError with the field they are about. A 401
 * `unauthenticated` (the session ended: timed out, password changed elsewhere, user removed) is
 * announced on window as `cairn-session-ended`, and the app shows the login page.
 */
import type { UserView } from './types.ts';

export class RequestError extends Error {
  readonly status: number;
  readonly code: string;
  /** The input the error is about (`email`, `grants.0.site`), or null. */
  readonly field: string | null;
  constructor(status: number, code: string, message: string, field: string | null = null) {
    super(message);
    this.name = 'RequestError';
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

export const SESSION_ENDED_EVENT = 'cairn-session-ended';

let csrf = '';

/** Remembers the session's CSRF token (from a login, `/me`, or a password change). */
export function useCsrf(token: string): void {
  csrf = token;
}

/** A JSON request to the collector; resolves with the parsed answer (undefined for 204). */
export async function request<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin', ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  } catch {
    throw new RequestError(0, 'unreachable', 'Cairn cannot be reached: check your connection and try again.');
  }
  if (!res.ok) {
    const answer = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string; field?: string } } | null;
    const e = answer?.error;
    const err = new RequestError(res.status, e?.code ?? 'error', sentence(e?.message ?? `The collector answered ${res.status}.`), e?.field ?? null);
    if (res.status === 401 && err.code === 'unauthenticated') window.dispatchEvent(new Event(SESSION_ENDED_EVENT));
    throw err;
  }
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** The API's messages are lower-case clauses; on screen they read as sentences. */
export const sentence = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1) + (/[.!?]$/.test(s) ? '' : '.') : s);

export interface Me {
  user: UserView;
  csrfToken: string;
}

/** Who is logged in, or null. */
export async function whoAmI(): Promise<Me | null> {
  try {
    const me = await request<Me>('GET', '/api/auth/me');
    useCsrf(me.csrfToken);
    return me;
  } catch (err) {
    if (err instanceof RequestError && err.status === 401) return null;
    throw err;
  }
}
