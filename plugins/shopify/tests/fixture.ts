/** A real collector, the Shopify stub and the app server, started together, plus signing helpers. */
import { integrationKey, startHarness, tempDir, type Harness } from '@cairn/collector/testing';
import { createHmac, randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { startApp } from '../src/app.ts';
import { loadConfig, type ShopifyAppConfig } from '../src/config.ts';
import { signQuery } from '../src/query-hmac.ts';
import { startShopifyStub, type ShopifyStub } from './shopify-stub.ts';

export const API_KEY = 'test-api-key';
export const API_SECRET = 'test-api-secret';
export const SHOP = 'dune-coffee.myshopify.com';
export const OTHER_SHOP = 'plain-shop.myshopify.com';

export interface Fixture {
  h: Harness;
  stub: ShopifyStub;
  config: ShopifyAppConfig;
  app: { url: string; close(): Promise<void> };
  logs: string[];
  stop(): Promise<void>;
}

export async function startFixture(): Promise<Fixture> {
  const h = await startHarness();
  const stub = await startShopifyStub({ apiKey: API_KEY, apiSecret: API_SECRET }, {
    [SHOP]: { name: 'Dune Coffee', primaryDomain: 'dunecoffee.example', timezone: 'Europe/Berlin' },
    [OTHER_SHOP]: { name: 'Plain Shop' },
  });
  const dataDir = await tempDir('cairn-shopify-');
  const config: ShopifyAppConfig = {
    ...loadConfig({
      SHOPIFY_API_KEY: API_KEY,
      SHOPIFY_API_SECRET: API_SECRET,
      CAIRN_SHOPIFY_APP_URL: 'https://cairn-app.example',
      CAIRN_COLLECTOR: h.collector.url,
      CAIRN_INTEGRATION_KEY: await integrationKey(h, 'Shopify app'),
      CAIRN_SHOPIFY_DATA_DIR: dataDir,
      CAIRN_SHOPIFY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      PORT: '0',
    }),
    shopOrigin: stub.origin,
  };
  const logs: string[] = [];
  const app = await startApp(config, { host: '127.0.0.1', log: (level, msg, fields) => logs.push(JSON.stringify({ level, msg, ...fields })) });
  return {
    h,
    stub,
    config,
    app,
    logs,
    async stop() {
      await app.close();
      await stub.close();
      await h.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** `GET /auth?shop=…`: the state and the cookie that carries it. */
export async function beginInstall(f: Fixture, shop = SHOP): Promise<{ res: Response; state: string; cookie: string }> {
  const res = await fetch(`${f.app.url}/auth?shop=${shop}`, { redirect: 'manual' });
  const state = new URL(res.headers.get('location') ?? 'http://x').searchParams.get('state') ?? '';
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return { res, state, cookie };
}

/** The callback Shopify redirects the merchant to, signed as Shopify signs it (overrides applied after signing when `tamper`). */
export function callbackUrl(f: Fixture, query: Record<string, string>, tamper: Record<string, string> = {}): string {
  const signed = { ...query, hmac: signQuery(query, API_SECRET), ...tamper };
  return `${f.app.url}/auth/callback?${new URLSearchParams(signed)}`;
}

/** A full install of `shop`; answers the callback's response. */
export async function install(f: Fixture, shop = SHOP): Promise<Response> {
  const { state, cookie } = await beginInstall(f, shop);
  const query = { code: f.stub.code(shop), host: Buffer.from(`admin.shopify.com/store/${shop.split('.')[0]}`).toString('base64url'), shop, state, timestamp: String(Math.floor(Date.now() / 1000)) };
  return fetch(callbackUrl(f, query), { redirect: 'manual', headers: { cookie } });
}

/** A session token as App Bridge hands one to the embedded page (shopify.dev "Session tokens"), signed with `secret`. */
export function sessionToken(claims: Record<string, unknown> = {}, secret = API_SECRET): string {
  const now = Math.floor(Date.now() / 1000);
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const payload = {
    iss: `https://${SHOP}/admin`,
    dest: `https://${SHOP}`,
    aud: API_KEY,
    sub: '42',
    exp: now + 60,
    nbf: now - 1,
    iat: now - 1,
    jti: randomBytes(8).toString('hex'),
    sid: randomBytes(8).toString('hex'),
    ...claims,
  };
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

/** A webhook delivery as Shopify sends it (shopify.dev "Deliver webhooks through HTTPS"). */
export function webhook(f: Fixture, topic: string, body: unknown, opts: { shop?: string; id?: string; secret?: string; tamper?: boolean } = {}): Promise<Response> {
  const raw = JSON.stringify(body);
  const hmac = createHmac('sha256', opts.secret ?? API_SECRET).update(raw).digest('base64');
  return fetch(`${f.app.url}/webhooks`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': topic,
      'x-shopify-hmac-sha256': hmac,
      'x-shopify-shop-domain': opts.shop ?? SHOP,
      'x-shopify-webhook-id': opts.id ?? randomBytes(8).toString('hex'),
      'x-shopify-api-version': '2025-10',
      'x-shopify-triggered-at': new Date().toISOString(),
    },
    body: opts.tamper ? raw.replace('}', ',"x":1}') : raw,
  });
}

/** The site the app made for `shop` on the collector (looked up by the shop's name). */
export async function siteOf(f: Fixture, name = 'Dune Coffee'): Promise<string> {
  return (await f.h.collector.store.sites.list()).find((s) => s.name === name)!.id;
}

/**
 * A small shop's day, as the theme embed and the web pixel send it (the pixel's event names and
 * props and its cleaned checkout addresses): six visitors, two products. What it adds up to is
 * `SEEDED` below.
 */
export async function seedShopEvents(f: Fixture, site: string, host = 'dunecoffee.example'): Promise<void> {
  const hat = { product_id: '123', product: 'Felt hat', variant_id: '9001', currency: 'EUR' };
  const scarf = { product_id: '456', product: 'Wool scarf', variant_id: '9002', currency: 'EUR' };
  type Step = [name: string, path: string, props?: Record<string, string | number>];
  const visit = (...steps: Step[]): Step[] => [['pageview', '/'], ...steps];
  const visitors: Step[][] = [
    visit(['product_viewed', '/products/felt-hat', { ...hat, value: 45 }], ['product_added_to_cart', '/products/felt-hat', { ...hat, quantity: 1, value: 45 }],
      ['checkout_started', '/checkouts/information', { value: 45, currency: 'EUR', items: 1 }], ['checkout_completed', '/checkouts/thank-you', { value: 45, currency: 'EUR', items: 1 }],
      ['product_purchased', '/checkouts/thank-you', { ...hat, quantity: 1, value: 45 }]),
    visit(['product_viewed', '/products/felt-hat', { ...hat, value: 45 }], ['product_added_to_cart', '/products/felt-hat', { ...hat, quantity: 1, value: 45 }],
      ['checkout_started', '/checkouts/information', { value: 45, currency: 'EUR', items: 1 }]),
    visit(['product_viewed', '/products/felt-hat', { ...hat, value: 45 }], ['product_viewed', '/products/wool-scarf', { ...scarf, value: 30 }],
      ['product_added_to_cart', '/products/felt-hat', { ...hat, quantity: 2, value: 90 }], ['checkout_started', '/checkouts/information', { value: 90, currency: 'EUR', items: 2 }],
      ['checkout_completed', '/checkouts/thank-you', { value: 90, currency: 'EUR', items: 2 }], ['product_purchased', '/checkouts/thank-you', { ...hat, quantity: 2, value: 90 }]),
    visit(['product_viewed', '/products/felt-hat', { ...hat, value: 45 }]),
    visit(['product_viewed', '/products/wool-scarf', { ...scarf, currency: 'USD', value: 35.5 }], ['product_added_to_cart', '/products/wool-scarf', { ...scarf, currency: 'USD', quantity: 1, value: 35.5 }],
      ['checkout_started', '/checkouts/information', { value: 35.5, currency: 'USD', items: 1 }], ['checkout_completed', '/checkouts/thank-you', { value: 35.5, currency: 'USD', items: 1 }],
      ['product_purchased', '/checkouts/thank-you', { ...scarf, currency: 'USD', quantity: 1, value: 35.5 }]),
    visit(),
  ];
  for (const [i, steps] of visitors.entries()) {
    for (const [n, path, p] of steps) {
      const res = await f.h.post({ s: site, n, u: `https://${host}${path}`, ...(p ? { p } : {}) }, { 'x-forwarded-for': `203.0.113.${i + 10}` });
      if (res.status !== 202) throw new Error(`the collector refused a seeded ${n}: ${res.status} ${await res.text()}`);
      // The funnel takes each step from the events after the previous one: keep them apart in time.
      await new Promise((r) => setTimeout(r, 3));
    }
  }
  await f.h.stored(site);
}

/** What `seedShopEvents` adds up to. */
export const SEEDED = {
  visits: 6,
  funnel: [5, 4, 4, 3],
  revenue: { EUR: 135, USD: 35.5 },
  orders: 3,
  hat: { gid: 'gid://shopify/Product/123', viewers: 4, addToCarts: 3, unitsSold: 3, orders: 2 },
  scarf: { gid: 'gid://shopify/Product/456', viewers: 2, addToCarts: 1, unitsSold: 1, orders: 1 },
};

/**
 * The `signature` Shopify adds to an app proxy request (shopify.dev "Authenticate app proxies"),
 * written out here apart from the app's code: each parameter once as `name=value` (repeated ones'
 * values joined by `,`), sorted, concatenated without separator, hex HMAC-SHA256 with `secret`.
 */
export function signProxyQuery(params: [string, string][], secret = API_SECRET): string {
  const grouped: Record<string, string[]> = {};
  for (const [name, value] of params) (grouped[name] ??= []).push(value);
  const message = Object.entries(grouped).map(([name, values]) => `${name}=${values.join(',')}`).sort().join('');
  return createHmac('sha256', secret).update(message).digest('hex');
}
