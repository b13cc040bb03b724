/**
 * The App Proxy end to end: a real collector, the app installed through the Shopify stub, and a
 * stand-in for Shopify's storefront and proxy (Shopify is unreachable here): it serves a storefront
 * page whose <head> is the app embed rendered in proxy mode, and forwards `/apps/cairn/*` to the
 * app's `/proxy/*` as shopify.dev "Authenticate app proxies" describes — Shopify's parameters and
 * their signature added to the query, the visitor's address in X-Forwarded-For, cookies dropped.
 * Headless Chromium visits; the pageview lands in the shop's site, counted for the forwarded address.
 */
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Liquid } from 'liquidjs';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROME_UA } from '@cairn/collector/testing';
import { launchChromium } from '@cairn/tracker/testing';
import { cairnClient } from '../src/cairn-client.ts';
import { fileShopStore, type ShopRecord } from '../src/shop-store.ts';
import { install, OTHER_SHOP, SHOP, signProxyQuery, startFixture, type Fixture } from './fixture.ts';
import { renderEmbed } from './theme-embed.ts';

const LAYOUT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }} – Dune Coffee</title>{{ content_for_header }}</head>
<body><h1>{{ title }}</h1><a id="beans" href="/products/beans">Beans</a></body></html>`;
const PAGES: Record<string, string> = { '/': 'Home', '/products/beans': 'Beans' };
const SEC_CH_UA = '"Chromium";v="150", "Google Chrome";v="150"';

let f: Fixture;
let browser: Browser;
let shopfront: Server;
/** The storefront as visitors reach it: the shop's primary domain, which is its Cairn site's domain. */
let home: string;
let site: string;
/** How the stand-in forwards the next requests: the visitor's address, the signing secret of events, a logged-in customer. */
const proxy = { address: '203.0.113.7', eventSecret: '', customer: '' };
/** What the stand-in forwarded: path and the app's answer. */
const answers: { path: string; status: number }[] = [];

beforeAll(async () => {
  [f, browser] = await Promise.all([startFixture(), launchChromium({ automationHidden: true })]);
  expect((await install(f)).status).toBe(302);
  const record = JSON.parse(await readFile(join(f.config.dataDir, 'shops', `${SHOP}.json`), 'utf8')) as ShopRecord;
  site = record.siteId!;
  // The embed as a merchant leaves it: the App Proxy at apps/cairn; the metafields the install wrote.
  const metafields = f.stub.metafields.get(SHOP)!;
  const head = await renderEmbed({ metafields: { site_id: metafields['cairn.site_id'], collector_url: metafields['cairn.collector_url'] } });
  const liquid = new Liquid();
  shopfront = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname.startsWith('/apps/cairn/')) return void relay(req, url).then((a) => res.writeHead(a.status, a.headers).end(a.body));
    const title = PAGES[url.pathname];
    if (!title) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(await liquid.parseAndRender(LAYOUT, { title, content_for_header: head }));
  });
  shopfront.listen(0, '127.0.0.1');
  await once(shopfront, 'listening');
  home = `http://dunecoffee.example:${(shopfront.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await browser?.close();
  shopfront?.closeAllConnections();
  shopfront?.close();
  await f?.stop();
});

/** Shopify's part: `/apps/cairn/REST?q` → `APP/proxy/REST?q&shop…&signature`, X-Forwarded-For, no cookie. */
async function relay(req: IncomingMessage, url: URL): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  const rest = url.pathname.slice('/apps/cairn'.length);
  const params: [string, string][] = [...url.searchParams, ['shop', SHOP], ['logged_in_customer_id', proxy.customer], ['path_prefix', '/apps/cairn'], ['timestamp', String(Math.floor(Date.now() / 1000))]];
  const secret = rest === '/event' && proxy.eventSecret ? proxy.eventSecret : undefined;
  const query = new URLSearchParams([...params, ['signature', signProxyQuery(params, secret)]]);
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers: Record<string, string> = { 'x-forwarded-for': proxy.address, 'x-forwarded-host': url.host };
  for (const name of ['user-agent', 'sec-ch-ua', 'content-type', 'accept']) if (typeof req.headers[name] === 'string') headers[name] = req.headers[name];
  const res = await fetch(`${f.app.url}/proxy${rest}?${query}`, { method: req.method, headers, ...(req.method === 'POST' ? { body: Buffer.concat(chunks) } : {}) });
  answers.push({ path: rest, status: res.status });
  const back: Record<string, string> = {};
  for (const name of ['content-type', 'cache-control', 'etag']) if (res.headers.get(name)) back[name] = res.headers.get(name)!;
  return { status: res.status, headers: back, body: Buffer.from(await res.arrayBuffer()) };
}

/** A visitor's browser (a person's user agent and client hints: headless Chromium's are dropped as a bot's). */
const visitor = (): Promise<BrowserContext> => browser.newContext({ userAgent: CHROME_UA, extraHTTPHeaders: { 'sec-ch-ua': SEC_CH_UA } });

/** Visits the home page; resolves with the app's answer to the pageview beacon. */
async function visit(context: BrowserContext): Promise<number> {
  const page = await context.newPage();
  const beacon = page.waitForResponse((r) => r.url() === `${home}/apps/cairn/event` && /"n":"pageview"/.test(r.request().postData() ?? ''), { timeout: 15_000 });
  await page.goto(`${home}/`);
  const status = (await beacon).status();
  await page.close();
  return status;
}

const pageviews = async () => (await f.h.stored(site)).filter((e) => e.name === 'pageview');

/** A signed query as Shopify forwards it, for requests made without the browser. */
const signedQuery = (overrides: Record<string, string> = {}) => {
  const params: [string, string][] = Object.entries({ shop: SHOP, logged_in_customer_id: '', path_prefix: '/apps/cairn', timestamp: String(Math.floor(Date.now() / 1000)), ...overrides });
  return new URLSearchParams([...params, ['signature', signProxyQuery(params)]]).toString();
};
const postEvent = (query: string, body: unknown, address = '192.0.2.10') =>
  fetch(`${f.app.url}/proxy/event?${query}`, { method: 'POST', headers: { 'content-type': 'text/plain', 'user-agent': CHROME_UA, 'sec-ch-ua': SEC_CH_UA, 'x-forwarded-for': address }, body: JSON.stringify(body) });
const event = (path = '/direct') => ({ s: site, n: 'pageview', u: `https://dunecoffee.example${path}`, w: 1280 });

describe('the App Proxy on a storefront', () => {
  it('loads t.js and sends the pageview through the shop’s own domain; it lands in the shop’s site, the customer id nowhere', async () => {
    proxy.customer = '4242';
    const context = await visitor();
    const requests: string[] = [];
    context.on('request', (r) => requests.push(r.url()));
    expect(await visit(context)).toBe(202);
    await context.close();
    proxy.customer = '';

    // First party: nothing went to the collector's host.
    expect(requests.filter((u) => u.startsWith(f.config.collector))).toEqual([]);
    expect(requests).toContain(`${home}/apps/cairn/t.js`);
    const views = await pageviews();
    expect(views.map((e) => [e.hostname, e.pathname])).toEqual([['dunecoffee.example', '/']]);
    expect(JSON.stringify(views)).not.toContain('4242');
  });

  it('counts two forwarded addresses as two visitors, and the same address again as the same one', async () => {
    proxy.address = '198.51.100.23';
    expect(await visit(await visitor())).toBe(202);
    proxy.address = '203.0.113.7';
    expect(await visit(await visitor())).toBe(202);
    const views = await pageviews();
    expect(views).toHaveLength(3);
    const [first, second, third] = views.sort((a, b) => a.ts - b.ts).map((e) => e.visitor);
    expect(second).not.toBe(first);
    expect(third).toBe(first);
  });

  it('stores nothing when the event’s signature does not match', async () => {
    const before = (await pageviews()).length;
    proxy.eventSecret = 'not-the-app-secret';
    const context = await visitor();
    // t.js still loads (signed well); the beacon is refused.
    expect(await visit(context)).toBe(401);
    await context.close();
    proxy.eventSecret = '';
    expect((await pageviews()).length).toBe(before);
  });
});

describe('POST /proxy/event', () => {
  it('counts an event for the forwarded address as if that visitor had sent it to the collector', async () => {
    const res = await postEvent(signedQuery(), event('/named'), '203.0.113.7');
    expect(res.status).toBe(202);
    expect(await res.text()).toBe('');
    const views = await pageviews();
    const named = views.find((e) => e.pathname === '/named')!;
    const browserSent = views.find((e) => e.pathname === '/')!;
    expect(named.visitor).toBe(browserSent.visitor);
  });

  it('accepts a signed query used twice inside the window (two visitors in the same second share it)', async () => {
    const before = (await pageviews()).length;
    const query = signedQuery();
    expect((await postEvent(query, event('/replay'), '192.0.2.21')).status).toBe(202);
    expect((await postEvent(query, event('/replay'), '192.0.2.22')).status).toBe(202);
    const replays = (await pageviews()).filter((e) => e.pathname === '/replay');
    expect((await pageviews()).length).toBe(before + 2);
    expect(new Set(replays.map((e) => e.visitor)).size).toBe(2);
  });

  it('fills in the shop’s site, and refuses another site, a visitor named in the body, a backdated event, a stale or unsigned request', async () => {
    const before = (await pageviews()).length;
    const { s: _s, ...noSite } = event('/no-site');
    expect((await postEvent(signedQuery(), noSite)).status).toBe(202);
    const refusals: [Response, number, string][] = [
      [await postEvent(signedQuery(), { ...event(), s: 'another-site' }), 403, 'other_site'],
      [await postEvent(signedQuery(), [event(), { ...event(), v: { a: '192.0.2.99', h: { 'user-agent': CHROME_UA } } }]), 400, 'invalid_event'],
      [await postEvent(signedQuery(), { ...event(), t: Date.now() - 3_600_000 }), 400, 'invalid_event'],
      [await postEvent(signedQuery({ timestamp: String(Math.floor(Date.now() / 1000) - 600) }), event()), 401, 'stale_request'],
      [await postEvent(new URLSearchParams({ shop: SHOP, timestamp: String(Math.floor(Date.now() / 1000)) }).toString(), event()), 401, 'no_signature'],
      [await postEvent(signedQuery(), 'not an event'), 400, 'invalid_event'],
      [await fetch(`${f.app.url}/proxy/event?${signedQuery()}`, { method: 'POST', headers: { 'content-type': 'text/plain', 'user-agent': CHROME_UA }, body: JSON.stringify(event()) }), 400, 'no_address'],
    ];
    for (const [res, status, code] of refusals) {
      expect(res.status).toBe(status);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
    }
    expect((await pageviews()).length).toBe(before + 1);
    expect((await pageviews()).some((e) => e.pathname === '/no-site')).toBe(true);
  });

  it('answers 404 for a shop that has not installed the app', async () => {
    const res = await postEvent(signedQuery({ shop: OTHER_SHOP }), event());
    expect(res.status).toBe(404);
  });

  it('makes the shop’s key when it has none (a shop installed before the proxy existed)', async () => {
    const path = join(f.config.dataDir, 'shops', `${SHOP}.json`);
    const { proxyKey: _old, ...withoutKey } = JSON.parse(await readFile(path, 'utf8')) as ShopRecord;
    await writeFile(path, JSON.stringify(withoutKey));
    expect((await postEvent(signedQuery(), event('/late-key'))).status).toBe(202);
    expect((JSON.parse(await readFile(path, 'utf8')) as ShopRecord).proxyKey?.site).toBe(site);
    expect((await pageviews()).some((e) => e.pathname === '/late-key')).toBe(true);
  });

  it('replaces a key the collector refuses (revoked) with a new one, and sends again', async () => {
    const path = join(f.config.dataDir, 'shops', `${SHOP}.json`);
    const cairn = cairnClient(f.config.collector, f.config.integrationKey);
    const shops = fileShopStore(f.config.dataDir, f.config.encryptionKey);
    // A key revoked before it was ever used (the collector remembers a valid key for 10 s).
    const { key, secret } = await cairn.createSiteKey(site, 'revoked before use');
    const revoked = await fetch(`${f.config.collector}/api/sites/${site}/keys/${key.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${f.config.integrationKey}` } });
    expect(revoked.status).toBe(204);
    const record = JSON.parse(await readFile(path, 'utf8')) as ShopRecord;
    await shops.put({ ...record, proxyKey: { id: key.id, site, secret: shops.sealSecret(SHOP, secret) } });

    expect((await postEvent(signedQuery(), event('/after-revoke'))).status).toBe(202);
    const renewed = (JSON.parse(await readFile(path, 'utf8')) as ShopRecord).proxyKey!;
    expect(renewed.id).not.toBe(key.id);
    expect((await pageviews()).some((e) => e.pathname === '/after-revoke')).toBe(true);
    expect(f.logs.some((l) => l.includes('proxy site key refused'))).toBe(true);
  });
});

describe('GET /proxy/t.js', () => {
  it('serves the collector’s script with its type and caching, and only to signed requests', async () => {
    const [proxied, direct] = await Promise.all([fetch(`${f.app.url}/proxy/t.js?${signedQuery()}`), fetch(`${f.config.collector}/t.js`)]);
    expect(proxied.status).toBe(200);
    expect(proxied.headers.get('content-type')).toMatch(/javascript/);
    expect(proxied.headers.get('cache-control')).toBe(direct.headers.get('cache-control'));
    expect(await proxied.text()).toBe(await direct.text());
    expect((await fetch(`${f.app.url}/proxy/t-v.js?${signedQuery()}`)).status).toBe(200);
    expect((await fetch(`${f.app.url}/proxy/t.js?shop=${SHOP}`)).status).toBe(401);
    expect((await fetch(`${f.app.url}/proxy/anything-else?${signedQuery()}`)).status).toBe(404);
  });
});
