/**
 * The app embed on a storefront, end to end: the block rendered with liquidjs from the metafields
 * the app sets (a real collector's site id and URL), put in the <head> of a fixture theme layout as
 * Shopify puts app embeds there (`content_for_header`), served under a real-looking shop host, and
 * visited in headless Chromium: t.js comes from the collector, and each page's pageview is stored
 * with the shop's hostname and the page's path; a path excluded in the block's settings is not.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Liquid } from 'liquidjs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROME_UA, startHarness, type Harness } from '@cairn/collector/testing';
import { launchChromium } from '@cairn/tracker/testing';
import { renderEmbed } from './theme-embed.ts';

/** A theme's layout/theme.liquid, cut down: app embeds with `target: head` arrive in content_for_header. */
const LAYOUT = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>{{ page_title }} – Felt & Co</title>
    {{ content_for_header }}
  </head>
  <body>
    <h1>{{ page_title }}</h1>
    {% for link in links %}<a id="{{ link[0] }}" href="{{ link[1] }}">{{ link[0] }}</a> {% endfor %}
  </body>
</html>`;

const PAGES: Record<string, { title: string; links: [string, string][] }> = {
  '/': { title: 'Home', links: [['hat', '/products/felt-hat']] },
  '/products/felt-hat': { title: 'Felt hat', links: [['cart', '/cart']] },
  '/cart': { title: 'Cart', links: [['about', '/pages/about']] },
  '/pages/about': { title: 'About', links: [] },
};

let h: Harness;
let browser: Browser;
let shop: Server;
/** The storefront as a visitor reaches it: a real-looking host (the tracker ignores 127.0.0.1). */
let home: string;

beforeAll(async () => {
  [h, browser] = await Promise.all([startHarness({ domain: 'shop.example' }), launchChromium({ automationHidden: true })]);
  // What the app server stores on installation, the direct connection (the App Proxy has its own e2e: app-proxy.e2e.test.ts), and one feature setting the merchant changed.
  const head = await renderEmbed({ metafields: { site_id: h.siteId, collector_url: h.collector.url }, settings: { connection: 'direct', exclude: '/cart' } });
  const liquid = new Liquid();
  shop = createServer(async (req, res) => {
    const page = PAGES[new URL(req.url ?? '/', 'http://x').pathname];
    if (!page) return void res.writeHead(404).end();
    const html = await liquid.parseAndRender(LAYOUT, { page_title: page.title, links: page.links, content_for_header: head });
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  });
  shop.listen(0, '127.0.0.1');
  await once(shop, 'listening');
  home = `http://shop.example:${(shop.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await browser?.close();
  shop?.closeAllConnections();
  shop?.close();
  await h?.stop();
});

/** Resolves with the collector's answer to the next pageview the page sends. */
const nextPageview = (page: Page) =>
  page.waitForResponse((r) => r.url() === `${h.collector.url}/api/event` && /"n":"pageview"/.test(r.request().postData() ?? ''), { timeout: 15_000 });

describe('the app embed on a storefront', () => {
  it('loads t.js from the collector and stores a pageview for each page, with the shop’s hostname and the page’s path', async () => {
    // A visitor's browser: a person's user agent and client hints (headless Chromium's are dropped as a bot's).
    const context = await browser.newContext({ userAgent: CHROME_UA, extraHTTPHeaders: { 'sec-ch-ua': '"Chromium";v="150", "Google Chrome";v="150"' } });
    const page = await context.newPage();
    const scripts: string[] = [];
    page.on('request', (r) => r.resourceType() === 'script' && scripts.push(r.url()));

    let sent = nextPageview(page);
    await page.goto(`${home}/`);
    expect((await sent).status()).toBe(202);
    sent = nextPageview(page);
    await page.click('#hat');
    expect((await sent).status()).toBe(202);
    // /cart is excluded in the block's settings: its view is not sent; the next page's is.
    await page.click('#cart');
    await page.waitForURL(`${home}/cart`);
    sent = nextPageview(page);
    await page.click('#about');
    expect((await sent).status()).toBe(202);
    await context.close();

    expect(scripts).toEqual(Array(4).fill(`${h.collector.url}/t.js`));
    const views = (await h.stored()).filter((e) => e.name === 'pageview').sort((a, b) => a.ts - b.ts);
    expect(views.map((e) => [e.hostname, e.pathname])).toEqual([
      ['shop.example', '/'],
      ['shop.example', '/products/felt-hat'],
      ['shop.example', '/pages/about'],
    ]);
    // One visitor, in one visit.
    expect(new Set(views.map((e) => `${e.visitor} ${e.session}`)).size).toBe(1);
  });
});
