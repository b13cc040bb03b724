/**
 * The app server: webhooks (raw body) → OAuth → the admin's site list and its install routes →
 * the Designer Extension's routes → error handler. What the routes share is built once by
 * `appDeps` (deps.ts), re-exported here with `installCairn`/`uninstallCairn`.
 */
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { adminRoutes } from './admin-routes.ts';
import { designerRoutes } from './designer-routes.ts';
import type { WebflowAppConfig } from './config.ts';
import { errorHandler } from './http-error.ts';
import { oauthRoutes } from './oauth.ts';
import { refreshSites } from './refresh.ts';
import { webhookRoutes } from './webhooks.ts';
import { appDeps, type AppOptions } from './deps.ts';

export { appDeps, type AppDeps, type AppOptions } from './deps.ts';
export { installCairn, uninstallCairn } from './install.ts';

/** How often installed sites are brought to the collector's current tracker (also once at start). */
const REFRESH_EVERY_MS = 6 * 60 * 60 * 1000;

/** The Express app for `config`. */
export function createApp(config: WebflowAppConfig, opts: AppOptions = {}): express.Express {
  const deps = appDeps(config, opts);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');

  // Webhooks first: their signature covers the raw body, before any JSON parser.
  app.use(webhookRoutes(deps));
  app.use(oauthRoutes(deps));
  app.use(adminRoutes(deps));
  // --- Designer Extension routes (plugins/webflow/src/designer-routes.ts) mount here ---
  app.use(designerRoutes(deps));
  // --- end of Designer Extension routes ---
  app.use(errorHandler(deps.log));
  return app;
}

/** Starts the app on `config.port`; resolves once it listens. */
export async function startApp(config: WebflowAppConfig, opts: AppOptions & { host?: string; refreshEveryMs?: number } = {}): Promise<{ url: string; close(): Promise<void> }> {
  const app = createApp(config, opts);
  const every = opts.refreshEveryMs ?? REFRESH_EVERY_MS;
  const refresh = () => void refreshSites(appDeps(config, opts)).catch(() => undefined);
  const timer = every > 0 ? setInterval(refresh, every).unref() : undefined;
  if (timer) refresh();
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.port, opts.host ?? '0.0.0.0', (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    close: () => {
      clearInterval(timer);
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
