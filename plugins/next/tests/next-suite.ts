/**
 * The end-to-end suite of @cairn/next, run against each Next major the peer range promises
 * (next.e2e.test.ts: Next 16, next15.e2e.test.ts: Next 15): a real app (plugins/next/fixture, built
 * with `next build` and served by `next start`) against a real collector, in headless Chromium.
 * Pageviews follow `next/link` navigations in the App Router and the Pages Router (exactly one per
 * navigation, with the route pattern), events go through the first-party proxy with the visitor's
 * address kept, a Route Handler's and a Server Action's server-side track() arrive with their id,
 * and <Dashboard /> shows the collector's numbers while the site key stays on the server.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '@cairn/tracker/testing';
import { CHROME_UA, postFrom, readTree, startHarness, type Harness } from '@cairn/collector/testing';
import { buildApp, startApp, typecheckSources, type NextApp } from './next-app.ts';

interface Sent {
  n: string;
  u: string;
  p?: Record<string, unknown>;
}

const pageviews = (sent: Sent[]) => sent.filter((e) => e.n === 'pageview').map((e) => [new URL(e.u).pathname, e.p?.route]);

/** Defines the suite for the Next that `install` puts in the fixture it returns the directory of. */
export function nextSuite(label: string, install: () => Promise<string>): void {
  let h: Harness;
  /** The fixture as is (the proxy is an App Router Route Handler)… */
  let app: NextApp;
  /** …and with i18n (the proxy is a Pages Router API route: Next does not rewrite to App Router routes there). */
  let i18nApp: NextApp;
  let browser: Browser;
  /** The app as visitors reach it: a real-looking host (the tracker ignores 127.0.0.1) on its port. */
  let site: string;
  const hostOf = (a: NextApp) => a.url.replace('127.0.0.1', 'next.example');

  beforeAll(async () => {
    [h, browser] = await Promise.all([startHarness({ domain: 'next.example' }), launchChromium({ automationHidden: true })]);
    const dir = await install();
    const env = { FIXTURE_COLLECTOR: h.collector.url, FIXTURE_SITE: h.siteId };
    // One build after the other: each takes both cores.
    await buildApp(dir, env);
    await buildApp(dir, { ...env, FIXTURE_I18N: '1' });
    // The site key is given to `next start` only: it was not there when the apps were built.
    [app, i18nApp] = await Promise.all([startApp(dir, { ...env, CAIRN_SITE_KEY: h.siteKey }), startApp(dir, { ...env, FIXTURE_I18N: '1', CAIRN_SITE_KEY: h.siteKey })]);
    site = hostOf(app);
  }, 900_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await i18nApp?.stop();
    await h?.stop();
  });

  /** A visitor's tab (a person's user agent), recording the events it posts and their answers. */
  async function visitor(host = site): Promise<{ page: Page; sent: Sent[] }> {
    const context = await browser.newContext({ userAgent: CHROME_UA, extraHTTPHeaders: { 'sec-ch-ua': '"Chromium";v="150", "Google Chrome";v="150"' } });
    const page = await context.newPage();
    const sent: Sent[] = [];
    page.on('request', (req) => {
      if (req.method() === 'POST' && req.url() === `${host}/_c/event`) sent.push(JSON.parse(req.postData() ?? '{}') as Sent);
    });
    return { page, sent };
  }

  /** Waits until the tab has posted a pageview of `path`, and the proxy answered 202. */
  async function pageviewOf(page: Page, path: string, host = site): Promise<void> {
    const res = await page.waitForResponse((r) => r.url() === `${host}/_c/event` && (r.request().postData() ?? '').includes(`"u":"${host}${path}"`) && (r.request().postData() ?? '').includes('"n":"pageview"'), { timeout: 20_000 });
    expect(res.status()).toBe(202);
  }

  /** A POST from another visitor, at 127.0.0.7 (with a person's user agent). */
  const from7 = (url: string, body: string, headers: Record<string, string> = {}) => postFrom('127.0.0.7', url, body, headers);

  const storedPageviews = async (paths: string[]) =>
    (await h.stored())
      .filter((e) => e.name === 'pageview' && paths.includes(e.pathname))
      .map((e) => [e.pathname, (JSON.parse(e.props ?? '{}') as { route?: string }).route]);

  describe(`${label}: <Analytics /> in the App Router`, () => {
    it('counts the first page and exactly one pageview per next/link navigation, with the route pattern', async () => {
      const { page, sent } = await visitor();
      const first = pageviewOf(page, '/');
      await page.goto(`${site}/`);
      await first;
      // The tracker is bundled into the app's own JavaScript: no third-party script, no script tag.
      // (src ending in "/t.js": a chunk whose hash ends in "t" also has "t.js" in its name.)
      expect(await page.evaluate('document.querySelectorAll("script[src$=\\"/t.js\\"], script[data-site]").length')).toBe(0);

      const second = pageviewOf(page, '/blog/hello-world');
      await page.getByRole('link', { name: 'Hello world' }).click();
      await page.waitForURL(`${site}/blog/hello-world`);
      await second;
      // A third page: any duplicate of the second would have been posted before its pageview.
      const third = pageviewOf(page, '/blog/second-post');
      await page.getByRole('link', { name: 'Second post' }).click();
      await third;

      // Back: one pageview too, counted once the router rendered the page, with its route.
      const back = pageviewOf(page, '/blog/hello-world');
      await page.goBack();
      await back;

      expect(pageviews(sent)).toEqual([
        ['/', '/'],
        ['/blog/hello-world', '/blog/[slug]'],
        ['/blog/second-post', '/blog/[slug]'],
        ['/blog/hello-world', '/blog/[slug]'],
      ]);
      expect(await storedPageviews(['/', '/blog/hello-world', '/blog/second-post'])).toEqual([
        ['/', '/'],
        ['/blog/hello-world', '/blog/[slug]'],
        ['/blog/second-post', '/blog/[slug]'],
        ['/blog/hello-world', '/blog/[slug]'],
      ]);
      await page.context().close();
    });

    it('works under a strict Content Security Policy (nonces, connect-src \'self\') with nothing to configure', async () => {
      const { page, sent } = await visitor();
      const violations: string[] = [];
      await page.addInitScript('addEventListener("securitypolicyviolation", (e) => (window.__violations ??= []).push(e.violatedDirective + " " + e.blockedURI))');
      page.on('console', (m) => /Content Security Policy/i.test(m.text()) && violations.push(m.text()));
      const loaded = pageviewOf(page, '/blog/strict');
      const res = await page.goto(`${site}/blog/strict`);
      expect(res?.headers()['content-security-policy']).toMatch(/script-src 'nonce-[^']+' 'strict-dynamic'; connect-src 'self'/);
      await loaded;
      expect(pageviews(sent)).toEqual([['/blog/strict', '/blog/[slug]']]);
      expect(await page.evaluate('window.__violations ?? []')).toEqual([]);
      expect(violations).toEqual([]);
      await page.context().close();
    });
  });

  describe(`${label}: <Analytics /> in the Pages Router (pages/_app)`, () => {
    it.each([
      ['as is', () => app],
      ['with i18n', () => i18nApp],
    ])('counts exactly one pageview per next/link navigation, with router.pathname as the route (%s)', async (_, which) => {
      const host = hostOf(which());
      const { page, sent } = await visitor(host);
      const first = pageviewOf(page, '/shop', host);
      await page.goto(`${host}/shop`);
      await first;
      const second = pageviewOf(page, '/shop/blue-mug', host);
      await page.getByRole('link', { name: 'Blue mug' }).click();
      await second;
      const third = pageviewOf(page, '/shop/red-mug', host);
      await page.getByRole('link', { name: 'Red mug' }).click();
      await third;
      expect(pageviews(sent)).toEqual([
        ['/shop', '/shop'],
        ['/shop/blue-mug', '/shop/[item]'],
        ['/shop/red-mug', '/shop/[item]'],
      ]);
      await page.context().close();
    });

    it('keeps the locale in the path and out of the route pattern (i18n)', async () => {
      const host = hostOf(i18nApp);
      const { page, sent } = await visitor(host);
      const localized = pageviewOf(page, '/fr/shop/blue-mug', host);
      await page.goto(`${host}/fr/shop/blue-mug`);
      await localized;
      const next = pageviewOf(page, '/fr/shop/red-mug', host);
      await page.getByRole('link', { name: 'Red mug' }).click();
      await next;
      expect(pageviews(sent)).toEqual([
        ['/fr/shop/blue-mug', '/shop/[item]'],
        ['/fr/shop/red-mug', '/shop/[item]'],
      ]);
      expect(await storedPageviews(['/fr/shop/blue-mug', '/fr/shop/red-mug'])).toEqual([
        ['/fr/shop/blue-mug', '/shop/[item]'],
        ['/fr/shop/red-mug', '/shop/[item]'],
      ]);
      await page.context().close();
    });
  });

  describe(`${label}: the first-party proxy (withCairn() rewrites, a Route Handler, beside the app’s own proxy or middleware)`, () => {
    it('serves the tracker script from the site’s origin', async () => {
      const res = await fetch(`${app.url}/_c/script.js`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/javascript/);
      expect(res.headers.get('x-fixture-proxy')).toBe('/_c/script.js');
      expect(await res.text()).toBe(await (await fetch(`${h.collector.url}/t.js`)).text());
    });

    it('keeps the browser’s address and user agent in the visitor hash', async () => {
      // The browser (127.0.0.1, CHROME_UA) posted through the proxy; the same event posted straight
      // to the collector as that address gets the same visitor id, another address does not.
      const { page } = await visitor();
      const loaded = pageviewOf(page, '/blog/address-check');
      await page.goto(`${site}/blog/address-check`);
      await loaded;
      await page.context().close();
      const browserView = (await h.stored()).find((e) => e.name === 'pageview' && e.pathname === '/blog/address-check');
      expect(browserView).toBeDefined();
      const direct = async (ip: string, name: string) => {
        expect((await h.post({ s: h.siteId, n: name, u: `${site}/direct` }, { 'x-forwarded-for': ip })).status).toBe(202);
        return (await h.stored()).find((e) => e.name === name)!.visitor;
      };
      expect(await direct('127.0.0.1', 'direct-same')).toBe(browserView!.visitor);
      expect(await direct('127.0.0.8', 'direct-other')).not.toBe(browserView!.visitor);
    });

    it.each([
      ['the App Router Route Handler', () => app, 'proxied'],
      ['the Pages Router API route (i18n)', () => i18nApp, 'proxied-pages'],
    ])('forwards an address that is not the Next server’s own (a visitor at 127.0.0.7), through %s', async (_, which, name) => {
      // 127.0.0.1 is also the address the Next server itself connects from: a visitor on another
      // address proves the proxy forwards it rather than the collector seeing the server.
      const body = JSON.stringify({ s: h.siteId, n: name, u: `${site}/proxy-check` });
      const via = async (url: string, headers: Record<string, string> = {}) => (await from7(url, body, headers)).status;
      expect(await via(`${which().url}/_c/event`)).toBe(202);
      expect(await via(`${h.collector.url}/api/event`, { 'x-forwarded-for': '127.0.0.7' })).toBe(202);
      expect(await via(`${h.collector.url}/api/event`, { 'x-forwarded-for': '127.0.0.8' })).toBe(202);
      // A prefetch through the proxy: Sec-Purpose is forwarded, so the collector drops it as it would a direct one.
      const prefetch = JSON.stringify({ s: h.siteId, n: `${name}-prefetch`, u: `${site}/proxy-check` });
      expect((await from7(`${which().url}/_c/event`, prefetch, { 'sec-purpose': 'prefetch' })).status).toBe(202);
      expect((await h.stored()).filter((e) => e.name === `${name}-prefetch`)).toEqual([]);
      const visitors = (await h.stored()).filter((e) => e.name === name).map((e) => e.visitor);
      expect(visitors).toHaveLength(3);
      expect(visitors[0]).toBe(visitors[1]);
      expect(visitors[2]).not.toBe(visitors[0]);
    });
  });

  describe(`${label}: track() on the server`, () => {
    it('sends a Route Handler’s event as the visitor, with its id, once however often it is retried', async () => {
      const { page } = await visitor();
      const loaded = pageviewOf(page, '/blog/tracked');
      await page.goto(`${site}/blog/tracked`);
      await loaded;
      const call = (id?: string) =>
        page.evaluate(`fetch('/api/signup', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(${JSON.stringify({ id })}) }).then((r) => r.json())`) as Promise<{ id: string; status: number }>;
      const first = await call();
      expect(first.status).toBe(202);
      expect(first.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(await call(first.id)).toEqual(first);

      const stored = await h.stored();
      const signups = stored.filter((e) => e.name === 'signup');
      expect(signups).toHaveLength(1);
      expect(signups[0]).toMatchObject({ clientId: first.id, pathname: '/blog/tracked', hostname: 'next.example', props: JSON.stringify({ plan: 'pro' }) });
      // The visitor who clicked, not the server: the same hash as the tab's own pageview.
      const view = stored.find((e) => e.name === 'pageview' && e.pathname === '/blog/tracked');
      expect(signups[0]!.visitor).toBe(view!.visitor);
      await page.context().close();

      // From 127.0.0.7 (not the server's own address): the visitor the collector gives 127.0.0.7.
      const called = JSON.parse((await from7(`${app.url}/api/signup`, '{}', { 'content-type': 'application/json', referer: `${site}/pricing` })).body) as { id: string };
      expect((await h.post({ s: h.siteId, n: 'signup-direct', u: `${site}/pricing` }, { 'x-forwarded-for': '127.0.0.7' })).status).toBe(202);
      const after = await h.stored();
      const remote = after.find((e) => e.clientId === called.id);
      expect(remote).toMatchObject({ name: 'signup', pathname: '/pricing' });
      expect(remote!.visitor).toBe(after.find((e) => e.name === 'signup-direct')!.visitor);
      expect(remote!.visitor).not.toBe(view!.visitor);
    });

    it('sends a Server Action’s event as the visitor, with its id, for the page the form was on', async () => {
      const { page } = await visitor();
      const loaded = pageviewOf(page, '/newsletter');
      await page.goto(`${site}/newsletter`);
      await loaded;
      await page.getByRole('button', { name: 'Subscribe' }).click();
      const id = await (await page.waitForSelector('#event')).textContent();
      expect(id).toMatch(/^[0-9a-f-]{36}$/);

      const stored = await h.stored();
      const event = stored.find((e) => e.name === 'newsletter');
      expect(event).toMatchObject({ clientId: id, pathname: '/newsletter', props: JSON.stringify({ list: 'weekly' }) });
      const view = stored.find((e) => e.name === 'pageview' && e.pathname === '/newsletter');
      expect(event!.visitor).toBe(view!.visitor);
      await page.context().close();
    });
  });

  describe(`${label}: <Dashboard /> with a view token minted on the server`, () => {
    it('renders the collector’s numbers, and the site key never reaches the browser', async () => {
      // Three more visitors (three addresses), straight to the collector.
      for (const ip of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) {
        expect((await h.post({ s: h.siteId, n: 'pageview', u: `${site}/seeded` }, { 'x-forwarded-for': ip })).status).toBe(202);
      }
      await h.stored(); // settled: the stats API counts them
      const summary = (await (await fetch(`${h.collector.url}/api/stats/${h.siteId}/summary?period=30d`, { headers: { authorization: `Bearer ${h.siteKey}` } })).json()) as { metrics: { visitors: number; pageviews: number } };
      expect(summary.metrics.visitors).toBeGreaterThanOrEqual(3);

      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const received: Promise<string>[] = [];
      page.on('response', (res) => received.push(res.text().then((text) => `${res.url()}\n${text}`, () => res.url())));
      await page.goto(`${site}/stats`);
      await page.waitForFunction(`document.querySelector('cairn-dashboard')?.state === 'ready'`, null, { timeout: 30_000 });
      const visitors = await page.evaluate(`document.querySelector('cairn-dashboard').shadowRoot.querySelector('cairn-metric').shadowRoot.querySelector('.value').textContent.trim()`);
      expect(visitors).toBe(String(summary.metrics.visitors));
      expect(await page.getAttribute('cairn-dashboard', 'token')).toMatch(/^cairn_vt_/);
      mkdirSync('.cache/screenshots', { recursive: true });
      await page.screenshot({ path: `.cache/screenshots/next-dashboard-${label.replace(/\W+/g, '').toLowerCase()}.png` });

      const bodies = await Promise.all(received);
      expect(bodies.length).toBeGreaterThan(3);
      for (const body of bodies) expect(body).not.toContain(h.siteKey);
      expect(await page.content()).not.toContain(h.siteKey);
      // Nor is it in anything the build wrote for browsers (it was not even set at build time).
      for (const file of await readTree(`${app.dir}/.next/static`)) expect(file.bytes.includes(h.siteKey)).toBe(false);
      await page.close();
    });
  });

  describe(`${label}: the package`, () => {
    it('keeps "use client" at the top of the client entries it publishes', () => {
      for (const file of ['analytics.js', 'pages.js', 'dashboard.js']) {
        expect(readFileSync(`${app.dir}/node_modules/@cairn/next/dist/${file}`, 'utf8').startsWith("'use client';")).toBe(true);
      }
    });

    it('typechecks (strict, isolated declarations) against the Next and React the fixture installs', async () => {
      expect(await typecheckSources(app.dir)).toBe('');
    }, 300_000);
  });
}
