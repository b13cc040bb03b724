/**
 * The dashboard's session cookie and the same-origin check that guards what a cookie may do:
 * read by the authoriser (authorize.ts) on every request, written by the auth routes.
 */
import type { IncomingMessage } from 'node:http';

export const SESSION_COOKIE = 'cairn_session';

/** The session token a request's cookie carries, or null. */
export function sessionToken(req: IncomingMessage): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=') || null;
  }
  return null;
}

/**
 * Whether a request comes from a page of the collector itself (Origin, else Referer): the host of
 * its public URL, or the host it was reached at (a proxy may rewrite Host, or not).
 */
export function sameOrigin(req: IncomingMessage, publicHost: string | null = null): boolean {
  const from = req.headers.origin ?? req.headers.referer;
  if (typeof from !== 'string') return false;
  try {
    const host = new URL(from).host;
    return host === publicHost || host === req.headers.host;
  } catch {
    return false;
  }
}

/** The Set-Cookie value of a session (an empty token with 0 ends it): httpOnly, SameSite=Lax, Secure over https. */
export const sessionCookie = (token: string, maxAgeSeconds: number, secure: boolean) =>
  `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
