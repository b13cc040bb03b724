/**
 * What the tracker's browser suites share: the built t.js (and t-v.js, index.js) on one local site
 * served as http://example.com:PORT, one headless Chromium per test file, pages closed and
 * recorded requests forgotten after each test. Every test asserts on the requests the script sends
 * (or does not send).
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { launchChromium, openTab, startSite, type Site } from './browser.ts';

/** An event as t.js sends it. */
export type Ev = { s: string; n: string; u: string; r?: string; w?: number; p?: Record<string, unknown>; d?: number; sd?: number };

const dist = new URL('../../dist/', import.meta.url).pathname;
export let browser: Browser;
export let site: Site;
/** Pages of the current test, closed after it. */
export const pages: Page[] = [];

/** Starts the browser and the site for the calling test file, and cleans up after each test. */
export function useTrackerSite(): void {
  beforeAll(async () => {
    [browser, site] = await Promise.all([launchChromium({ automationHidden: true }), startSite()]);
    site.file('/t.js', readFileSync(`${dist}t.js`), 'text/javascript');
    site.file('/t-v.js', readFileSync(`${dist}t-v.js`), 'text/javascript');
    site.file('/index.js', readFileSync(`${dist}index.js`), 'text/javascript');
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });
  afterEach(async () => {
    for (const p of pages.splice(0)) if (!p.isClosed()) await p.close();
    // Beacons of closing pages may still be on their way: let them land before the next test.
    await new Promise((r) => setTimeout(r, 50));
    site.clear();
  });
}

/** A page with the tracker tag; `attrs` adds data-* attributes, `body` the page's content. */
export function fixture(path: string, { attrs = '', head = '', body = '' } = {}): string {
  return site.page(
    path,
    `<!doctype html><html><head><title>${path}</title>${head}
<script defer src="/t.js" data-site="site1" data-api="${site.origin}/api/event" ${attrs}></script></head>
<body style="margin:0">${body}</body></html>`,
  );
}

/** Opens `url` in a new tab of the default context (which `hideTab` can hide); `init` runs first. */
export async function open(url: string, init?: (page: Page) => Promise<unknown>): Promise<Page> {
  const page = await openTab(browser);
  pages.push(page);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  (page as Page & { errors: string[] }).errors = errors;
  await init?.(page);
  await page.goto(url);
  return page;
}

export const events = () => site.events<Ev>();
export const names = () => events().map((e) => e.n);

/** Waits until `n` events named `name` arrived (other events may arrive in between). */
export async function waitFor(name: string, n: number, timeoutMs = 5000): Promise<Ev[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = events().filter((e) => e.n == name);
    if (found.length >= n) return found;
    if (Date.now() > deadline) throw new Error(`expected ${n} ${name} events, got: ${JSON.stringify(events())}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
export const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));
