/**
 * @cairn/tracker/react in a real React 19 app (tracker/fixtures/react-app, built with Vite, the
 * packed package installed as users install it) in headless Chromium, against a real collector;
 * once as a production build and once as a development build, where StrictMode runs every mount
 * effect twice. <CairnProvider> counts the first page, useCairn().track() sends its event (one
 * from a mount effect too, made before the tracker started), and each client-side route change
 * is exactly one pageview: counted by the tracker (pushState), or by the app's own pageview() with
 * its route pattern. What the browser sent is what the collector stored, nothing twice.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROME_UA, startHarness, type Harness } from '@cairn/collector/testing';
import { launchChromium } from './testing/browser.ts';
import { buildReactApp, installReactApp, serveReactApp } from './testing/react-app.ts';

interface Sent {
  n: string;
  u: string;
  p?: Record<string, unknown>;
}

/** An event as [name, path, props], for what the browser sent and what the collector stored alike. */
type Row = [name: string, path: string, props: Record<string, unknown> | null];

let dir: string;
let browser: Browser;
beforeAll(async () => {
  // The first install downloads React and Vite from npm; later runs reuse it.
  [dir, browser] = await Promise.all([installReactApp(), launchChromium({ automationHidden: true })]);
}, 600_000);
afterAll(() => browser?.close());

describe.each([
  { mode: 'production', effectRuns: '1' },
  { mode: 'development', effectRuns: '2' },
] as const)('a $mode build', ({ mode, effectRuns }) => {
  let h: Harness;
  let app: Awaited<ReturnType<typeof serveReactApp>>;
  /** The app as visitors reach it: a real-looking host (the tracker ignores 127.0.0.1), the site's domain. */
  let origin: string;

  beforeAll(async () => {
    h = await startHarness({ domain: 'react.example' });
    // Every hostname is 127.0.0.1 in this browser: the collector is collector.test.
    const outDir = await buildReactApp(dir, mode, { site: h.siteId, api: `http://collector.test:${h.collector.port}/api/event` });
    app = await serveReactApp(outDir);
    origin = `http://react.example:${app.port}`;
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await h?.stop();
  });

  /** A visitor's tab, recording the events it posts (engaged time aside) and the errors it logs. */
  async function visit(path: string): Promise<{ page: Page; sent: () => Row[]; errors: string[] }> {
    const page = await (await browser.newContext({ userAgent: CHROME_UA })).newPage();
    const sent: Sent[] = [];
    const errors: string[] = [];
    page.on('request', (req) => {
      if (req.method() === 'POST' && req.url().endsWith('/api/event')) sent.push(JSON.parse(req.postData() ?? '{}') as Sent);
    });
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (msg) => void (msg.type() === 'error' && errors.push(msg.text())));
    await page.goto(origin + path);
    const rows = () => sent.filter((e) => e.n !== 'engagement').map((e): Row => [e.n, new URL(e.u).pathname, e.p ?? null]);
    return { page, sent: rows, errors };
  }

  /**
   * What the collector stored for `paths` (engaged time aside) once it holds `count` such events,
   * sorted: beacons travel on their own connections and may arrive in any order.
   */
  async function stored(paths: string[], count: number): Promise<string[]> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const events = (await h.stored()).filter((e) => e.name !== 'engagement' && paths.includes(e.pathname));
      if (events.length >= count || Date.now() > deadline) {
        return sorted(events.map((e): Row => [e.name, e.pathname, e.props ? (JSON.parse(e.props) as Record<string, unknown>) : null]));
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const sorted = (rows: Row[]) => rows.map((r) => JSON.stringify(r)).sort();

  /** Waits until the browser has posted `row` `times` times: a pageview or an event ends an action. */
  async function posted(sent: () => Row[], row: Row, times = 1): Promise<void> {
    const text = JSON.stringify(row);
    await expect.poll(() => sent().filter((r) => JSON.stringify(r) === text).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(times);
  }

  it('counts the first page, useCairn() events and exactly one pageview per client-side route change', async () => {
    const { page, sent, errors } = await visit('/');
    await posted(sent, ['app-ready', '/', { from: 'effect' }]);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await posted(sent, ['signup', '/', { plan: 'pro' }]);
    await page.getByRole('link', { name: 'Pricing' }).click();
    await page.getByRole('heading', { name: 'Pricing' }).waitFor();
    // A second event after the route change: a pageview counted twice would have been posted before it.
    await page.getByRole('button', { name: 'Sign up' }).click();
    await posted(sent, ['signup', '/pricing', { plan: 'pro' }]);

    const expected: Row[] = [
      ['pageview', '/', null],
      // Made in a mount effect, before the provider's effect started the tracker: it waited for it.
      ['app-ready', '/', { from: 'effect' }],
      ['signup', '/', { plan: 'pro' }],
      ['pageview', '/pricing', null],
      ['signup', '/pricing', { plan: 'pro' }],
    ];
    expect(sent()).toEqual(expected);
    expect(await stored(['/', '/pricing'], expected.length)).toEqual(sorted(expected));
    // StrictMode did run the mount effects twice in the development build.
    expect(await page.evaluate(() => document.documentElement.dataset.effects)).toBe(effectRuns);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("counts the pages of an app that calls pageview() itself (disable: ['spa']) once each, with the latest route pattern", async () => {
    const { page, sent, errors } = await visit('/docs/');
    await posted(sent, ['pageview', '/docs/', { route: '/docs/' }]);
    await page.getByRole('link', { name: 'Install' }).click();
    await posted(sent, ['pageview', '/docs/install', { route: '/docs/:page' }]);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await posted(sent, ['signup', '/docs/install', { plan: 'pro' }]);
    // Back: the tracker's own popstate handling is off with 'spa'; the app counts it.
    await page.goBack();
    await posted(sent, ['pageview', '/docs/', { route: '/docs/' }], 2);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await posted(sent, ['signup', '/docs/', { plan: 'pro' }]);

    const expected: Row[] = [
      ['pageview', '/docs/', { route: '/docs/' }],
      ['pageview', '/docs/install', { route: '/docs/:page' }],
      ['signup', '/docs/install', { plan: 'pro' }],
      ['pageview', '/docs/', { route: '/docs/' }],
      ['signup', '/docs/', { plan: 'pro' }],
    ];
    expect(sent()).toEqual(expected);
    expect(await stored(['/docs/', '/docs/install'], expected.length)).toEqual(sorted(expected));
    expect(await page.evaluate(() => document.documentElement.dataset.effects)).toBe(effectRuns);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
