/**
 * Users over HTTP (docs/api/users.md), for the owner and admins: list, invite or create, change
 * (name, role, the sites and sections a client is granted) and remove. The rules (who manages
 * whom, invitations, what ends sessions, the audit) are UserAdmin's (accounts/user-admin.ts).
 */
import type { IncomingMessage } from 'node:http';
import type { Response } from 'express';
import type { UserAdmin } from '../accounts/user-admin.ts';
import type { NewUserInput } from '../accounts/users.ts';
import { CairnError } from '../errors.ts';
import type { InvitationAnswer, NewUserAnswer, UserAnswer, UsersAnswer } from '../protocol/index.ts';
import type { Route } from './routes.ts';

const ADMINS = ['owner', 'admin'] as const;

export interface UserRouteDeps {
  users: UserAdmin;
  clientIp: (req: IncomingMessage) => string;
}

export function userRoutes(deps: UserRouteDeps): Route[] {
  /** The logged-in user making the request, and its address, as UserAdmin wants them. */
  const by = (req: IncomingMessage, res: Response) => {
    const p = res.locals.principal;
    if (p.kind !== 'user') throw new CairnError(401, 'unauthenticated', 'log in first');
    return { user: p.user, ip: deps.clientIp(req) };
  };
  return [
    {
      method: 'get',
      path: '/api/users',
      summary: 'every user (never a password hash)',
      access: { kind: 'session', roles: ADMINS },
      handler: async (_req, res) => {
        res.json({ users: await deps.users.list() } satisfies UsersAnswer);
      },
    },
    {
      method: 'post',
      path: '/api/users',
      summary: 'invite a user (or create one with a password)',
      access: { kind: 'session', roles: ADMINS },
      body: '16kb',
      handler: async (req, res) => {
        const body = (req.body ?? {}) as NewUserInput & { grants?: unknown };
        res.status(201).json((await deps.users.create(body, by(req, res))) satisfies NewUserAnswer);
      },
    },
    {
      method: 'patch',
      path: '/api/users/:user',
      summary: 'change a user\'s name, role or grants',
      access: { kind: 'session', roles: ADMINS },
      body: '16kb',
      handler: async (req, res) => {
        res.json({ user: await deps.users.update(String(req.params.user), (req.body ?? {}) as Record<string, unknown>, by(req, res)) } satisfies UserAnswer);
      },
    },
    {
      method: 'delete',
      path: '/api/users/:user',
      summary: 'remove a user (ends its sessions)',
      access: { kind: 'session', roles: ADMINS },
      handler: async (req, res) => {
        await deps.users.remove(String(req.params.user), by(req, res));
        res.status(204).end();
      },
    },
    {
      method: 'post',
      path: '/api/users/:user/invitation',
      summary: 'send a new invitation to a user who has not set a password yet',
      access: { kind: 'session', roles: ADMINS },
      handler: async (req, res) => {
        res.status(201).json({ invitation: await deps.users.invite(String(req.params.user), by(req, res)) } satisfies InvitationAnswer);
      },
    },
  ];
}
