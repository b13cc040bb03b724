/**
 * Dashboard login over HTTP: `POST /api/auth/login`, `GET /api/auth/me`, `POST /api/auth/logout`,
 * `POST /api/auth/password`, the first owner's setup and password links. The session is an
 * httpOnly, SameSite=Lax cookie (Secure when the collector is served over https). Every
 * state-changing request must come from the collector's own origin (Origin, or Referer, names its
 * host) and, with a session, echo its CSRF token in `X-CSRF-Token`. The rules (rate limits, what
 * ends sessions, what is audited) are UserAdmin's (accounts/user-admin.ts).
 */
import type { IncomingMessage } from 'node:http';
import type { Response } from 'express';
import type { AuditLog } from '../accounts/audit.ts';
import { LOGIN_LIFETIME_MS, type Logins } from '../accounts/logins.ts';
import type { UserAdmin } from '../accounts/user-admin.ts';
import { publicUser } from '../accounts/users.ts';
import { checkSetupToken } from '../accounts/owner-setup.ts';
import { CairnError } from '../errors.ts';
import type { PasswordChangeAnswer, ResetRequestAnswer, SessionAnswer, SetupStatusAnswer, UserAnswer } from '../protocol/index.ts';
import type { Route } from './routes.ts';
import { sameOrigin, sessionCookie, sessionToken } from './session-cookie.ts';

export interface AuthDeps {
  users: UserAdmin;
  logins: Logins;
  audit: AuditLog;
  clientIp: (req: IncomingMessage) => string;
  now: () => number;
  /** Mark cookies Secure (the collector's public URL is https). */
  secureCookies: boolean;
  /** The host of CAIRN_PUBLIC_URL, which the dashboard's pages are served from. */
  publicHost: string | null;
  /** The installation's token secret (the setup link). */
  secret: Buffer;
}

/** The session of a request that passed a `session` guard. */
function loginOf(res: Response) {
  const p = res.locals.principal;
  if (p.kind !== 'user') throw new CairnError(401, 'unauthenticated', 'log in first');
  return p;
}

export function authRoutes(deps: AuthDeps): Route[] {
  const anyUser = { kind: 'session', roles: ['owner', 'admin', 'client'] } as const;
  const fromDashboard = (req: IncomingMessage) => {
    if (!sameOrigin(req, deps.publicHost)) throw new CairnError(403, 'csrf', 'this request must come from the Cairn dashboard');
  };
  const cookie = (token: string, maxAgeSeconds: number) => sessionCookie(token, maxAgeSeconds, deps.secureCookies);
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
        const user = await deps.users.login(email, password, deps.clientIp(req));
        // A session the browser had before is never carried over.
        const previous = sessionToken(req);
        if (previous) await deps.logins.end(previous);
        const { token, session } = await deps.logins.start(user);
        res.set('set-cookie', cookie(token, LOGIN_LIFETIME_MS / 1000));
        res.json({ user: publicUser(user), csrfToken: session.csrf } satisfies SessionAnswer);
      },
    },
    {
      method: 'get',
      path: '/api/auth/me',
      summary: 'who is logged in, and the CSRF token',
      access: anyUser,
      handler: (_req, res) => {
        const { user, session } = loginOf(res);
        res.json({ user: publicUser(user), csrfToken: session.csrf } satisfies SessionAnswer);
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
        res.set('set-cookie', cookie('', 0)).status(204).end();
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
        await deps.users.changePassword(user, current, next, deps.clientIp(req));
        // Every session of this user ended, this one included; the browser gets a new one.
        const { token, session } = await deps.logins.start(user);
        res.set('set-cookie', cookie(token, LOGIN_LIFETIME_MS / 1000));
        res.json({ csrfToken: session.csrf } satisfies PasswordChangeAnswer);
      },
    },
    {
      method: 'get',
      path: '/api/auth/setup',
      summary: 'whether this Cairn still needs its first owner (the login page says how to make one)',
      access: { kind: 'public' },
      handler: async (_req, res) => {
        res.set('cache-control', 'no-store').json({ needed: await deps.users.needsOwner() } satisfies SetupStatusAnswer);
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
        const user = await deps.users.setupOwner({ email, password, ...(name ? { name } : {}) }, deps.clientIp(req));
        res.status(201).json({ user } satisfies UserAnswer);
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
        await deps.users.requestReset(email, deps.clientIp(req));
        res.status(202).json({ message: 'if this email belongs to an account, a link to set a new password is on its way (valid one hour)' } satisfies ResetRequestAnswer);
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
        await deps.users.resetWithLink(token, password, deps.clientIp(req));
        res.status(204).end();
      },
    },
  ];
}
