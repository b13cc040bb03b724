/**
 * The `signature` Shopify adds to every request it forwards through the app proxy (shopify.dev
 * "Authenticate app proxies", https://shopify.dev/docs/apps/build/online-store/app-proxies/authenticate-app-proxies):
 * hex HMAC-SHA256, keyed with the app's secret, of the query's other parameters, each written
 * `name=value` (a repeated parameter once, its values joined by `,`: `extra=1,2`), those strings
 * sorted and concatenated with no separator (unlike the OAuth `hmac`, which joins with `&`).
 *
 * What it does not cover: the path, the method, the body and the headers (X-Forwarded-For among
 * them). It binds the shop and a timestamp, nothing else; see docs (App Proxy) for what that means.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How far the signed `timestamp` may be from now, either way. Shopify signs when it forwards, so
 * a genuine request is seconds old; 90 s is the tolerance Shopify's own library
 * (`@shopify/shopify-api`) allows for clock skew, and keeps a captured signed query short-lived.
 */
export const PROXY_MAX_AGE_S = 90;

/** Parameters Shopify sends once: a second copy is someone else's doing, refused before anything reads them. */
const SINGLE = ['shop', 'path_prefix', 'timestamp', 'signature', 'logged_in_customer_id'];

/** The signature Shopify computes for the query string `search` (its `signature`, if any, left out). */
export function proxySignature(search: string, secret: string): string {
  const values = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(search)) {
    if (name === 'signature') continue;
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  const message = [...values].map(([name, list]) => `${name}=${list.join(',')}`).sort().join('');
  return createHmac('sha256', secret).update(message).digest('hex');
}

export type ProxyCheck =
  | { ok: true; shop: string; pathPrefix: string; timestamp: number }
  | { ok: false; reason: 'no_signature' | 'bad_signature' | 'repeated_param' | 'stale_request' };

/** Checks a proxied request's query string (`?` optional): the signature (constant time), then the timestamp. */
export function checkProxyQuery(search: string, secret: string, nowMs: number): ProxyCheck {
  const params = new URLSearchParams(search);
  if (SINGLE.some((name) => params.getAll(name).length > 1)) return { ok: false, reason: 'repeated_param' };
  const given = params.get('signature');
  if (!given) return { ok: false, reason: 'no_signature' };
  const expected = Buffer.from(proxySignature(search, secret), 'utf8');
  const received = Buffer.from(given.toLowerCase(), 'utf8');
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) return { ok: false, reason: 'bad_signature' };
  const timestamp = Number(params.get('timestamp'));
  if (!Number.isInteger(timestamp) || Math.abs(nowMs / 1000 - timestamp) > PROXY_MAX_AGE_S) return { ok: false, reason: 'stale_request' };
  return { ok: true, shop: params.get('shop') ?? '', pathPrefix: params.get('path_prefix') ?? '', timestamp };
}
