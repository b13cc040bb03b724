/**
 * Dashboard login over HTTP: `POST /api/auth/login`, `GET /api/auth/me`, `POST /api/auth/logout`,
 * `POST /api/auth/password`. The session is an httpOnly, SameSite=Lax cookie (Secure when the
 * collector is served over https). Every state-changing request must come from the collector's
 * own origin (Origin, or Referer, names its host) and, with a session, echo its CSRF token in
 * `X-CSRF-Token`. Logins are rate limited per client address and per account, and a failure says
 * the same whether the account exists or not.
 */
import type { IncomingMessage } from 'node:http';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { AuditLog } from '../accounts/audit.ts';
import { checkPassword, LOGIN_LIFETIME_MS, sameSecret, type Logins } from '../accounts/logins.ts';
import { hashPassword, passwordProblem, verifyPassword } from '../accounts/passwords.ts';
import { normalizeEmail, publicUser } from '../accounts/users.ts';
import { RateLimiter } from '../ingest/rate-limit.ts';
import type { LoginSession, Store, User } from '../store/store.ts';
import { HttpError } from './http-error.ts';

export const SESSION_COOKIE = 'cairn_session';
/** Login attempts per minute (bursting up to as many): per client address, and per account. */
export const LOGIN_LIMITS = { perIp: 20, perAccount: 5 } as const;

export interface AuthDeps {
  store: Store;
  logins: Logins;
  clientIp: (req: IncomingMessage) => string;
  now: () => number;
  /** Mark cookies Secure (the collector's public URL is https). */
  secureCookies: boolean;
  /** The host of CAIRN_PUBLIC_URL, which the dashboard's pages are served from. */
  publicHost: string | null;
  audit: AuditLog;
  /** Login attempts per client address and per account (swept by the collector's upkeep). */
  loginLimits: { byIp: RateLimiter; byAccount: RateLimiter };
}

/** The rate limiters of logins, LOGIN_LIMITS a minute. */
export const loginLimiters = () => ({ byIp: new RateLimiter(LOGIN_LIMITS.perIp), byAccount: new RateLimiter(LOGIN_LIMITS.perAccount) });

declare module 'express-serve-static-core' {
  interface Locals {
    login?: { session: LoginSession; user: User; token: string };
  }
}

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

const cookie = (token: string, maxAgeSeconds: number, secure: boolean) =>
  `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;

/** Express middleware: the request's session in `res.locals.login`, or 401. */
export function requireLogin(logins: Logins) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const token = sessionToken(req);
    const found = token ? await logins.check(token) : null;
    if (!found || !token) return next(new HttpError(401, 'unauthenticated', 'log in first'));
    res.locals.login = { ...found, token };
    next();
  };
}

/** Express middleware for state-changing routes of a session: same origin, and its CSRF token. */
export function requireCsrf(publicHost: string | null) {
  return (req: Request, res: Response, next: NextFunction) => {
    const csrf = req.headers['x-csrf-token'];
    if (!sameOrigin(req, publicHost) || typeof csrf !== 'string' || !res.locals.login || !sameSecret(csrf, res.locals.login.session.csrf)) {
      return next(new HttpError(403, 'csrf', 'this request must come from the Cairn dashboard'));
    }
    next();
  };
}

export function authRoutes(deps: AuthDeps): Router {
  const router = express.Router();
  const { byIp, byAccount } = deps.loginLimits;
  const login = requireLogin(deps.logins);
  const csrf = requireCsrf(deps.publicHost);
  router.use(express.json({ limit: '4kb' }));

  router.post('/login', async (req, res) => {
    if (!sameOrigin(req, deps.publicHost)) throw new HttpError(403, 'csrf', 'this request must come from the Cairn dashboard');
    const { email, password } = (req.body ?? {}) as { email?: unknown; password?: unknown };
    if (typeof email !== 'string' || typeof password !== 'string') throw new HttpError(400, 'invalid_login', 'send an email and a password');
    const now = deps.now();
    const ip = deps.clientIp(req);
    const wait = Math.max(byIp.take(ip, 1, now), byAccount.take(normalizeEmail(email), 1, now));
    if (wait > 0) {
      await deps.audit.record({ actor: null, action: 'login.limited', ip });
      throw new HttpError(429, 'rate_limited', `too many attempts; try again in ${wait} s`, { headers: { 'retry-after': String(wait) } });
    }
    const { user, account } = await checkPassword(deps.store, email, password);
    if (!user) {
      // The account, when there is one (never the email typed: it may be a password typed in the wrong field).
      await deps.audit.record({ actor: null, action: 'login.failed', target: account?.id ?? null, ip });
      throw new HttpError(401, 'invalid_login', 'wrong email or password');
    }
    await deps.audit.record({ actor: user.id, action: 'login', target: user.id, ip });
    // A session the browser had before is never carried over.
    const previous = sessionToken(req);
    if (previous) await deps.logins.end(previous);
    const { token, session } = await deps.logins.start(user);
    res.set('set-cookie', cookie(token, LOGIN_LIFETIME_MS / 1000, deps.secureCookies));
    res.json({ user: publicUser(user), csrfToken: session.csrf });
  });

  router.get('/me', login, (_req, res) => {
    const { user, session } = res.locals.login!;
    res.json({ user: publicUser(user), csrfToken: session.csrf });
  });

  router.post('/logout', login, csrf, async (req, res) => {
    await deps.logins.end(res.locals.login!.token);
    await deps.audit.record({ actor: res.locals.login!.user.id, action: 'logout', target: res.locals.login!.user.id, ip: deps.clientIp(req) });
    res.set('set-cookie', cookie('', 0, deps.secureCookies)).status(204).end();
  });

  router.post('/password', login, csrf, async (req, res) => {
    const { user } = res.locals.login!;
    const { current, next } = (req.body ?? {}) as { current?: unknown; next?: unknown };
    if (typeof current !== 'string' || typeof next !== 'string') throw new HttpError(400, 'invalid_password', 'send the current and the new password');
    if (!user.passwordHash || !(await verifyPassword(current, user.passwordHash))) throw new HttpError(403, 'wrong_password', 'the current password is wrong');
    const problem = passwordProblem(next);
    if (problem) throw new HttpError(400, 'invalid_password', problem, { field: 'next' });
    await deps.store.users.update(user.id, { passwordHash: await hashPassword(next), passwordChangedAt: deps.now() });
    // Every session of this user ends, this one included; the browser gets a new one.
    const ended = await deps.logins.endAll(user.id);
    await deps.audit.record({ actor: user.id, action: 'password.change', target: user.id, ip: deps.clientIp(req), details: { sessionsEnded: ended } });
    const { token, session } = await deps.logins.start(user);
    res.set('set-cookie', cookie(token, LOGIN_LIFETIME_MS / 1000, deps.secureCookies));
    res.json({ csrfToken: session.csrf });
  });

  return router;
}
