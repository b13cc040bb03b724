/** The Express app: every route except the ingest hot path (see http/server.ts). */
import express, { type ErrorRequestHandler, type Express } from 'express';
import type { Logger } from 'pino';
import type { Store } from '../store/store.ts';
import { HttpError } from './http-error.ts';
import type { SiteDirectory } from '../sites/site-directory.ts';
import type { StatsService } from '../stats/stats-service.ts';
import { auditRoutes } from './audit-routes.ts';
import { authRoutes, type AuthDeps } from './auth-routes.ts';
import { statsRoutes } from './stats-routes.ts';
import type { TrackerAssets } from './tracker-assets.ts';

export interface AppDeps {
  store: Store;
  auth: Omit<AuthDeps, 'store'>;
  log: Logger;
  version: string;
  tracker: TrackerAssets;
  sites: SiteDirectory;
  stats: StatsService;
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use(deps.tracker.handler);

  app.get('/healthz', async (_req, res) => {
    try {
      const h = await deps.store.health();
      res.status(h.ok ? 200 : 503).json({ status: h.ok ? 'ok' : 'degraded', version: deps.version, store: { kind: deps.store.kind, ...h } });
    } catch (err) {
      res.status(503).json({ status: 'unavailable', version: deps.version, store: { kind: deps.store.kind, ok: false, detail: (err as Error).message } });
    }
  });

  app.use('/api/auth', authRoutes({ store: deps.store, ...deps.auth }));
  app.use('/api/audit', auditRoutes({ store: deps.store, logins: deps.auth.logins }));
  app.use('/api/stats', statsRoutes({ sites: deps.sites, stats: deps.stats, audit: deps.auth.audit, clientIp: deps.auth.clientIp }));

  app.use((req, _res, next) => next(new HttpError(404, 'not_found', `no route for ${req.method} ${req.path}`)));
  app.use(errorHandler(deps.log));
  return app;
}

/** The one error handler: JSON errors, messages hidden on 5xx, logged with method and path only. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const status = err instanceof HttpError ? err.status : typeof (err as { status?: unknown })?.status === 'number' ? (err as { status: number }).status : 500;
    if (status >= 500) log.error({ method: req.method, path: req.path, err }, 'request failed');
    if (res.headersSent) return;
    if (err instanceof HttpError) {
      res.status(err.status).set(err.headers).json(err.toJSON());
    } else if (status < 500) {
      // Errors raised by Express's own body parsers (size, syntax) carry a 4xx status.
      res.status(status).json({ error: { code: 'bad_request', message: (err as Error).message } });
    } else {
      res.status(500).json({ error: { code: 'internal', message: 'internal error' } });
    }
  };
}
