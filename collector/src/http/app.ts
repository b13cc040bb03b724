/** The Express app: every route except the ingest hot path (see http/server.ts). */
import express, { type ErrorRequestHandler, type Express } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import type { Store } from '../store/store.ts';
import { CairnError, errorResponse } from '../errors.ts';
import type { SiteDirectory } from '../sites/site-directory.ts';
import type { StatsService } from '../stats/stats-service.ts';
import { auditRoutes } from './audit-routes.ts';
import { healthReport, healthRoutes, healthStatusCode, publicHealth } from './health.ts';
import type { IngestCounts } from '../ingest/ingest-handler.ts';
import type { LiveCheck } from '../ingest/live-check.ts';
import { authRoutes, type AuthDeps } from './auth-routes.ts';
import type { Authorizer } from './authorize.ts';
import { mountRoutes, type Route } from './routes.ts';
import { siteRoutes } from './site-routes.ts';
import { statsRoutes } from './stats-routes.ts';
import type { DashboardApp } from './dashboard-app.ts';
import type { TrackerAssets } from './tracker-assets.ts';
import { trackerRoutes } from './tracker-routes.ts';
import type { TrackerVersions } from './tracker-versions.ts';
import { userRoutes } from './user-routes.ts';
import { integrationRoutes } from './integration-routes.ts';
import type { IntegrationKeys } from '../sites/integration-keys.ts';
import type { SiteAdmin } from '../sites/site-admin.ts';
import type { UserAdmin } from '../accounts/user-admin.ts';

export interface AppDeps {
  store: Store;
  auth: Omit<AuthDeps, 'users'>;
  authz: Authorizer;
  admin: SiteAdmin;
  users: UserAdmin;
  integrations: IntegrationKeys;
  /** The installation's token secret (view tokens, password links). */
  secret: Buffer;
  log: Logger;
  version: string;
  tracker: TrackerAssets;
  /** The tracker at versioned URLs (`/t/<version>/t.js`), and `GET /api/tracker`. */
  trackerVersions: TrackerVersions;
  /** Where browsers reach this collector (known once it listens, with port 0). */
  publicUrl: () => string;
  widgets: TrackerAssets;
  /** The dashboard app's page and files (http/dashboard-app.ts). */
  dashboard: DashboardApp;
  sites: SiteDirectory;
  stats: StatsService;
  /** What the ingest path counts (health report). */
  ingest: IngestCounts;
  /** The live installation check the ingest path feeds (site settings). */
  live: LiveCheck;
}

/** Every API route, in one table (http/routes.ts). */
export function apiRoutes(deps: AppDeps): Route[] {
  const { store, sites, auth, authz, secret } = deps;
  return [
    ...authRoutes({ users: deps.users, ...auth }),
    ...auditRoutes({ store }),
    ...siteRoutes({ admin: deps.admin, sites, store, authz, secret, live: deps.live, now: auth.now, clientIp: auth.clientIp }),
    ...userRoutes({ users: deps.users, clientIp: auth.clientIp }),
    ...integrationRoutes({ integrations: deps.integrations, clientIp: auth.clientIp }),
    ...statsRoutes({ stats: deps.stats, audit: auth.audit, clientIp: auth.clientIp }),
    ...healthRoutes({ store, version: deps.version, ingest: deps.ingest }),
    ...trackerRoutes({ versions: deps.trackerVersions, publicUrl: deps.publicUrl }),
  ];
}

/** The app, and its API route table (for the authorisation matrix test and the docs). */
export function createApp(deps: AppDeps): { app: Express; routes: Route[] } {
  const app = express();
  const routes = apiRoutes(deps);
  app.disable('x-powered-by');
  app.disable('etag');
  // The tracker first: any site loads it (its own CORS and cache headers, no page policy).
  app.use(deps.tracker.handler);
  app.use(deps.trackerVersions.handler);
  app.use(deps.widgets.handler);
  app.use(securityHeaders());
  app.use(deps.dashboard.handler);

  // Public: the status and a word (http/health.ts); details for the owner at /api/health.
  app.get('/healthz', async (_req, res) => {
    const report = await healthReport({ store: deps.store, version: deps.version, ingest: deps.ingest });
    res.status(healthStatusCode(report)).set('cache-control', 'no-store').json(publicHealth(report));
  });

  // Widgets in CMS admins read stats from other origins, with a view token in a header (no cookies).
  app.use('/api/stats', (req, res, next) => {
    res.set({ 'access-control-allow-origin': '*', 'access-control-allow-headers': 'Authorization, Content-Type', 'access-control-max-age': '86400' });
    if (req.method === 'OPTIONS') return void res.status(204).end();
    next();
  });
  mountRoutes(app, routes, deps.authz);

  app.use((req, _res, next) => next(new CairnError(404, 'not_found', `no route for ${req.method} ${req.path}`)));
  app.use(errorHandler(deps.log));
  return { app, routes };
}

/**
 * Security headers on everything but the tracker: a strict Content-Security-Policy for the
 * dashboard's pages (scripts from the collector only, never inline; no framing), no MIME
 * sniffing, no referrer beyond the origin, no framing, HSTS for this host (browsers ignore it
 * over http). The stats API is read from other origins (widgets in CMS admins,
 * with CORS and a token), so its resources may be embedded cross-origin.
 */
export function securityHeaders() {
  const headers = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // Charts set style attributes; scripts stay strict.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    // For this host only: Cairn may live on a subdomain of a site that still serves http elsewhere.
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: false },
    xFrameOptions: { action: 'deny' },
  });
  return (req: express.Request, res: express.Response, next: express.NextFunction) =>
    headers(req, res, () => {
      if (req.path.startsWith('/api/stats/')) res.set('cross-origin-resource-policy', 'cross-origin');
      next();
    });
}

/** The one error handler of the Express apps: the answer from errorResponse, 5xx logged with method and path. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const { status, headers, body } = errorResponse(err);
    // A CairnError is a condition the code expects (no SMTP server, a full disk): a warning in its own words, no stack.
    if (status >= 500 && err instanceof CairnError) log.warn({ method: req.method, path: req.path, code: err.code }, err.message);
    else if (status >= 500) log.error({ method: req.method, path: req.path, err }, 'request failed');
    if (res.headersSent) return;
    res.status(status).set(headers).json(body);
  };
}
