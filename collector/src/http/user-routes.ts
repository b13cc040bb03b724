/**
 * Users over HTTP (docs/api/users.md), for the owner and admins: list, invite or create, change
 * (name, role, the sites and sections a client is granted) and remove. The owner manages admins
 * and clients; admins manage clients. Nobody changes the owner's role or removes the owner.
 * An invited user gets an email with a one-time link to set a password (valid one hour); without
 * SMTP configured, the link is returned to whoever invited, to pass on.
 */
import type { IncomingMessage } from 'node:http';
import type { Response } from 'express';
import type { AuditLog } from '../accounts/audit.ts';
import type { Logins } from '../accounts/logins.ts';
import { passwordEmail, passwordLink } from '../accounts/password-links.ts';
import { addUser, publicUser, type NewUserInput } from '../accounts/users.ts';
import { NoMailer, type Mailer } from '../mail/mailer.ts';
import type { SiteDirectory } from '../sites/site-directory.ts';
import { SECTIONS, type Section, type Store, type User } from '../store/store.ts';
import { CairnError } from '../errors.ts';
import type { Route } from './routes.ts';

const ADMINS = ['owner', 'admin'] as const;

export interface UserRouteDeps {
  store: Store;
  sites: SiteDirectory;
  logins: Logins;
  audit: AuditLog;
  /** A NoMailer when no SMTP server is configured. */
  mailer: Mailer;
  secret: Buffer;
  publicUrl: () => string;
  now: () => number;
  clientIp: (req: IncomingMessage) => string;
}

/** Checks grants: live sites, known sections, each site once. Throws 400. */
export function checkGrants(raw: unknown, sites: SiteDirectory): User['grants'] {
  if (!Array.isArray(raw) || raw.length > 1000) throw new CairnError(400, 'invalid_user', 'grants: a list of {"site": "<id>", "sections": [...]}', { field: 'grants' });
  const seen = new Set<string>();
  return raw.map((g: unknown, i) => {
    const { site, sections } = (g ?? {}) as { site?: unknown; sections?: unknown };
    if (typeof site !== 'string' || !sites.get(site)) throw new CairnError(400, 'invalid_user', `grants[${i}].site: no site "${String(site)}"`, { field: `grants.${i}.site` });
    if (seen.has(site)) throw new CairnError(400, 'invalid_user', `grants[${i}].site: "${site}" is granted twice`, { field: `grants.${i}.site` });
    seen.add(site);
    if (!Array.isArray(sections) || sections.length === 0 || !sections.every((s) => (SECTIONS as readonly unknown[]).includes(s))) {
      throw new CairnError(400, 'invalid_user', `grants[${i}].sections: some of ${SECTIONS.join(', ')}`, { field: `grants.${i}.sections` });
    }
    return { site, sections: [...new Set(sections as Section[])] };
  });
}

export function userRoutes(deps: UserRouteDeps): Route[] {
  const actor = (res: Response) => {
    const p = res.locals.principal;
    if (p.kind !== 'user') throw new CairnError(401, 'unauthenticated', 'log in first');
    return p.user;
  };
  /** The user `:user` names, when the actor may manage it (the owner: anyone but itself for role changes; admins: clients). */
  const target = async (res: Response, id: string): Promise<User> => {
    const me = actor(res);
    const user = await deps.store.users.get(id);
    if (!user) throw new CairnError(404, 'not_found', `no user "${id}"`);
    if (me.role === 'admin' && user.role !== 'client' && user.id !== me.id) throw new CairnError(403, 'forbidden', 'admins manage clients; ask the owner');
    return user;
  };
  /** Emails an invitation, or returns its link when no mail can be sent. */
  const invite = async (user: User, inviter: User) => {
    const token = passwordLink(deps.secret, user, 'invite', deps.now());
    const url = `${deps.publicUrl().replace(/\/+$/, '')}/reset#token=${token}`;
    if (deps.mailer instanceof NoMailer) return { emailed: false, url, problem: 'no SMTP server is configured (CAIRN_SMTP_URL): pass this link on yourself' };
    try {
      await deps.mailer.send({ to: user.email, ...passwordEmail('invite', user, url, inviter.name) });
      return { emailed: true };
    } catch (err) {
      // The user exists either way; whoever invited can pass the link on.
      return { emailed: false, url, problem: (err as Error).message };
    }
  };
  return [
    {
      method: 'get',
      path: '/api/users',
      summary: 'every user (never a password hash)',
      access: { kind: 'session', roles: ADMINS },
      handler: async (_req, res) => {
        res.json({ users: (await deps.store.users.list()).map(publicUser) });
      },
    },
    {
      method: 'post',
      path: '/api/users',
      summary: 'invite a user (or create one with a password)',
      access: { kind: 'session', roles: ADMINS },
      body: '16kb',
      handler: async (req, res) => {
        const me = actor(res);
        const body = (req.body ?? {}) as Partial<NewUserInput> & { grants?: unknown };
        if (body.role !== 'admin' && body.role !== 'client') throw new CairnError(400, 'invalid_user', 'role: admin or client', { field: 'role' });
        if (body.role === 'admin' && me.role !== 'owner') throw new CairnError(403, 'forbidden', 'only the owner adds admins');
        if (typeof body.email !== 'string') throw new CairnError(400, 'invalid_user', 'email is required', { field: 'email' });
        if (body.name !== undefined && typeof body.name !== 'string') throw new CairnError(400, 'invalid_user', 'name: text', { field: 'name' });
        if (body.password !== undefined && typeof body.password !== 'string') throw new CairnError(400, 'invalid_user', 'password: text', { field: 'password' });
        const grants = body.role === 'client' ? checkGrants(body.grants ?? [], deps.sites) : [];
        const user = await addUser(deps.store, { email: body.email, name: body.name, role: body.role, password: body.password }, deps.now());
        if (grants.length > 0) await deps.store.users.update(user.id, { grants });
        await deps.audit.record({ actor: me.id, action: 'user.create', target: user.id, ip: deps.clientIp(req), details: { role: user.role, sites: grants.length } });
        const invitation = user.passwordHash ? null : await invite(user, me);
        res.status(201).json({ user: publicUser({ ...user, grants }), invitation });
      },
    },
    {
      method: 'patch',
      path: '/api/users/:user',
      summary: 'change a user\'s name, role or grants',
      access: { kind: 'session', roles: ADMINS },
      body: '16kb',
      handler: async (req, res) => {
        const me = actor(res);
        const user = await target(res, String(req.params.user));
        const body = (req.body ?? {}) as Record<string, unknown>;
        const unknown = Object.keys(body).find((k) => !['name', 'role', 'grants'].includes(k));
        if (unknown) throw new CairnError(400, 'invalid_user', `${unknown}: cannot be changed (name, role, grants)`, { field: unknown });
        const changes: { name?: string; role?: User['role']; grants?: User['grants'] } = {};
        if (body.name !== undefined) {
          if (typeof body.name !== 'string' || body.name.trim() === '' || body.name.length > 100) throw new CairnError(400, 'invalid_user', 'a name has 1 to 100 characters', { field: 'name' });
          changes.name = body.name.trim();
        }
        if (body.role !== undefined && body.role !== user.role) {
          if (body.role !== 'admin' && body.role !== 'client') throw new CairnError(400, 'invalid_user', 'role: admin or client', { field: 'role' });
          if (user.role === 'owner' || me.role !== 'owner') throw new CairnError(403, 'forbidden', 'only the owner changes roles, and never its own');
          changes.role = body.role;
        }
        const role = changes.role ?? user.role;
        if (body.grants !== undefined) {
          if (role !== 'client') throw new CairnError(400, 'invalid_user', 'grants: only clients have grants (the owner and admins see every site)', { field: 'grants' });
          changes.grants = checkGrants(body.grants, deps.sites);
        } else if (changes.role === 'admin') changes.grants = [];
        await deps.store.users.update(user.id, changes);
        await deps.audit.record({
          actor: me.id,
          action: 'user.update',
          target: user.id,
          ip: deps.clientIp(req),
          details: { name: changes.name ?? null, role: changes.role ?? null, sites: changes.grants ? changes.grants.map((g) => `${g.site}:${g.sections.join('+')}`).join(',') : null },
        });
        res.json({ user: publicUser((await deps.store.users.get(user.id))!) });
      },
    },
    {
      method: 'delete',
      path: '/api/users/:user',
      summary: 'remove a user (ends its sessions)',
      access: { kind: 'session', roles: ADMINS },
      handler: async (req, res) => {
        const me = actor(res);
        const user = await target(res, String(req.params.user));
        if (user.role === 'owner') throw new CairnError(403, 'forbidden', 'the owner cannot be removed');
        if (user.id === me.id) throw new CairnError(403, 'forbidden', 'you cannot remove yourself; ask the owner');
        await deps.store.users.remove(user.id);
        const ended = await deps.logins.endAll(user.id);
        await deps.audit.record({ actor: me.id, action: 'user.remove', target: user.id, ip: deps.clientIp(req), details: { email: user.email, sessionsEnded: ended } });
        res.status(204).end();
      },
    },
    {
      method: 'post',
      path: '/api/users/:user/invitation',
      summary: 'send a new invitation to a user who has not set a password yet',
      access: { kind: 'session', roles: ADMINS },
      handler: async (req, res) => {
        const me = actor(res);
        const user = await target(res, String(req.params.user));
        if (user.passwordHash) throw new CairnError(409, 'has_password', 'this user has set a password already (they can reset it from the login page)');
        const invitation = await invite(user, me);
        await deps.audit.record({ actor: me.id, action: 'user.invite', target: user.id, ip: deps.clientIp(req), details: { emailed: invitation.emailed } });
        res.status(201).json({ invitation });
      },
    },
  ];
}
