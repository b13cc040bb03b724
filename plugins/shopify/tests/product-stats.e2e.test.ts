// GET /api/product-stats: one product's numbers for the admin block, from a real collector's events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { install, OTHER_SHOP, SEEDED, seedShopEvents, sessionToken, SHOP, siteOf, startFixture, type Fixture } from './fixture.ts';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
  expect((await install(f)).status).toBe(302);
  await seedShopEvents(f, await siteOf(f));
});
afterAll(() => f?.stop());

const stats = (product: string, token: string | null = sessionToken(), init: RequestInit = {}) =>
  fetch(`${f.app.url}/api/product-stats?product=${encodeURIComponent(product)}`, { ...init, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers } });

describe('GET /api/product-stats', () => {
  it('answers the product’s last 30 days: viewers, add-to-carts, units sold and order lines', async () => {
    const res = await stats(SEEDED.hat.gid);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as Record<string, unknown>;
    const { gid, ...numbers } = SEEDED.hat;
    expect(body).toMatchObject({ product: gid, ...numbers });
    // The other product's events are not counted with it.
    const { gid: scarf, ...scarfNumbers } = SEEDED.scarf;
    expect(await (await stats(scarf)).json()).toMatchObject({ product: scarf, ...scarfNumbers });
    // A product nobody saw: zeros, not an error.
    expect(await (await stats('gid://shopify/Product/999')).json()).toMatchObject({ viewers: 0, addToCarts: 0, unitsSold: 0, orders: 0 });
  });

  it('refuses a product id that is not one', async () => {
    for (const bad of ['', 'gid://shopify/Order/123', '123; drop', 'gid://shopify/Product/abc']) {
      const res = await stats(bad);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('bad_product');
    }
  });

  it('reads only the session’s own shop: no token, a shop that has not installed the app, another shop’s site', async () => {
    expect((await stats(SEEDED.hat.gid, null)).status).toBe(401);
    expect((await stats(SEEDED.hat.gid, sessionToken({ dest: `https://${OTHER_SHOP}`, iss: `https://${OTHER_SHOP}/admin` }))).status).toBe(403);
    // Once the other shop installs, its session reads its own site, where the product has no events.
    expect((await install(f, OTHER_SHOP)).status).toBe(302);
    const other = await stats(SEEDED.hat.gid, sessionToken({ dest: `https://${OTHER_SHOP}`, iss: `https://${OTHER_SHOP}/admin` }));
    expect(other.status).toBe(200);
    expect(await other.json()).toMatchObject({ viewers: 0, addToCarts: 0, unitsSold: 0, orders: 0 });
    expect((await stats(SEEDED.hat.gid, sessionToken({ dest: `https://${SHOP}` }))).status).toBe(200);
  });

  it('answers the admin extension’s CORS preflight without a session token, and only for Shopify’s extension origin', async () => {
    const pre = await fetch(`${f.app.url}/api/product-stats?product=1`, { method: 'OPTIONS', headers: { origin: 'https://extensions.shopifycdn.com', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://extensions.shopifycdn.com');
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
    const res = await stats(SEEDED.hat.gid, sessionToken(), { headers: { origin: 'https://extensions.shopifycdn.com' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('https://extensions.shopifycdn.com');
    // The other API routes send no CORS headers.
    const view = await fetch(`${f.app.url}/api/view-token`, { headers: { authorization: `Bearer ${sessionToken()}`, origin: 'https://extensions.shopifycdn.com' } });
    expect(view.headers.get('access-control-allow-origin')).toBeNull();
  });
});
