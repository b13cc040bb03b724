/**
 * Integration keys over HTTP (docs/api/integrations.md), for the owner and admins: list them, make
 * one (its secret answered once), revoke one. What a key may do once made is authorize.ts's.
 */
import type { IncomingMessage } from 'node:http';
import type { Response } from 'express';
import { CairnError } from '../errors.ts';
import type { IntegrationKeysAnswer, NewIntegrationKeyAnswer } from '../protocol/index.ts';
import type { IntegrationKeys } from '../sites/integration-keys.ts';
import type { Actor } from '../sites/site-admin.ts';
import { actorOf } from './authorize.ts';
import type { Route } from './routes.ts';

const ADMINS = ['owner', 'admin'] as const;

export function integrationRoutes(deps: { integrations: IntegrationKeys; clientIp: (req: IncomingMessage) => string }): Route[] {
  const by = (req: IncomingMessage, res: Response): Actor => ({ actor: actorOf(res.locals.principal), ip: deps.clientIp(req) });
  return [
    {
      method: 'get',
      path: '/api/integrations',
      summary: 'the integration keys (last 4 characters only), revoked ones included',
      access: { kind: 'session', roles: ADMINS },
      handler: async (_req, res) => {
        res.json({ keys: await deps.integrations.list() } satisfies IntegrationKeysAnswer);
      },
    },
    {
      method: 'post',
      path: '/api/integrations',
      summary: 'make an integration key for an app server (its secret is answered once)',
      access: { kind: 'session', roles: ADMINS },
      body: '1kb',
      handler: async (req, res) => {
        const { name } = (req.body ?? {}) as { name?: unknown };
        if (typeof name !== 'string') throw new CairnError(400, 'invalid_key', 'name is required ("Shopify app")', { field: 'name' });
        res.status(201).json((await deps.integrations.create(name, by(req, res))) satisfies NewIntegrationKeyAnswer);
      },
    },
    {
      method: 'delete',
      path: '/api/integrations/:key',
      summary: 'revoke an integration key: it and its view tokens stop working at once (its sites stay)',
      access: { kind: 'session', roles: ADMINS },
      handler: async (req, res) => {
        await deps.integrations.revoke(String(req.params.key), by(req, res));
        res.status(204).end();
      },
    },
  ];
}
