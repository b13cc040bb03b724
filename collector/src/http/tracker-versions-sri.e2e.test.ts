/**
 * The versioned tracker as Webflow embeds a registered script, in Chromium: a
 * `<script src=VERSIONED integrity=… crossorigin=anonymous>` on another origin loads and runs (SRI
 * and CORS together), loads the Web Vitals chunk of its own version, and its pageview lands; the
 * same tag with another hash is refused by the browser.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium, startSite, type Site } from '@cairn/tracker/testing';
import { CHROME_UA, startHarness, type Harness } from '../testing/harness.ts';
import type { TrackerAnswer } from './tracker-routes.ts';

let browser: Browser;
let site: Site;
let h: Harness;
let tracker: TrackerAnswer;
/** The announced URLs name the public URL; in this browser the collector is collector.test. */
let onCollector: (url: string) => string;

beforeAll(async () => {
  [browser, site, h] = await Promise.all([launchChromium({ automationHidden: true }), startSite(), startHarness()]);
  tracker = (await (await fetch(`${h.collector.url}/api/tracker`)).json()) as TrackerAnswer;
  onCollector = (url) => `http://collector.test:${h.collector.port}${new URL(url).pathname}`;
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
  await h?.stop();
});

/** Opens `html` as a page of example.com; returns the page, the URLs it requested and its console. */
async function open(path: string, html: string): Promise<{ page: Page; requested: string[]; console: string[] }> {
  const context = await browser.newContext({ userAgent: CHROME_UA });
  const page = await context.newPage();
  const requested: string[] = [];
  const console: string[] = [];
  page.on('request', (r) => requested.push(r.url()));
  page.on('console', (m) => console.push(m.text()));
  await page.goto(site.page(path, html));
  return { page, requested, console };
}

const tag = (integrity: string) =>
  `<script defer src="${onCollector(tracker.url)}" integrity="${integrity}" crossorigin="anonymous" data-site="${h.siteId}" data-api="http://collector.test:${h.collector.port}/api/event" data-vitals></script>`;

it('runs with its SRI hash from another origin, loads its own version’s Web Vitals chunk, and counts the page', async () => {
  const { page, requested } = await open('/pinned', `<!doctype html><title>Pinned</title>${tag(tracker.integrity)}<p>hello</p>`);
  await expect.poll(() => page.evaluate('typeof window.cairn === "function" && window.cairn.t')).toBe(1);
  const vitals = onCollector(tracker.vitals.url);
  await expect.poll(() => requested).toContain(vitals);
  expect(requested.filter((u) => u.includes('t-v.js'))).toEqual([vitals]);
  const chunk = await page.evaluate(`fetch(${JSON.stringify(vitals)}).then((r) => r.status)`);
  expect(chunk).toBe(200);
  await expect.poll(async () => (await h.stored()).filter((e) => e.name === 'pageview' && e.pathname === '/pinned').length).toBe(1);
  await page.context().close();
});

it('is refused by the browser when the hash is not the one of these bytes', async () => {
  const wrong = `sha384-${Buffer.alloc(48, 7).toString('base64')}`;
  const { page, console } = await open('/wrong-hash', `<!doctype html><title>Wrong</title>${tag(wrong)}<p>hello</p>`);
  await expect.poll(() => console.join('\n')).toMatch(/integrity/i);
  expect(await page.evaluate('typeof window.cairn')).toBe('undefined');
  await page.context().close();
});
