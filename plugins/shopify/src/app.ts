/** The app server: OAuth install, the embedded API behind session tokens, webhooks. */
import { embedDeepLink, embedEnabled } from './shopify-admin.ts';
import express, { Router } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cairnClient } from './cairn-client.ts';
import type { ShopifyAppConfig } from './config.ts';
import { errorHandler, HttpError } from './http-error.ts';
import { createLog, type Log } from './log.ts';
import { oauthRoutes } from './oauth.ts';
import { appProxyRoutes } from './app-proxy.ts';
import { adminPageRoutes } from './admin-page.ts';
import { extensionCors, productStatsRoute } from './product-stats.ts';
import { sessionTokens } from './session-token.ts';
import { fileShopStore } from './shop-store.ts';
import { webhookRoutes } from './webhooks.ts';

export interface AppOptions {
  log?: Log;
  now?: () => number;
}

/** The Express app for `config`. */
export function createApp(config: ShopifyAppConfig, opts: AppOptions = {}): express.Express {
  const log = opts.log ?? createLog();
  const now = opts.now ?? Date.now;
  const shops = fileShopStore(config.dataDir, config.encryptionKey);
  const cairn = cairnClient(config.collector, config.integrationKey);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');

  // Webhooks first: they need the raw body, before any JSON parser.
  app.use(webhookRoutes({ config, shops, cairn, log, now }));
  app.use(oauthRoutes({ config, shops, cairn, log, now }));
  // The App Proxy: Shopify-signed storefront requests (own 64 KB body limit), before the /api router.
  app.use(appProxyRoutes({ config, shops, cairn, log, now }));

  const api = Router();
  // Admin UI extensions' preflight carries no session token: answered before the check.
  api.use('/product-stats', extensionCors);
  api.use(sessionTokens(config, shops));
  api.get('/view-token', async (req, res) => {
    const record = req.shopRecord!;
    if (!record.siteId) throw new HttpError(409, 'no_site', 'The shop has no Cairn site yet: reinstall the app.');
    const minted = await cairn.viewToken(record.siteId);
    res.set('cache-control', 'no-store').json({ token: minted.token, expiresAt: minted.expiresAt, sections: minted.sections, siteId: record.siteId, collectorUrl: config.collector });
  });
  // Whether the tracker is on the storefront: the app embed turned on in the published theme.
  api.get('/embed', async (req, res) => {
    const record = req.shopRecord!;
    const token = shops.token(record);
    if (!token) throw new HttpError(403, 'not_installed', 'The app is not installed on this shop: install it again.');
    const enabled = await embedEnabled(config.shopOrigin(record.shop), token);
    res.set('cache-control', 'no-store').json({ enabled, enableUrl: embedDeepLink(record.shop, config.apiKey) });
  });
  api.get('/product-stats', productStatsRoute(config));
  app.use('/api', api);

  app.use(adminPageRoutes({ config, shops }));
  app.use(errorHandler(log));
  return app;
}

/** Starts the app on `config.port`; resolves once it listens. */
export async function startApp(config: ShopifyAppConfig, opts: AppOptions & { host?: string } = {}): Promise<{ url: string; close(): Promise<void> }> {
  const app = createApp(config, opts);
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.port, opts.host ?? '0.0.0.0', (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
