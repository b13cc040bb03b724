/**
 * Checks the session token (a JWT from App Bridge) of every embedded request: HS256 with the app's
 * secret, `aud` the API key, `exp`/`nbf` with the library's small clock tolerance, `dest` (and
 * `iss`) a shop that has the app installed.
 */
import '@shopify/shopify-api/adapters/node';
import { ApiVersion, LogSeverity, shopifyApi } from '@shopify/shopify-api';
import type { RequestHandler } from 'express';
import type { ShopifyAppConfig } from './config.ts';
import { HttpError } from './http-error.ts';
import { isShopHostname } from './shop-hostname.ts';
import type { ShopRecord, ShopStore } from './shop-store.ts';

declare module 'express-serve-static-core' {
  interface Request {
    /** The installed shop the session token was issued for. */
    shopRecord?: ShopRecord;
  }
}

/** Middleware: 401 without a valid token, 403 for a shop that has not installed the app. */
export function sessionTokens(config: ShopifyAppConfig, shops: ShopStore): RequestHandler {
  const shopify = shopifyApi({
    apiKey: config.apiKey,
    apiSecretKey: config.apiSecret,
    hostName: new URL(config.appUrl).host,
    apiVersion: ApiVersion.October25,
    isEmbeddedApp: true,
    scopes: config.scopes,
    logger: { level: LogSeverity.Error, log: async () => {} },
  });
  return async (req, _res, next) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token) throw new HttpError(401, 'no_session_token', 'Send the session token as Authorization: Bearer <token>.');
    let claims: { dest: string; iss: string };
    try {
      claims = await shopify.session.decodeSessionToken(token);
    } catch (err) {
      throw new HttpError(401, 'bad_session_token', `The session token was refused: ${(err as Error).message}`);
    }
    const shop = safeHost(claims.dest);
    // shopify.dev: `iss` is the shop's admin URL, and its host must be the same shop as `dest`'s.
    if (!isShopHostname(shop) || safeHost(claims.iss) !== shop) throw new HttpError(401, 'bad_session_token', 'The session token is not for a shop.');
    const record = await shops.get(shop);
    if (!record?.token) throw new HttpError(403, 'not_installed', 'The app is not installed on this shop: install it again.');
    req.shopRecord = record;
    next();
  };
}

function safeHost(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}
