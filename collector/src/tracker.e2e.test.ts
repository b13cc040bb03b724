/**
 * The whole path in a real browser: a page on example.com loads t.js from the collector, the
 * visitor reads and clicks, and the events land enriched in the embedded store.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { closeTab, launchChromium, startSite, type Site } from '@cairn/tracker/testing';
import { CHROME_UA, startHarness, type Harness } from './testing/harness.ts';

let browser: Browser;
let site: Site;
let h: Harness;

beforeAll(async () => {
  [browser, site, h] = await Promise.all([launchChromium({ automationHidden: true }), startSite(), startHarness()]);
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
  await h?.stop();
});

it('serves t.js, and the events it sends land enriched in the store', async () => {
  // Any hostname reaches 127.0.0.1 in this browser: the collector lives at collector.test.
  const collector = `http://collector.test:${h.collector.port}`;
  const url = site.page(
    '/pricing',
    `<!doctype html><title>Pricing</title>
<script defer src="${collector}/t.js" data-site="${h.siteId}" data-api="${collector}/api/event"></script>
<a id="out" href="https://partner.example.net/deal">partner</a><div style="height:3000px"></div>`,
  );
  const context = await browser.newContext({ userAgent: CHROME_UA, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${url}?utm_source=newsletter&utm_medium=email`, { referer: 'https://news.ycombinator.com/item?id=1' });
  await page.click('#out', { button: 'middle' });
  await page.mouse.wheel(0, 1500);
  await page.waitForTimeout(700);
  await page.evaluate(`window.cairn('signup', { plan: 'pro' })`);
  await closeTab(page);
  await context.close();

  let stored = await h.stored();
  for (let i = 0; i < 50 && stored.length < 4; i++) {
    await new Promise((r) => setTimeout(r, 100));
    stored = await h.stored();
  }
  expect(stored.map((e) => e.name).sort()).toEqual(['engagement', 'outbound', 'pageview', 'signup']);
  const view = stored.find((e) => e.name == 'pageview')!;
  expect(view).toMatchObject({
    hostname: 'example.com',
    pathname: '/pricing',
    query: 'utm_source=newsletter&utm_medium=email',
    source: 'newsletter',
    medium: 'email',
    referrerHost: 'news.ycombinator.com',
    browser: 'Chrome',
    device: 'desktop',
    screenWidth: 1280,
  });
  // One visit: the same visitor and session on every event.
  expect(new Set(stored.map((e) => `${e.visitor}/${e.session}`)).size).toBe(1);
  expect(JSON.parse(stored.find((e) => e.name == 'outbound')!.props!)).toEqual({ to: 'https://partner.example.net/deal' });
  const engagement = stored.find((e) => e.name == 'engagement')!;
  expect(engagement.engagedMs).toBeGreaterThan(300);
  expect(engagement.scrollDepth).toBeGreaterThan(50);
});

it('serves t.js with caching, a version to pin, and CORS for every site', async () => {
  const res = await fetch(`${h.collector.url}/t.js`, { headers: { 'accept-encoding': 'gzip' } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  expect(res.headers.get('access-control-allow-origin')).toBe('*');
  expect(res.headers.get('cache-control')).toContain('max-age=3600');
  const etag = res.headers.get('etag')!;
  const version = etag.replaceAll('"', '');
  expect((await res.text()).length).toBeGreaterThan(1000);
  const pinned = await fetch(`${h.collector.url}/t.js?v=${version}`);
  expect(pinned.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  const again = await fetch(`${h.collector.url}/t.js`, { headers: { 'if-none-match': etag } });
  expect(again.status).toBe(304);
  const chunk = await fetch(`${h.collector.url}/t-v.js`);
  expect(chunk.status).toBe(200);
  expect(await chunk.text()).toContain('TTFB');
});
