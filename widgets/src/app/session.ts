/**
 * The management API as the app calls it, through the widgets' one client (core/api.ts):
 * same-origin JSON with the session cookie, the session's CSRF token on every change, and the
 * API's messages as sentences. A 401 `unauthenticated` (the session ended: timed out, password
 * changed elsewhere, user removed) is announced on window as `cairn-session-ended`, and the app
 * shows the login page.
 */
import type { SessionAnswer } from '@cairn/collector/protocol';
import { ApiError, send } from '../core/api.ts';

export const SESSION_ENDED_EVENT = 'cairn-session-ended';

let csrf = '';

/** Remembers the session's CSRF token (from a login, `/me`, or a password change). */
export function useCsrf(token: string): void {
  csrf = token;
}

/** The API's messages are lower-case clauses; on screen they read as sentences. */
export const sentence = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1) + (/[.!?]$/.test(s) ? '' : '.') : s);

/** A JSON request to the collector; resolves with the parsed answer (undefined for 204), rejects with ApiError. */
export async function request<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  try {
    return await send<T>(path, {
      method,
      body,
      headers: method !== 'GET' && csrf ? { 'x-csrf-token': csrf } : {},
      unreachable: 'Cairn cannot be reached: check your connection and try again.',
      wording: sentence,
    });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401 && err.code === 'unauthenticated') window.dispatchEvent(new Event(SESSION_ENDED_EVENT));
    throw err;
  }
}

/** Who is logged in, or null. */
export async function whoAmI(): Promise<SessionAnswer | null> {
  try {
    const me = await request<SessionAnswer>('GET', '/api/auth/me');
    useCsrf(me.csrfToken);
    return me;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}
