/**
 * @cairn/astro on a real Astro site: the fixture (view transitions, a dynamic route, an
 * on-demand route, the node adapter) installed from the packed packages, built with `astro build`,
 * served by the adapter's standalone server, visited in headless Chromium, with events reaching a
 * real collector through the integration's first-party endpoint. On the newest Astro (the
 * fixture's pins) and on the oldest major of the peer range.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROME_UA, postFrom, startHarness, type Harness } from '@cairn/collector/testing';
import { launchChromium } from '@cairn/tracker/testing';
import { ASTRO_5, astroBuild, prepareAstro, startBuilt, type Server } from './astro.ts';

describe.each([
  ['Astro 7', 'astro-site', undefined],
  ['Astro 5', 'astro5-site', ASTRO_5],
])('%s', (_, fixture, pins) => {
  let h: Harness;
  let site: Server;
  let browser: Browser;
  /** The site as a visitor reaches it: a real-looking host (the tracker ignores 127.0.0.1). */
  let home: string;

  beforeAll(async () => {
    const [harness, dir, chromium] = await Promise.all([startHarness({ domain: 'astro.example' }), prepareAstro(fixture, pins), launchChromium({ automationHidden: true })]);
    [h, browser] = [harness, chromium];
    await astroBuild(dir, { CAIRN_TEST_SITE: h.siteId, CAIRN_TEST_API: h.collector.url, CAIRN_TEST_PROXY: '1' });
    site = await startBuilt(dir);
    home = `http://astro.example:${site.port}`;
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await site?.stop();
    await h?.stop();
  });

  /** A visitor's browser: a person's user agent and client hints (headless Chromium's are dropped as a bot's). */
  const visitor = () => browser.newContext({ userAgent: CHROME_UA, extraHTTPHeaders: { 'sec-ch-ua': '"Chromium";v="150", "Google Chrome";v="150"' } });

  /** Resolves with the next pageview the page sends (not the previous page's engagement), once the site's endpoint has answered. */
  const nextEvent = (page: Page) =>
    page.waitForResponse((r) => new URL(r.url()).pathname === '/_c/event' && /"n":"pageview"/.test(r.request().postData() ?? ''), { timeout: 15_000 });

  const pageviews = async () =>
    (await h.stored()).filter((e) => e.name === 'pageview').map((e) => ({ path: e.pathname, route: (JSON.parse(e.props ?? '{}') as { route?: string }).route }));

  describe('in the browser', () => {
    it('counts the first load once and each view-transition navigation once, with the route pattern (prerendered or on demand), and custom events', async () => {
      const page = await (await visitor()).newPage();
      let first = nextEvent(page);
      await page.goto(`${home}/`);
      expect((await first).status()).toBe(202);

      // Each click is a client-side navigation (no document load), counted once at astro:page-load.
      const steps: [string, string][] = [['#hello', '/blog/hello'], ['#live', '/live/42'], ['#about', '/about']];
      for (const [link, path] of steps) {
        first = nextEvent(page);
        await page.click(link);
        expect((await first).status()).toBe(202);
        expect(new URL(page.url()).pathname.replace(/\/$/, '')).toBe(path);
      }
      // A custom event from the page's own script, through the tracker the integration started.
      const signup = page.waitForResponse((r) => /"n":"signup"/.test(r.request().postData() ?? ''));
      await page.click('#signup');
      expect((await signup).status()).toBe(202);
      // Back: the tracker counts it at popstate, before the router swaps the page in.
      first = nextEvent(page);
      await page.goBack();
      expect((await first).status()).toBe(202);
      expect(await page.evaluate('performance.getEntriesByType("navigation").length')).toBe(1);
      await page.waitForFunction('document.querySelector("h1").textContent === "Live 42"');

      // Every navigation was followed by an acknowledged event before the next one started: a second
      // pageview for any of them would sit between these.
      const views = (await pageviews()).map((v) => ({ ...v, path: v.path.replace(/(.)\/$/, '$1') }));
      expect(views).toEqual([
        { path: '/', route: '/' },
        { path: '/blog/hello', route: '/blog/[slug]' },
        { path: '/live/42', route: '/live/[id]' },
        { path: '/about', route: '/about' },
        { path: '/live/42', route: '/live/[id]' },
      ]);
      const signups = (await h.stored()).filter((e) => e.name === 'signup');
      expect(signups.map((e) => [e.pathname.replace(/(.)\/$/, '$1'), JSON.parse(e.props ?? '{}')])).toEqual([['/about', { plan: 'pro' }]]);
      await page.context().close();
    });
  });

  describe('the first-party endpoint', () => {
    it('is where the browser sends events, and it forwards the visitor’s address and user agent', async () => {
      const page = await (await visitor()).newPage();
      const sent = nextEvent(page);
      await page.goto(`${home}/blog/world`);
      const res = await sent;
      expect(res.status()).toBe(202);
      expect(res.url()).toBe(`${home}/_c/event`);
      await page.context().close();

      // The browser's event (through the endpoint) and one sent straight to the collector as the
      // browser's address (127.0.0.1) with its user agent belong to the same visitor.
      expect((await h.post({ s: h.siteId, n: 'direct', u: `${home}/blog/world` }, { 'x-forwarded-for': '127.0.0.1' })).status).toBe(202);
      // The browser and this server share 127.0.0.1 here, so show the forwarding from another
      // address too (127.0.0.7): through the endpoint, it is the visitor 127.0.0.7 and not 127.0.0.1.
      const body = JSON.stringify({ s: h.siteId, n: 'proxied', u: `${home}/proxy-check` });
      const via = async (url: string, headers: Record<string, string> = {}, payload = body) => (await postFrom('127.0.0.7', url, payload, headers)).status;
      // Astro's checkOrigin refuses a text/plain POST from elsewhere; the tracker's are same-origin.
      const host = `astro.example:${site.port}`;
      expect(await via(`http://127.0.0.1:${site.port}/_c/event`, { host, origin: `http://${host}` })).toBe(202);
      // A body over the collector's cap is refused by the endpoint itself, not forwarded.
      expect(await via(`http://127.0.0.1:${site.port}/_c/event`, { host, origin: `http://${host}` }, 'x'.repeat(65_537))).toBe(413);
      expect(await via(`${h.collector.url}/api/event`, { 'x-forwarded-for': '127.0.0.7' })).toBe(202);
      // A prefetch through the endpoint: Sec-Purpose is forwarded, so the collector drops it.
      const prefetch = JSON.stringify({ s: h.siteId, n: 'prefetched', u: `${home}/proxy-check` });
      expect(await via(`http://127.0.0.1:${site.port}/_c/event`, { host, origin: `http://${host}`, 'sec-purpose': 'prefetch' }, prefetch)).toBe(202);

      const events = await h.stored();
      expect(events.filter((e) => e.name === 'prefetched')).toEqual([]);
      const world = events.find((e) => e.name === 'pageview' && e.pathname.startsWith('/blog/world'));
      const direct = events.find((e) => e.name === 'direct');
      const proxied = events.filter((e) => e.name === 'proxied').map((e) => e.visitor);
      expect(world?.visitor).toBeTruthy();
      expect(world?.visitor).toBe(direct?.visitor);
      expect(proxied).toHaveLength(2);
      expect(proxied[0]).toBe(proxied[1]);
      expect(proxied[0]).not.toBe(world?.visitor);
    });
  });
});
