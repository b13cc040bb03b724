/**
 * `GET /`: the page Shopify admin loads in its iframe (shopify.dev "Embedded apps"): the query
 * Shopify signs (`shop`, `host`, `embedded=1`, `hmac`, `timestamp`…) checked like the OAuth
 * callback's, App Bridge's CDN script first, the API key in a meta tag, and a CSP that lets only the
 * shop's admin frame it. The page itself holds nothing secret: everything it shows comes from
 * `/api/*` with a session token. `/admin/*` serves its script and style (plugins/shopify/admin/).
 */
import express, { Router, type Request } from 'express';
import { fileURLToPath } from 'node:url';
import type { ShopifyAppConfig } from './config.ts';
import { HttpError } from './http-error.ts';
import { verifyQueryHmac } from './query-hmac.ts';
import { isShopHostname } from './shop-hostname.ts';
import type { ShopStore } from './shop-store.ts';

export const APP_BRIDGE_URL = 'https://cdn.shopify.com/shopifycloud/app-bridge.js';
const ASSETS = fileURLToPath(new URL('../admin/', import.meta.url));

export function adminPageRoutes(deps: { config: ShopifyAppConfig; shops: ShopStore }): Router {
  const { config, shops } = deps;
  const router = Router();
  router.use('/admin', express.static(ASSETS, { index: false, maxAge: '5m' }));

  router.get('/', async (req, res) => {
    const query = flatQuery(req);
    if (!query.hmac && !query.shop) {
      res.type('text/plain').send('Cairn for Shopify is running. Open the app from your Shopify admin.');
      return;
    }
    if (!isShopHostname(query.shop)) throw new HttpError(400, 'bad_shop', 'shop must be the shop’s myshopify.com hostname.');
    if (!verifyQueryHmac(query, config.apiSecret)) throw new HttpError(401, 'bad_hmac', 'The request’s HMAC does not match: it was not sent by Shopify.');
    const shop = query.shop;
    // Only this shop's admin may frame the page (shopify.dev "Set up iframe protection").
    res.set('content-security-policy', `frame-ancestors https://${shop} https://admin.shopify.com;`);
    res.set('cache-control', 'no-store');
    const record = await shops.get(shop);
    const install = `${config.appUrl}/auth?shop=${encodeURIComponent(shop)}`;
    if (!record?.token) {
      // Outside the admin, a plain redirect; inside its iframe, Shopify's OAuth page refuses to be
      // framed, so the page sends the top window there.
      if (query.embedded !== '1') return void res.redirect(302, install);
      return void res.type('html').send(page(config.apiKey, shop, { installUrl: install }));
    }
    res.type('html').send(page(config.apiKey, shop, {}));
  });
  return router;
}

/** The page: App Bridge first (Shopify requires it as the first script), then ours. */
function page(apiKey: string, shop: string, opts: { installUrl?: string }): string {
  const install = opts.installUrl ? ` data-install-url="${escape(opts.installUrl)}"` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="shopify-api-key" content="${escape(apiKey)}">
<script src="${APP_BRIDGE_URL}"></script>
<title>Cairn analytics</title>
<link rel="stylesheet" href="/admin/admin.css">
<script type="module" src="/admin/admin.js"></script>
</head>
<body data-shop="${escape(shop)}"${install}>
<main id="app" aria-busy="true">
<p class="state" role="status">Loading your shop’s analytics…</p>
</main>
</body>
</html>
`;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The query as single strings, in the order sent (the HMAC is over every parameter but itself). */
function flatQuery(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(req.url.split('?')[1] ?? '')) out[name] = value;
  return out;
}
