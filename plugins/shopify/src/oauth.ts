/** The install flow: shopify.dev "Authorization code grant", `GET /auth` and `GET /auth/callback`. */
import { Router, type Request } from 'express';
import type { CairnClient } from './cairn-client.ts';
import type { ShopifyAppConfig } from './config.ts';
import { HttpError } from './http-error.ts';
import type { Log } from './log.ts';
import { checkState, newState, readCookie, STATE_COOKIE } from './oauth-state.ts';
import { verifyQueryHmac } from './query-hmac.ts';
import { isShopHostname } from './shop-hostname.ts';
import { ensureProxyKey, ensureRevenueGoals } from './shop-setup.ts';
import type { ShopStore } from './shop-store.ts';
import { exchangeCode, fetchShop, setEmbedMetafields } from './shopify-admin.ts';
import { connectWebPixel } from './web-pixel.ts';

/** How old the callback's `timestamp` may be: long enough for a slow redirect, short enough to refuse an old link. */
const CALLBACK_MAX_AGE_S = 5 * 60;

export function oauthRoutes(deps: { config: ShopifyAppConfig; shops: ShopStore; cairn: CairnClient; log: Log; now: () => number }): Router {
  const { config, shops, cairn, log } = deps;
  const router = Router();
  /** States already used, until they would be stale anyway: a replayed callback is refused before Shopify is asked. */
  const usedStates = new Map<string, number>();

  router.get('/auth', (req, res) => {
    const shop = req.query.shop;
    if (!isShopHostname(shop)) throw new HttpError(400, 'bad_shop', 'shop must be the shop’s myshopify.com hostname, e.g. my-shop.myshopify.com');
    const { state, cookie } = newState(config.apiSecret, shop);
    res.cookie(STATE_COOKIE, cookie, { httpOnly: true, secure: true, sameSite: 'lax', path: '/auth/callback', maxAge: CALLBACK_MAX_AGE_S * 1000 });
    const authorize = new URL(`https://${shop}/admin/oauth/authorize`);
    authorize.search = new URLSearchParams({ client_id: config.apiKey, scope: config.scopes.join(','), redirect_uri: `${config.appUrl}/auth/callback`, state }).toString();
    res.redirect(302, authorize.toString());
  });

  router.get('/auth/callback', async (req, res) => {
    const query = flatQuery(req);
    // Every check before any call to Shopify: a forged callback costs nothing.
    if (!verifyQueryHmac(query, config.apiSecret)) throw new HttpError(401, 'bad_hmac', 'The request’s HMAC does not match: it was not sent by Shopify.');
    const shop = query.shop;
    if (!isShopHostname(shop)) throw new HttpError(400, 'bad_shop', 'shop must be the shop’s myshopify.com hostname.');
    const age = deps.now() / 1000 - Number(query.timestamp);
    if (!Number.isFinite(age) || Math.abs(age) > CALLBACK_MAX_AGE_S) throw new HttpError(401, 'stale_request', 'The request is too old (or from the future): start the install again.');
    if (!checkState(config.apiSecret, readCookie(req.headers.cookie, STATE_COOKIE), query.state, shop)) {
      throw new HttpError(403, 'bad_state', 'The install was not started from this browser (state does not match): start it again.');
    }
    if (!query.code) throw new HttpError(400, 'no_code', 'The request has no authorization code.');
    for (const [used, at] of usedStates) if (deps.now() - at > CALLBACK_MAX_AGE_S * 1000) usedStates.delete(used);
    if (usedStates.has(query.state!)) throw new HttpError(403, 'state_used', 'This install link was already used: start the install again.');
    usedStates.set(query.state!, deps.now());
    res.clearCookie(STATE_COOKIE, { path: '/auth/callback' });

    const origin = config.shopOrigin(shop);
    const { accessToken, scope } = await exchangeCode(origin, { apiKey: config.apiKey, apiSecret: config.apiSecret, code: query.code });
    const previous = await shops.get(shop);
    await shops.put({ ...previous, shop, token: shops.sealToken(shop, accessToken), scope, installedAt: new Date(deps.now()).toISOString(), uninstalledAt: undefined });

    // A reinstall keeps the shop's history: reuse its site while the collector still has it.
    let siteId = previous?.siteId && (await cairn.getSite(previous.siteId)) ? previous.siteId : undefined;
    if (!siteId) {
      const info = await fetchShop(origin, accessToken);
      const primary = info.primaryDomain?.host || info.myshopifyDomain || shop;
      const site = await cairn.createSite({ domain: primary, name: info.name || shop, ...(info.ianaTimezone ? { timezone: info.ianaTimezone } : {}) });
      // The storefront answers on its myshopify.com address too (checkout may as well): both count.
      const myshopify = info.myshopifyDomain || shop;
      if (myshopify !== primary) await cairn.setDomains(site.id, [primary, myshopify]);
      siteId = site.id;
      await shops.put({ ...(await shops.get(shop))!, siteId });
    }
    // What the theme app embed puts in the tracker tag (again on a reinstall: the collector may have moved).
    await setEmbedMetafields(origin, accessToken, { siteId, collectorUrl: config.collector });
    // The App Proxy's site key (a new one when the stored one is missing or was revoked) and the
    // funnel's revenue goals: both made once, so a reinstall makes nothing new.
    const withKey = await ensureProxyKey(cairn, shops, (await shops.get(shop))!);
    const goalsMade = await ensureRevenueGoals(cairn, siteId);
    // The web pixel (checkout events) with the same site and collector; updated on a reinstall.
    const pixel = await connectWebPixel(origin, accessToken, { siteId, collectorUrl: config.collector });
    log('info', 'shop installed', { shop, site: siteId, reused: siteId === previous?.siteId, newProxyKey: withKey.proxyKey?.id !== previous?.proxyKey?.id, goalsMade, webPixel: pixel.action });
    res.redirect(302, `https://${shop}/admin/apps/${encodeURIComponent(config.apiKey)}`);
  });

  return router;
}

/** The query as single strings: a repeated parameter is not something Shopify sends. */
function flatQuery(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(req.url.split('?')[1] ?? '')) out[name] = value;
  return out;
}
