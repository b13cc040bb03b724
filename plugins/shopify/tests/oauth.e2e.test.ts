// The install flow against a real collector and a stub of Shopify's documented OAuth endpoints.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cairnClient } from '../src/cairn-client.ts';
import { SCOPES } from '../src/config.ts';
import { PROXY_KEY_NAME, REVENUE_GOALS } from '../src/shop-setup.ts';
import { fileShopStore, type ShopRecord } from '../src/shop-store.ts';
import { API_KEY, beginInstall, callbackUrl, install, OTHER_SHOP, SHOP, startFixture, type Fixture } from './fixture.ts';

let f: Fixture;
beforeAll(async () => (f = await startFixture()));
afterAll(() => f?.stop());

const sites = async () => (await f.h.collector.store.sites.list()).filter((s) => s.domains.some((d) => d !== 'example.com'));

describe('GET /auth', () => {
  it('redirects to the shop’s authorize page with the app’s key, scopes, callback and a state kept in a cookie', async () => {
    const { res, state, cookie } = await beginInstall(f);
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get('location')!);
    expect(to.origin + to.pathname).toBe(`https://${SHOP}/admin/oauth/authorize`);
    expect(Object.fromEntries(to.searchParams)).toEqual({ client_id: API_KEY, scope: SCOPES.join(','), redirect_uri: 'https://cairn-app.example/auth/callback', state });
    expect(state.length).toBeGreaterThanOrEqual(20);
    expect(cookie).toContain(state);
    expect(res.headers.get('set-cookie')).toMatch(/HttpOnly/i);
    expect((await beginInstall(f)).state).not.toBe(state);
  });

  it.each(['evil.example.com', 'shop.myshopify.com.evil.example', 'a/b.myshopify.com', ''])('refuses the shop %j', async (shop) => {
    const res = await fetch(`${f.app.url}/auth?shop=${encodeURIComponent(shop)}`, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('bad_shop');
  });
});

describe('GET /auth/callback', () => {
  it('installs: an offline token stored encrypted, the shop’s site made on the collector, then into the embedded app', async () => {
    const res = await install(f);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`https://${SHOP}/admin/apps/${API_KEY}`);

    const token = f.stub.tokens.get(SHOP)!;
    expect(token).toMatch(/^shpat_/);
    const files = await readdir(join(f.config.dataDir, 'shops'));
    expect(files).toEqual([`${SHOP}.json`]);
    const text = await readFile(join(f.config.dataDir, 'shops', files[0]!), 'utf8');
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.slice(6, 20));
    const record = JSON.parse(text) as { token: { iv: string; tag: string; data: string }; siteId: string };
    expect(record.token.iv).toBeTruthy();

    const [site] = await sites();
    // The shop's time zone; its primary domain first, its myshopify.com address counted too.
    expect(site).toMatchObject({ id: record.siteId, name: 'Dune Coffee', domains: ['dunecoffee.example', SHOP], timezone: 'Europe/Berlin' });
    expect(f.stub.calls).toContain('POST /admin/api/2025-10/graphql.json');
    // What the theme app embed reads to write the tracker tag: the site and the collector.
    expect(f.stub.metafields.get(SHOP)).toEqual({ 'cairn.site_id': record.siteId, 'cairn.collector_url': f.config.collector });
    // The web pixel, turned on with the same site and collector.
    expect(JSON.parse(f.stub.webPixels.get(SHOP)!.settings)).toEqual({ siteId: record.siteId, collectorUrl: f.config.collector });
  });

  it('reuses the shop’s site on a reinstall, and uses the myshopify domain when that is the primary one', async () => {
    const before = (await sites()).length;
    expect((await install(f)).status).toBe(302);
    expect((await sites()).length).toBe(before);

    expect((await install(f, OTHER_SHOP)).status).toBe(302);
    expect((await sites()).find((s) => s.name === 'Plain Shop')).toMatchObject({ domains: [OTHER_SHOP], timezone: 'UTC' });
  });

  const fresh = async () => {
    const { state, cookie } = await beginInstall(f);
    return { cookie, query: { code: f.stub.code(SHOP), shop: SHOP, state, timestamp: String(Math.floor(Date.now() / 1000)) } };
  };
  const refused = async (url: string, cookie: string, status: number, code: string) => {
    const before = f.stub.calls.length;
    const res = await fetch(url, { redirect: 'manual', headers: { cookie } });
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
    expect(f.stub.calls.length).toBe(before); // nothing asked of Shopify
  };

  it('refuses a tampered HMAC (a changed parameter, or a signature made with another secret)', async () => {
    const { query, cookie } = await fresh();
    await refused(callbackUrl(f, query, { code: 'another-code' }), cookie, 401, 'bad_hmac');
    await refused(callbackUrl(f, query, { hmac: 'a'.repeat(64) }), cookie, 401, 'bad_hmac');
    await refused(`${f.app.url}/auth/callback?${new URLSearchParams(query)}`, cookie, 401, 'bad_hmac');
  });

  it('refuses a state that does not match the cookie, or no cookie', async () => {
    const { query, cookie } = await fresh();
    await refused(callbackUrl(f, { ...query, state: 'forged-state-value-1234' }), cookie, 403, 'bad_state');
    await refused(callbackUrl(f, query), '', 403, 'bad_state');
    const other = await beginInstall(f, OTHER_SHOP); // a state started for another shop
    await refused(callbackUrl(f, { ...query, state: other.state }), other.cookie, 403, 'bad_state');
  });

  it('refuses a shop that is not a myshopify.com hostname, even correctly signed', async () => {
    const { query, cookie } = await fresh();
    await refused(callbackUrl(f, { ...query, shop: 'evil.example.com' }), cookie, 400, 'bad_shop');
  });

  it('refuses a stale timestamp', async () => {
    const { query, cookie } = await fresh();
    await refused(callbackUrl(f, { ...query, timestamp: String(Math.floor(Date.now() / 1000) - 3600) }), cookie, 401, 'stale_request');
  });

  it('accepts a valid callback once, and refuses it replayed', async () => {
    const { query, cookie } = await fresh();
    expect((await fetch(callbackUrl(f, query), { redirect: 'manual', headers: { cookie } })).status).toBe(302);
    await refused(callbackUrl(f, query), cookie, 403, 'state_used');
  });
});

describe('what the install makes for the App Proxy and the funnel', () => {
  const cairn = () => cairnClient(f.config.collector, f.config.integrationKey);
  const record = async () => JSON.parse(await readFile(join(f.config.dataDir, 'shops', `${SHOP}.json`), 'utf8')) as ShopRecord;
  const proxyKeys = async (site: string) => (await cairn().siteKeys(site)).filter((k) => k.name === PROXY_KEY_NAME);
  const funnelGoals = async (site: string) => (await cairn().goals(site)).filter((g) => REVENUE_GOALS.some((r) => r.kind === g.kind && r.match === g.match));

  it('makes the "Shopify app proxy" site key once, its secret sealed in the shop record, and the three revenue goals once', async () => {
    expect((await install(f)).status).toBe(302);
    const first = await record();
    const site = first.siteId!;
    const keys = await proxyKeys(site);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ id: first.proxyKey!.id, site, revokedAt: null });
    const secret = fileShopStore(f.config.dataDir, f.config.encryptionKey).proxyKeySecret(first)!;
    expect(secret).toMatch(/^cairn_sk_/);
    expect(JSON.stringify(first)).not.toContain(secret.slice(9, 24));
    // The secret is a working key of the shop's site.
    const token = await fetch(`${f.config.collector}/api/tokens/view`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: '{}' });
    expect(token.status).toBe(201);
    expect(((await token.json()) as { site: string }).site).toBe(site);

    const goals = await funnelGoals(site);
    expect(goals.map(({ kind, match, name, revenue, currency }) => ({ kind, match, name, revenue, currency }))).toEqual([
      { kind: 'event', match: 'product_added_to_cart', name: 'Add to cart', revenue: undefined, currency: undefined },
      { kind: 'event', match: 'checkout_started', name: 'Checkout started', revenue: undefined, currency: undefined },
      { kind: 'event', match: 'checkout_completed', name: 'Purchase', revenue: 'value', currency: 'currency' },
    ]);

    // Reinstalled: the same key, the same goals, nothing new.
    expect((await install(f)).status).toBe(302);
    expect((await record()).proxyKey).toEqual(first.proxyKey);
    expect(await proxyKeys(site)).toEqual(keys);
    expect(await funnelGoals(site)).toEqual(goals);
  });

  it('makes a new key when the stored one was revoked, and only the goal that was deleted', async () => {
    const before = await record();
    const site = before.siteId!;
    const revoke = await fetch(`${f.config.collector}/api/sites/${site}/keys/${before.proxyKey!.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${f.config.integrationKey}` } });
    expect(revoke.status).toBe(204);
    const purchase = (await funnelGoals(site)).find((g) => g.match === 'checkout_completed')!;
    const removed = await fetch(`${f.config.collector}/api/sites/${site}/goals/${purchase.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${f.config.integrationKey}` } });
    expect(removed.status).toBe(204);

    expect((await install(f)).status).toBe(302);
    const after = await record();
    expect(after.proxyKey!.id).not.toBe(before.proxyKey!.id);
    expect((await proxyKeys(site)).map((k) => [k.id, Boolean(k.revokedAt)])).toEqual([
      [before.proxyKey!.id, true],
      [after.proxyKey!.id, false],
    ]);
    const goals = await funnelGoals(site);
    expect(goals.map((g) => g.match).sort()).toEqual(['checkout_completed', 'checkout_started', 'product_added_to_cart']);
    expect(goals.find((g) => g.match === 'checkout_completed')!.id).not.toBe(purchase.id);
  });
});
