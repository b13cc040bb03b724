/**
 * Checks the `hmac` Shopify adds to the query of OAuth redirects (shopify.dev "Verify a request
 * with HMAC"): hex HMAC-SHA256 with the app's secret over the other parameters, sorted by name,
 * as `name=value` joined by `&`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The signature Shopify computes for `query` (without its `hmac`). */
export function signQuery(query: Record<string, string>, secret: string): string {
  const message = Object.keys(query)
    .filter((name) => name !== 'hmac' && name !== 'signature')
    .sort()
    .map((name) => `${name}=${query[name]}`)
    .join('&');
  return createHmac('sha256', secret).update(message).digest('hex');
}

/** Constant-time check of `query.hmac`. */
export function verifyQueryHmac(query: Record<string, string>, secret: string): boolean {
  const given = Buffer.from(query.hmac ?? '', 'utf8');
  const expected = Buffer.from(signQuery(query, secret), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
