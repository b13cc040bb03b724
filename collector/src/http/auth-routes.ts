/**
 * Dashboard login over HTTP: `POST /api/auth/login`, `GET /api/auth/me`, `POST /api/auth/logout`,
 * `POST /api/auth/password`. The session is an httpOnly, SameSite=Lax cookie (Secure when the
 * collector is served over https). Every state-changing request must come from the collector's
 * own origin (Origin, or Referer, names its host) and, with a session, echo its CSRF token in
 * `X-CSRF-Token`. Logins, password changes and reset requests are rate limited together, per
 * client address and per account, and a failed login says the same whether the account exists or not.
 */
import type { IncomingMessage } from 'node:http';
import type { Response } from 'express';
import type { AuditLog } from '../accounts/audit.ts';
import { checkPassword, LOGIN_LIFETIME_MS, type Logins } from '../accounts/logins.ts';
import { hashPassword, passwordProblem, verifyPassword } from '../accounts/passwords.ts';
import { addUser, normalizeEmail, publicUser } from '../accounts/users.ts';
import { checkSetupToken, hasOwner } from '../accounts/owner-setup.ts';
import { RateLimiter } from '../ingest/rate-limit.ts';
import type { Logger } from 'pino';
import { checkPasswordLink, passwordEmail, passwordLink } from '../accounts/password-links.ts';
import { NoMailer, type Mailer } from '../mail/mailer.ts';
import type { Store } from '../store/store.ts';
import { CairnError } from '../errors.ts';
import type { Route } from './routes.ts';

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
  /** The installation's token secret (password links). */
  secret: Buffer;
  /** A NoMailer when no SMTP server is configured. */
  mailer: Mailer;
  publicUrl: () => string;
  log: Logger;
}

/** The rate limiters of logins, LOGIN_LIMITS a minute. */
export const loginLimiters = () => ({ byIp: new RateLimiter(LOGIN_LIMITS.perIp), byAccount: new RateLimiter(LOGIN_LIMITS.perAccount) });

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

/** The session of a request that passed a `session` guard. */
function loginOf(res: Response) {
  const p = res.locals.principal;
  if (p.kind !== 'user') throw new CairnError(401, 'unauthenticated', 'log in first');
  return p;
}

export function authRoutes(deps: AuthDeps): Route[] {
  const { byIp, byAccount } = deps.loginLimits;
  const anyUser = { kind: 'session', roles: ['owner', 'admin', 'client'] } as const;
  /**
   * Counts an attempt (a login, a password change, a reset request) against both limits; throws
   * 429 past either. `user` is the logged-in user making it, if any.
   */
  const limit = async (ip: string, email: string, refused: 'login.limited' | 'password.change-limited' | 'password.reset-limited', user: string | null = null) => {
    const now = deps.now();
    const wait = Math.max(byIp.take(ip, 1, now), byAccount.take(normalizeEmail(email), 1, now));
    if (wait > 0) {
      await deps.audit.record({ actor: user, action: refused, target: user, ip });
      throw new CairnError(429, 'rate_limited', `too many attempts; try again in ${wait} s`, { headers: { 'retry-after': String(wait) } });
    }
  };
  // Setups one at a time, so that two people racing with the link cannot both become the owner
  // (on one collector; with several, the first to write wins and the other is a second owner: see docs).
  let setups: Promise<unknown> = Promise.resolve();
  const fromDashboard = (req: IncomingMessage) => {
    if (!sameOrigin(req, deps.publicHost)) throw new CairnError(403, 'csrf', 'this request must come from the Cairn dashboard');
  };
  return [
    {
      method: 'post',
      path: '/api/auth/login',
      summary: 'log in (sets the session cookie)',
      access: { kind: 'public' },
      body: '4kb',
      handler: async (req, res) => {
        fromDashboard(req);
        const { email, password } = (req.body ?? {}) as { email?: unknown; password?: unknown };
        if (typeof email !== 'string' || typeof password !== 'string') throw new CairnError(400, 'invalid_login', 'send an email and a password');
        const ip = deps.clientIp(req);
        await limit(ip, email, 'login.limited');
        const { user, account } = await checkPassword(deps.store, email, password);
        if (!user) {
          // The account, when there is one (never the email typed: it may be a password typed in the wrong field).
          await deps.audit.record({ actor: null, action: 'login.failed', target: account?.id ?? null, ip });
          throw new CairnError(401, 'invalid_login', 'wrong email or password');
        }
        await deps.audit.record({ actor: user.id, action: 'login', target: user.id, ip });
        // A session the browser had before is never carried over.
        const previous = sessionToken(req);
        if (previous) await deps.logins.end(previous);
        const { token, session } = await deps.logins.start(user);
        res.set('set-cookie', cookie(token, LOGIN_LIFETIME_MS / 1000, deps.secureCookies));
        res.json({ user: publicUser(user), csrfToken: session.csrf });
      },
    },
    {
      method: 'get',
      path: '/api/auth/me',
      summary: 'who is logged in, and the CSRF token',
      access: anyUser,
      handler: (_req, res) => {
        const { user, session } = loginOf(res);
        res.json({ user: publicUser(user), csrfToken: session.csrf });
      },
    },
    {
      method: 'post',
      path: '/api/auth/logout',
      summary: 'log out (ends the session)',
      access: anyUser,
      handler: async (req, res) => {
        const { user, token } = loginOf(res);
        await deps.logins.end(token);
        await deps.audit.record({ actor: user.id, action: 'logout', target: user.id, ip: deps.clientIp(req) });
        res.set('set-cookie', cookie('', 0, deps.secureCookies)).status(204).end();
      },
    },
    {
      method: 'post',
      path: '/api/auth/password',
      summary: 'change one\'s password (ends every session)',
      access: anyUser,
      body: '4kb',
      handler: async (req, res) => {
        const { user } = loginOf(res);
        const { current, next } = (req.body ?? {}) as { current?: unknown; next?: unknown };
        if (typeof current !== 'string' || typeof next !== 'string') throw new CairnError(400, 'invalid_password', 'send the current and the new password');
        // A session left open, or stolen, must not be a way to guess the password: counted as logins are.
        const ip = deps.clientIp(req);
        await limit(ip, user.email, 'password.change-limited', user.id);
        if (!user.passwordHash || !(await verifyPassword(current, user.passwordHash))) throw new CairnError(403, 'wrong_password', 'the current password is wrong');
        const problem = passwordProblem(next);
        if (problem) throw new CairnError(400, 'invalid_password', problem, { field: 'next' });
        await deps.store.users.update(user.id, { passwordHash: await hashPassword(next), passwordChangedAt: deps.now() });
        // Every session of this user ends, this one included; the browser gets a new one.
        const ended = await deps.logins.endAll(user.id);
        await deps.audit.record({ actor: user.id, action: 'password.change', target: user.id, ip, details: { sessionsEnded: ended } });
        const { token, session } = await deps.logins.start(user);
        res.set('set-cookie', cookie(token, LOGIN_LIFETIME_MS / 1000, deps.secureCookies));
        res.json({ csrfToken: session.csrf });
      },
    },
    {
      method: 'post',
      path: '/api/auth/setup',
      summary: 'create the owner with the setup link printed at first start (only while there is none)',
      access: { kind: 'public' },
      body: '4kb',
      handler: async (req, res) => {
        fromDashboard(req);
        const { token, email, password, name } = (req.body ?? {}) as { token?: unknown; email?: unknown; password?: unknown; name?: unknown };
        if (typeof token !== 'string' || !checkSetupToken(deps.secret, token, deps.now())) {
          throw new CairnError(400, 'invalid_link', 'this setup link is not valid (it lasts 24 hours; restart the collector for a new one)');
        }
        if (typeof email !== 'string' || typeof password !== 'string' || (name !== undefined && typeof name !== 'string')) {
          throw new CairnError(400, 'invalid_user', 'send an email, a password and, if you like, a name');
        }
        const made = setups.then(async () => {
          if (await hasOwner(deps.store)) throw new CairnError(409, 'owner_exists', 'this Cairn has an owner already: log in instead');
          return addUser(deps.store, { email, password, role: 'owner', ...(name ? { name } : {}) }, deps.now());
        });
        setups = made.catch(() => undefined);
        const user = await made;
        await deps.audit.record({ actor: user.id, action: 'user.create', target: user.id, ip: deps.clientIp(req), details: { role: 'owner', via: 'setup link' } });
        res.status(201).json({ user: publicUser(user) });
      },
    },
    {
      method: 'post',
      path: '/api/auth/reset-request',
      summary: 'email a password reset link (the same answer whether the account exists or not)',
      access: { kind: 'public' },
      body: '1kb',
      handler: async (req, res) => {
        fromDashboard(req);
        const { email } = (req.body ?? {}) as { email?: unknown };
        if (typeof email !== 'string' || email.length > 254) throw new CairnError(400, 'invalid_request', 'send the email of the account', { field: 'email' });
        if (deps.mailer instanceof NoMailer) throw new CairnError(503, 'mail_unavailable', 'this Cairn cannot send email: ask its owner or an admin for an invitation link');
        const ip = deps.clientIp(req);
        await limit(ip, email, 'password.reset-limited');
        const user = await deps.store.users.byEmail(normalizeEmail(email));
        await deps.audit.record({ actor: null, action: 'password.reset-request', target: user?.id ?? null, ip });
        if (user) {
          // Sent after the answer: how long the SMTP server takes must not tell who has an account.
          const url = `${deps.publicUrl().replace(/\/+$/, '')}/reset#token=${passwordLink(deps.secret, user, 'reset', deps.now())}`;
          const mail = passwordEmail('reset', user, url);
          setImmediate(() => {
            deps.mailer.send({ to: user.email, ...mail }).catch((err: unknown) => deps.log.error({ err: (err as Error).message }, 'a password reset email could not be sent'));
          });
        }
        res.status(202).json({ message: 'if this email belongs to an account, a link to set a new password is on its way (valid one hour)' });
      },
    },
    {
      method: 'post',
      path: '/api/auth/reset',
      summary: 'set a password with an invitation or reset link (ends every session)',
      access: { kind: 'public' },
      body: '4kb',
      handler: async (req, res) => {
        fromDashboard(req);
        const { token, password } = (req.body ?? {}) as { token?: unknown; password?: unknown };
        if (typeof token !== 'string' || typeof password !== 'string') throw new CairnError(400, 'invalid_request', 'send the token of the link and the new password');
        const user = await checkPasswordLink(deps.secret, token, deps.store, deps.now());
        if (!user) throw new CairnError(400, 'invalid_link', 'this link is not valid: it expired (links last one hour), was used already, or was altered; ask for a new one');
        const problem = passwordProblem(password);
        if (problem) throw new CairnError(400, 'invalid_password', problem, { field: 'password' });
        await deps.store.users.update(user.id, { passwordHash: await hashPassword(password), passwordChangedAt: deps.now() });
        const ended = await deps.logins.endAll(user.id);
        await deps.audit.record({ actor: user.id, action: user.passwordHash ? 'password.reset' : 'invitation.accept', target: user.id, ip: deps.clientIp(req), details: { sessionsEnded: ended } });
        res.status(204).end();
      },
    },
  ];
}
