/**
 * The Cairn app of Astro's dev toolbar under a real `astro dev`, in headless Chromium: opened
 * from the toolbar, it shows this page's numbers and the site's dashboard as the collector counts
 * them, read with a view token the dev server minted from CAIRN_SITE_KEY (in the project's .env);
 * the key itself never reaches the browser. A screenshot goes to .cache/screenshots/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHarness, type Harness } from '@cairn/collector/testing';
import { launchChromium } from '@cairn/tracker/testing';
import { prepareAstro, startDev, type Server } from './astro.ts';

let h: Harness;
let dev: Server;
let browser: Browser;
let dir: string;

beforeAll(async () => {
  const [harness, fixture, chromium] = await Promise.all([startHarness({ domain: 'astro.example' }), prepareAstro('astro-dev'), launchChromium({ automationHidden: true })]);
  [h, dir, browser] = [harness, fixture, chromium];
  // Three visitors on the home page, two on /about.
  const seeds: [string, string][] = [['/', '10.0.0.1'], ['/', '10.0.0.2'], ['/', '10.0.0.3'], ['/about', '10.0.0.4'], ['/about', '10.0.0.5']];
  for (const [path, ip] of seeds) expect((await h.post({ s: h.siteId, n: 'pageview', u: `http://astro.example${path}` }, { 'x-forwarded-for': ip })).status).toBe(202);
  // Stats lag ingest by up to the load interval (5 s): load now, or a widget that asks sooner shows nothing.
  await h.collector.store.events.settle();
  writeFileSync(join(dir, '.env'), `CAIRN_SITE_KEY=${h.siteKey}\n`);
  dev = await startDev(dir, { CAIRN_TEST_SITE: h.siteId, CAIRN_TEST_API: h.collector.url });
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await dev?.stop();
  await h?.stop();
});

const stat = async (query: string) =>
  ((await (await fetch(`${h.collector.url}/api/stats/${h.siteId}/summary?period=30d${query}`, { headers: { authorization: `Bearer ${h.siteKey}` } })).json()) as { metrics: { visitors: number } }).metrics.visitors;

it('shows the page’s and the site’s numbers in the dev toolbar, with a view token and never the site key', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // Everything the browser receives: HTTP bodies and the dev server's WebSocket frames (the toolbar's channel).
  const received: Promise<string>[] = [];
  page.on('response', (r) => received.push(r.body().then((b) => b.toString('utf8'), () => '')));
  page.on('websocket', (ws) => ws.on('framereceived', (f) => received.push(Promise.resolve(String(f.payload)))));

  await page.goto(`http://localhost:${dev.port}/`);
  await page.locator('astro-dev-toolbar button[data-app-id="cairn"]').click();
  const pageStats = page.locator('cairn-page-stats');
  const dashboard = page.locator('cairn-dashboard');
  await pageStats.waitFor({ timeout: 30_000 });
  // Both widgets loaded (not loading, empty or in error): inside the toolbar's shadow roots.
  await page.waitForFunction(
    `(() => {
      const canvas = document.querySelector('astro-dev-toolbar').shadowRoot.querySelector('astro-dev-toolbar-app-canvas[data-app-id="cairn"]').shadowRoot;
      return ['cairn-page-stats', 'cairn-dashboard'].every((tag) => canvas.querySelector(tag)?.state === 'ready');
    })()`,
    null,
    { timeout: 30_000 },
  );

  expect(await pageStats.getAttribute('path')).toBe('/');
  const pageVisitors = await pageStats.locator('.value').first().textContent();
  const siteVisitors = await dashboard.locator('cairn-metric .value').first().textContent();
  expect([pageVisitors?.trim(), siteVisitors?.trim()]).toEqual([String(await stat(`&filters=${encodeURIComponent('[{"dimension":"page","op":"is","values":["/"]}]')}`)), String(await stat(''))]);
  expect([pageVisitors?.trim(), siteVisitors?.trim()]).toEqual(['3', '5']);

  mkdirSync('.cache/screenshots', { recursive: true });
  await page.waitForTimeout(1500); // the chart's drawing animation
  await page.screenshot({ path: '.cache/screenshots/astro-dev-toolbar.png' });

  const token = await pageStats.getAttribute('token');
  expect(token).toMatch(/^cairn_vt_/);
  const everything = (await Promise.all(received)).join('\n');
  expect(everything).toContain(token);
  expect(everything).not.toContain(h.siteKey);
  // Nor does the dev server hand out the .env file it was read from.
  for (const path of ['/.env', `/@fs${dir}/.env`]) expect(await (await fetch(`http://127.0.0.1:${dev.port}${path}`)).text()).not.toContain(h.siteKey);

  // A view-transition navigation with the app open: the app starts again on the new page, whose numbers it shows.
  await page.getByRole('link', { name: 'About' }).click();
  await page.waitForURL(/\/about$/);
  await expect.poll(() => pageStats.getAttribute('path'), { timeout: 15_000 }).toBe('/about');
  await page.waitForFunction(
    `['ready', 'empty'].includes(document.querySelector('astro-dev-toolbar').shadowRoot.querySelector('astro-dev-toolbar-app-canvas[data-app-id="cairn"]').shadowRoot.querySelector('cairn-page-stats')?.state)`,
    null,
    { timeout: 30_000 },
  );
  expect((await pageStats.locator('.path').textContent())?.trim()).toBe('/about');
  await page.close();
});
