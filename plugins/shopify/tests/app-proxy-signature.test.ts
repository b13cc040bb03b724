/**
 * The app proxy `signature` (shopify.dev "Authenticate app proxies"): the message built as the
 * page describes it, a valid query accepted, and each way a query can be wrong refused with its
 * reason. Replays inside the window are accepted on purpose (see src/proxy-signature.ts and the
 * e2e): two visitors' requests in the same second carry the same signed query.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkProxyQuery, PROXY_MAX_AGE_S, proxySignature } from '../src/proxy-signature.ts';
import { API_SECRET, SHOP, signProxyQuery } from './fixture.ts';

const NOW = 1_765_000_000_000;
const at = (offsetS = 0) => String(NOW / 1000 + offsetS);
const shopParams = (timestamp = at()): [string, string][] => [
  ['shop', SHOP],
  ['logged_in_customer_id', ''],
  ['path_prefix', '/apps/cairn'],
  ['timestamp', timestamp],
];
/** The query string Shopify sends: the parameters, then their signature. */
const signed = (params: [string, string][], secret = API_SECRET) => new URLSearchParams([...params, ['signature', signProxyQuery(params, secret)]]).toString();

describe('the app proxy signature', () => {
  it('is the HMAC of name=value pairs sorted and concatenated without separator, repeated values joined by commas', () => {
    // The page's example: GET /apps/awesome_reviews/extra/path/components?extra=1&extra=2, forwarded with Shopify's parameters.
    const query = 'extra=1&extra=2&shop=some-shop.myshopify.com&logged_in_customer_id=1&path_prefix=%2Fapps%2Fawesome_reviews&timestamp=1317327555';
    const message = 'extra=1,2logged_in_customer_id=1path_prefix=/apps/awesome_reviewsshop=some-shop.myshopify.comtimestamp=1317327555';
    expect(proxySignature(query, 'hush')).toBe(createHmac('sha256', 'hush').update(message).digest('hex'));
    // The signature itself is not part of what is signed.
    expect(proxySignature(`${query}&signature=abc`, 'hush')).toBe(proxySignature(query, 'hush'));
  });

  it('accepts a query signed with the app’s secret, and says which shop it is for', () => {
    expect(checkProxyQuery(signed(shopParams()), API_SECRET, NOW)).toEqual({ ok: true, shop: SHOP, pathPrefix: '/apps/cairn', timestamp: NOW / 1000 });
    expect(checkProxyQuery(`?${signed(shopParams())}`, API_SECRET, NOW).ok).toBe(true);
  });

  it('refuses a tampered parameter, a signature made with another secret, and a missing signature', () => {
    const query = signed(shopParams());
    expect(checkProxyQuery(query.replace(SHOP, 'other-shop.myshopify.com'), API_SECRET, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(checkProxyQuery(query.replace('logged_in_customer_id=', 'logged_in_customer_id=7'), API_SECRET, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(checkProxyQuery(`${query}&added=1`, API_SECRET, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(checkProxyQuery(signed(shopParams(), 'another-secret'), API_SECRET, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(checkProxyQuery(new URLSearchParams(shopParams()).toString(), API_SECRET, NOW)).toEqual({ ok: false, reason: 'no_signature' });
    expect(checkProxyQuery(`${new URLSearchParams(shopParams())}&signature=`, API_SECRET, NOW)).toEqual({ ok: false, reason: 'no_signature' });
    expect(checkProxyQuery(`${new URLSearchParams(shopParams())}&signature=${'0'.repeat(64)}`, API_SECRET, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it(`refuses a timestamp more than ${PROXY_MAX_AGE_S} s from now, either way, or none`, () => {
    expect(checkProxyQuery(signed(shopParams(at(-PROXY_MAX_AGE_S))), API_SECRET, NOW).ok).toBe(true);
    expect(checkProxyQuery(signed(shopParams(at(-PROXY_MAX_AGE_S - 1))), API_SECRET, NOW)).toEqual({ ok: false, reason: 'stale_request' });
    expect(checkProxyQuery(signed(shopParams(at(PROXY_MAX_AGE_S + 1))), API_SECRET, NOW)).toEqual({ ok: false, reason: 'stale_request' });
    expect(checkProxyQuery(signed(shopParams('soon')), API_SECRET, NOW)).toEqual({ ok: false, reason: 'stale_request' });
  });

  it('signs every value of a repeated parameter, in order', () => {
    const params: [string, string][] = [['extra', '1'], ['extra', '2'], ...shopParams()];
    expect(checkProxyQuery(signed(params), API_SECRET, NOW).ok).toBe(true);
    const swapped = signed(params).replace('extra=1&extra=2', 'extra=2&extra=1');
    expect(checkProxyQuery(swapped, API_SECRET, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    // Dropping one value changes the message too.
    expect(checkProxyQuery(signed(params).replace('extra=1&', ''), API_SECRET, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a parameter Shopify sends once given twice, even if the pair was signed (which shop would it be?)', () => {
    const params: [string, string][] = [...shopParams(), ['shop', 'other-shop.myshopify.com']];
    expect(checkProxyQuery(signed(params), API_SECRET, NOW)).toEqual({ ok: false, reason: 'repeated_param' });
  });

  it('accepts the same signed query again inside the window: it is not single-use', () => {
    const query = signed(shopParams());
    expect(checkProxyQuery(query, API_SECRET, NOW).ok).toBe(true);
    expect(checkProxyQuery(query, API_SECRET, NOW + 30_000).ok).toBe(true);
  });
});
