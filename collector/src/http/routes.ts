/**
 * The route table: every API route of the collector, with the access it requires (http/authorize.ts)
 * and the largest body it reads. Routes are mounted from this table only, flat on the app, so
 * that the authorisation matrix test (authorization.e2e.test.ts) can walk the table and the app
 * together: a route added anywhere else, or without an access rule, fails it.
 */
import express, { type Express, type Request, type Response } from 'express';
import type { Access, Authorizer } from './authorize.ts';

export interface Route {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** Express path, e.g. `/api/stats/:site/summary`. */
  path: string;
  access: Access;
  /** The largest JSON body the route reads (e.g. '4kb'); 1 KB (of nothing it uses) when it reads none. */
  body?: string;
  /** What it does, in a few words (the route list in docs/api, and the matrix test's report). */
  summary: string;
  handler: (req: Request, res: Response) => unknown;
}

export function mountRoutes(app: Express, routes: readonly Route[], authz: Authorizer): void {
  for (const r of routes) {
    // JSON is the only kind of body any route reads; others are never read into memory.
    const body = express.json({ limit: r.body ?? '1kb', strict: true });
    app[r.method](r.path, authz.guard(r.access), body, async (req, res) => {
      await r.handler(req, res);
    });
  }
}
