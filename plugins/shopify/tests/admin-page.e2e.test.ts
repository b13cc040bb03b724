/**
 * The embedded admin page: the signed query Shopify opens it with, its headers, and the page in
 * headless Chromium with App Bridge stubbed (tests/app-bridge-stub.ts), reading a real collector
 * where a seeded shop's events are: the funnel's counts, revenue per currency, the top product.
 * Screenshots at 1440 and 375 px in .cache/screenshots/shopify-admin-*.png.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '@cairn/tracker/testing';
import { signQuery } from '../src/query-hmac.ts';
import { stubAppBridge } from './app-bridge-stub.ts';
import { API_KEY, API_SECRET, install, OTHER_SHOP, SEEDED, seedShopEvents, SHOP, siteOf, startFixture, type Fixture } from './fixture.ts';

const SHOTS = join(import.meta.dirname, '../../../.cache/screenshots');

let f: Fixture;
let browser: Browser;
beforeAll(async () => {
  [f, browser] = await Promise.all([startFixture(), launchChromium()]);
  expect((await install(f)).status).toBe(302);
  await seedShopEvents(f, await siteOf(f));
  await mkdir(SHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await f?.stop();
});

/** The URL Shopify admin loads in its iframe, signed as Shopify signs it; `tamper` applied after signing. */
function embeddedUrl(shop = SHOP, tamper: Record<string, string> = {}): string {
  const query = { embedded: '1', host: Buffer.from(`admin.shopify.com/store/${shop.split('.')[0]}`).toString('base64url'), locale: 'en', shop, timestamp: String(Math.floor(Date.now() / 1000)) };
  return `${f.app.url}/?${new URLSearchParams({ ...query, hmac: signQuery(query, API_SECRET), ...tamper })}`;
}

describe('GET / with the embedded query', () => {
  it('serves the page: App Bridge first, the API key, and a CSP that lets only the shop’s admin frame it', async () => {
    const res = await fetch(embeddedUrl());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(`frame-ancestors https://${SHOP} https://admin.shopify.com;`);
    const html = await res.text();
    expect(html).toContain(`<meta name="shopify-api-key" content="${API_KEY}">`);
    const scripts = [...html.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts[0]).toBe('https://cdn.shopify.com/shopifycloud/app-bridge.js');
    expect(html.indexOf('app-bridge.js')).toBeLessThan(html.indexOf('<script type="module"'));
  });

  it('refuses a query whose HMAC does not match, and a shop that is not a shop', async () => {
    const forged = await fetch(embeddedUrl(SHOP, { shop: OTHER_SHOP }));
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe('bad_hmac');
    expect((await fetch(embeddedUrl(SHOP, { hmac: 'f'.repeat(64) }))).status).toBe(401);
    expect((await fetch(embeddedUrl('evil.example.com'))).status).toBe(400);
  });

  it('sends a shop that has not installed the app to the install (a redirect outside the admin, a button inside it)', async () => {
    const embedded = await fetch(embeddedUrl(OTHER_SHOP));
    expect(embedded.status).toBe(200);
    expect(await embedded.text()).toContain(`data-install-url="https://cairn-app.example/auth?shop=${OTHER_SHOP}"`);
    const query = { shop: OTHER_SHOP, timestamp: String(Math.floor(Date.now() / 1000)) };
    const outside = await fetch(`${f.app.url}/?${new URLSearchParams({ ...query, hmac: signQuery(query, API_SECRET) })}`, { redirect: 'manual' });
    expect(outside.status).toBe(302);
    expect(outside.headers.get('location')).toBe(`https://cairn-app.example/auth?shop=${OTHER_SHOP}`);
  });

  it('answers plain text without Shopify’s query', async () => {
    const res = await fetch(`${f.app.url}/`);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
  });
});

/** Opens the embedded page at `width`, App Bridge stubbed; resolves once the sales figures are in. */
async function openAdmin(width: number, opts: { clock?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  await stubAppBridge(page);
  if (opts.clock) await page.clock.install();
  await page.goto(embeddedUrl());
  await page.locator('.kpi-value').first().waitFor();
  // (Page code as strings: this package's TypeScript has no DOM types.)
  await page.waitForFunction(`[...document.querySelectorAll('cairn-funnel, cairn-breakdown, cairn-dashboard')].every((w) => w.state !== 'loading')
    && document.querySelector('cairn-dashboard').shadowRoot.querySelector('cairn-goals')?.state === 'ready'`);
  expect(problems).toEqual([]);
  return page;
}

/** The text of a widget, through its shadow root and those of the widgets inside it. */
const textOf = (page: Page, selector: string): Promise<string> =>
  page.evaluate(`(() => {
    const text = (node) => node.nodeType === Node.TEXT_NODE ? node.textContent : [...(node.shadowRoot?.childNodes ?? []), ...node.childNodes].map(text).join(' ');
    return text(document.querySelector(${JSON.stringify(selector)})).replace(/\\s+/g, ' ');
  })()`);

describe('the admin page in Chromium, App Bridge stubbed', () => {
  it('shows the seeded shop’s funnel, revenue per currency, orders, conversion rate and top product', async () => {
    const page = await openAdmin(1440);
    // The theme embed is off in the stub's theme: the banner links to the theme editor.
    await expect.poll(() => page.locator('.banner').textContent()).toContain('Turn on in theme editor');

    const kpis = await page.locator('.kpis').textContent();
    expect(kpis).toContain('€135.00');
    expect(kpis).toContain('$35.50');
    expect(kpis).toMatch(/Orders\s*3/);
    expect(kpis).toContain(`${(SEEDED.orders / SEEDED.visits) * 100}%`); // 3 of 6 visitors bought

    const funnel = await textOf(page, 'cairn-funnel');
    const counts = [...funnel.matchAll(/(\d+) visits?/g)].map((m) => Number(m[1]));
    expect(counts).toEqual(SEEDED.funnel);

    const top = page.locator('cairn-breakdown[heading="Top products by orders"]');
    const rows = await top.evaluate((el) => [...el.shadowRoot!.querySelectorAll('tbody tr')].map((tr) => tr.textContent!.replace(/\s+/g, ' ').trim()));
    expect(rows).toEqual(['Felt hat 2', 'Wool scarf 1']);
    expect(await top.evaluate((el) => el.shadowRoot!.querySelectorAll('thead th')[1]!.textContent!.trim())).toBe('Orders');

    // The dashboard below reads the same site: six visitors.
    expect(await textOf(page, 'cairn-dashboard')).toMatch(/Visitors 6 /);
    await page.screenshot({ path: join(SHOTS, 'shopify-admin-1440.png'), fullPage: true });

    // Choosing a top product filters the dashboard to the visits that bought it: two of them.
    await top.locator('button', { hasText: 'Felt hat' }).click();
    await expect.poll(() => textOf(page, 'cairn-dashboard')).toMatch(/Visitors 2 /);

    // The dashboard's period picker sets the period of the whole page.
    await page.locator('cairn-dashboard select').first().selectOption('7d');
    await expect.poll(() => page.locator('.page-header').textContent()).toContain('Last 7 days');
    expect(await page.evaluate(`[...document.querySelectorAll('cairn-funnel, cairn-breakdown')].map((w) => w.period)`)).toEqual(['7d', '7d', '7d']);
    await page.context().close();
  });

  it('renews the view token a minute before it expires, and hands the new one to every widget', async () => {
    const page = await openAdmin(1440, { clock: true });
    const tokenOf = () => page.evaluate<string>(`document.querySelector('cairn-funnel').token`);
    const before = await tokenOf();
    await page.clock.fastForward('58:00');
    expect(await tokenOf()).toBe(before);
    await page.clock.fastForward('01:30');
    await expect.poll(tokenOf).not.toBe(before);
    const tokens = await page.evaluate(`[...new Set([...document.querySelectorAll('cairn-funnel, cairn-breakdown, cairn-dashboard')].map((el) => el.token))]`);
    expect(tokens).toEqual([await tokenOf()]);
    await page.context().close();
  });

  it('fits a phone: nothing wider than a 375 px screen', async () => {
    const page = await openAdmin(375);
    // Nothing scrolls sideways (the width left beside the scrollbar, 360 px here).
    expect(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'shopify-admin-375.png'), fullPage: true });
    await page.screenshot({ path: join(SHOTS, 'shopify-admin-375-top.png') });
    const height = await page.evaluate<number>('document.documentElement.scrollHeight');
    await page.screenshot({ path: join(SHOTS, 'shopify-admin-375-bottom.png'), fullPage: true, clip: { x: 0, y: height - 900, width: 375, height: 900 } });
    await page.context().close();
  });

  it('offers the install to a shop that has not installed the app, out of the admin’s frame', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 700 } });
    const page = await context.newPage();
    await stubAppBridge(page, { dest: `https://${OTHER_SHOP}`, iss: `https://${OTHER_SHOP}/admin` });
    await page.route('https://cairn-app.example/auth**', (route) => route.fulfill({ contentType: 'text/plain', body: 'install' }));
    await page.goto(embeddedUrl(OTHER_SHOP));
    await expect.poll(() => page.locator('main').textContent()).toContain('Cairn is not installed on this shop');
    await page.getByRole('button', { name: 'Install Cairn' }).click();
    await page.waitForURL(`https://cairn-app.example/auth?shop=${OTHER_SHOP}`);
    await context.close();
  });

  it('says so when the collector cannot be reached, and tries again', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 700 } });
    const page = await context.newPage();
    await stubAppBridge(page);
    await page.route(`${f.h.collector.url}/widgets.js`, (route) => route.abort('connectionrefused'));
    await page.goto(embeddedUrl());
    await expect.poll(() => page.locator('main').textContent()).toContain('Your Cairn collector could not be reached');
    await page.screenshot({ path: join(SHOTS, 'shopify-admin-unreachable.png') });
    // Back up: "Try again" loads the widgets this time.
    await page.unroute(`${f.h.collector.url}/widgets.js`);
    await page.getByRole('button', { name: 'Try again' }).click();
    await expect.poll(() => page.locator('.kpis').textContent()).toContain('€135.00');
    await context.close();
  });
});
