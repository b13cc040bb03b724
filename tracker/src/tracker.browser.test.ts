/**
 * The built t.js in headless Chromium: pageviews, custom events and Web Vitals (the shared setup:
 * testing/tracker-suite.ts). Every test asserts on the requests the script sends.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { closeTab, hideTab, openTab } from './testing/browser.ts';
import { browser, events, fixture, names, open, pages, settle, site, useTrackerSite, waitFor, type Ev } from './testing/tracker-suite.ts';

useTrackerSite();

describe('pageviews', () => {
  it('counts the page on load with its URL, referrer and width', async () => {
    const url = `${fixture('/article')}?utm_source=news#top`;
    const page = await openTab(browser);
    pages.push(page);
    await page.goto(url, { referer: 'https://www.google.com/' });
    const [ev] = await site.waitForEvents<Ev>(1);
    expect(ev).toMatchObject({ s: 'site1', n: 'pageview', u: `${site.origin}/article?utm_source=news`, r: 'https://www.google.com/' });
    expect(ev!.w).toBeGreaterThan(0);
    expect(site.requests[0]!.contentType).toBe('text/plain;charset=UTF-8');
  });

  it('follows a single-page app: pushState, replaceState to the same URL, back', async () => {
    const page = await open(fixture('/app'));
    await site.waitForEvents(1);
    await page.evaluate(() => history.pushState({}, '', '/app/settings'));
    await page.evaluate(() => history.replaceState({}, '', '/app/settings'));
    await page.evaluate(() => history.pushState({}, '', '/app/billing?tab=2'));
    await page.evaluate(() => history.back());
    const views = await waitFor('pageview', 4);
    expect(views.map((e) => e.u.replace(site.origin, ''))).toEqual(['/app', '/app/settings', '/app/billing?tab=2', '/app/settings']);
    // An SPA view comes from the previous page.
    expect(views[1]!.r).toBe(`${site.origin}/app`);
  });

  it('counts hash routes only when data-hash is set', async () => {
    const plain = await open(fixture('/plain'));
    await site.waitForEvents(1);
    await plain.evaluate(() => (location.hash = '#/inbox'));
    await settle();
    expect(names().filter((n) => n == 'pageview')).toHaveLength(1);
    site.clear();
    const hashed = await open(fixture('/hashed', { attrs: 'data-hash' }));
    await site.waitForEvents(1);
    await hashed.evaluate(() => (location.hash = '#/inbox'));
    const views = await waitFor('pageview', 2);
    expect(views[1]).toMatchObject({ n: 'pageview', u: `${site.origin}/hashed#/inbox` });
  });

  it('counts a page restored from the back/forward cache again', async () => {
    const page = await open(fixture('/cached'));
    await site.waitForEvents(1);
    // Headless Chromium keeps no back/forward cache; the browser's own event is what the page sees.
    await page.evaluate(() => dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true })));
    await page.evaluate(() => dispatchEvent(new PageTransitionEvent('pageshow', { persisted: false })));
    await settle();
    expect(names()).toEqual(['pageview', 'pageview']);
  });

  it('counts once with t.js on the page twice, and says so in debug mode', async () => {
    // A theme and a plugin both add the tag; the copy that runs second only warns (in debug mode).
    const second = `<script defer src="/t.js" data-site="site1" data-api="${site.origin}/api/event" data-debug></script>`;
    const snippet = `<script>window.cairn=window.cairn||function(){(cairn.q=cairn.q||[]).push(arguments)};cairn('queued')</script>`;
    const page = await openTab(browser);
    pages.push(page);
    const warnings: string[] = [];
    page.on('console', (m) => m.type() == 'warning' && warnings.push(m.text()));
    await page.goto(fixture('/twice', { head: snippet, body: second }));
    await page.evaluate(() => window.cairn('clicked'));
    await page.evaluate(() => history.pushState({}, '', '/twice/next'));
    await settle();
    expect(events().map((e) => [e.n, e.u.replace(site.origin, '')])).toEqual([
      ['pageview', '/twice'],
      ['queued', '/twice'],
      ['clicked', '/twice'],
      ['engagement', '/twice'],
      ['pageview', '/twice/next'],
    ]);
    expect(warnings).toEqual(['cairn: ignored t.js twice']);
  });

  it.each([
    ['the t.js tag runs first', 'tag-first'],
    ['init() runs first', 'init-first'],
  ])('counts once with t.js and the npm init() on one page, when %s', async (_name, order) => {
    const tag = `<script defer src="/t.js" data-site="site1" data-api="${site.origin}/api/event"></script>`;
    // Module scripts and defer scripts run in document order, after parsing.
    const app = `<script type="module">import { init, track } from '/index.js';
init({ site: 'site1', api: '${site.origin}/api/event', debug: true });
track('from-app');</script>`;
    const page = await open(site.page(`/both-${order}`, `<!doctype html><html><head>${order == 'tag-first' ? tag + app : app + tag}</head><body></body></html>`));
    await page.evaluate(() => window.cairn('from-global'));
    await settle();
    const sent = events().map((e) => e.n);
    expect(sent.filter((n) => n == 'pageview')).toHaveLength(1);
    expect(sent.sort()).toEqual(['from-app', 'from-global', 'pageview']);
  });

  it('through the npm API, lets a router count its own pages with props read at each pageview', async () => {
    // What @cairn/astro and @cairn/next do: no history patching, pageview() after each route change.
    const url = site.page(
      '/blog/first',
      `<!doctype html><script type="module">
import { init, pageview } from '/index.js';
window.route = '/blog/[slug]';
init({ site: 'site1', api: '${site.origin}/api/event', disable: ['spa'], props: () => ({ route: window.route }) });
window.navigate = (path, route) => { history.pushState({}, '', path); window.route = route; pageview(); pageview(); };
// Back/forward: the router renders the page it goes back to, then counts it with its route.
addEventListener('popstate', () => setTimeout(() => { window.route = location.pathname == '/about' ? '/about' : '/blog/[slug]'; pageview(); }, 50));
</script>`,
    );
    const page = await open(url);
    await site.waitForEvents(1);
    await page.evaluate(() => (window as unknown as { navigate(p: string, r: string): void }).navigate('/about', '/about'));
    await page.evaluate(() => history.back());
    await waitFor('pageview', 3);
    await page.evaluate(() => history.pushState({}, '', '/not-counted'));
    await settle();
    const views = events().filter((e) => e.n == 'pageview');
    expect(views.map((e) => [e.u.replace(site.origin, ''), e.p])).toEqual([
      ['/blog/first', { route: '/blog/[slug]' }],
      ['/about', { route: '/about' }],
      ['/blog/first', { route: '/blog/[slug]' }],
    ]);
  });

  // Headless Chromium does not prerender speculation rules (tried: the target page loads only when
  // clicked), so these tests emulate it: document.prerendering is true until the test dispatches
  // prerenderingchange, as the browser does when the visitor navigates to the page.
  const prerendering = (p: Page) =>
    p.addInitScript(() => Object.defineProperty(Document.prototype, 'prerendering', { get: () => !(window as { shown?: boolean }).shown, configurable: true }));
  const show = (page: Page) =>
    page.evaluate(() => {
      (window as { shown?: boolean }).shown = true;
      document.dispatchEvent(new Event('prerenderingchange'));
    });

  it('counts a prerendered page only when it is shown', async () => {
    const page = await open(fixture('/prerendered'), prerendering);
    await settle(500);
    expect(events()).toEqual([]);
    await show(page);
    expect((await site.waitForEvents<Ev>(1))[0]!.n).toBe('pageview');
  });

  it('holds the events of a prerendered page until it is shown, after its pageview, and sends none if it never is', async () => {
    const snippet = `<script>window.cairn=window.cairn||function(){(cairn.q=cairn.q||[]).push(arguments)};cairn('queued',{step:1})</script>`;
    // Called by the page's own code once t.js has run (a module after it), before anyone sees the page.
    const during = `<script type="module">cairn('during', { step: 2 })</script>`;
    const page = await open(fixture('/prerendered-events', { head: snippet, body: during }), prerendering);
    await settle(500);
    expect(events()).toEqual([]);
    await show(page);
    await site.waitForEvents(3);
    await page.evaluate(() => window.cairn('after', { step: 3 }));
    const evs = await site.waitForEvents<Ev>(4);
    expect(evs.map((e) => [e.n, e.p, e.u.replace(site.origin, '')])).toEqual([
      ['pageview', undefined, '/prerendered-events'],
      ['queued', { step: 1 }, '/prerendered-events'],
      ['during', { step: 2 }, '/prerendered-events'],
      ['after', { step: 3 }, '/prerendered-events'],
    ]);
    site.clear();
    // Prerendered, then dropped without being shown (the visitor went elsewhere).
    const dropped = await open(fixture('/prerendered-dropped', { head: snippet, body: during }), prerendering);
    await settle(300);
    await closeTab(dropped);
    await settle(300);
    expect(site.requests).toEqual([]);
  });
});

describe('custom events', () => {
  const snippet = `<script>window.cairn=window.cairn||function(){(cairn.q=cairn.q||[]).push(arguments)};cairn('early',{step:1})</script>`;

  it('keeps events queued before the script loaded, and sends later ones with flat props', async () => {
    const page = await open(fixture('/custom', { head: snippet }));
    await site.waitForEvents(2);
    await page.evaluate(() => window.cairn('signup', { plan: 'pro', seats: 3, yearly: true }));
    const evs = await site.waitForEvents<Ev>(3);
    expect(evs.map((e) => [e.n, e.p])).toEqual([
      ['pageview', undefined],
      ['early', { step: 1 }],
      ['signup', { plan: 'pro', seats: 3, yearly: true }],
    ]);
  });

  it('says why an event is not sent, in debug mode only', async () => {
    const run = async (attrs: string) => {
      const page = await openTab(browser);
      pages.push(page);
      const warnings: string[] = [];
      page.on('console', (m) => m.type() == 'warning' && warnings.push(m.text()));
      await page.goto(fixture(`/private${attrs ? '-debug' : ''}/notes`, { attrs: `data-exclude="/private*" ${attrs}` }));
      await page.evaluate(() => window.cairn('saved', { notes: 1 }));
      await settle();
      expect(site.requests).toEqual([]);
      return warnings;
    };
    expect(await run('')).toEqual([]);
    expect((await run('data-debug')).join('\n')).toMatch(/ignored pageview excluded[\s\S]*ignored saved excluded/);
  });

  it('never throws into the page, whatever it is called with', async () => {
    const page = await open(fixture('/robust'));
    await site.waitForEvents(1);
    const thrown = await page.evaluate(() => {
      const calls: unknown[][] = [[], [null], [{}], ['x', 'not props'], ['x', { a: { deep: 1 } }], ['x', Object.create(null)]];
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      calls.push(['x', cyclic]);
      return calls.filter((args) => {
        try {
          (window.cairn as unknown as (...a: unknown[]) => void)(...args);
          return false;
        } catch {
          return true;
        }
      }).length;
    });
    expect(thrown).toBe(0);
    expect((page as Page & { errors: string[] }).errors).toEqual([]);
  });
});

describe('Web Vitals', () => {
  it('loads its chunk only when data-vitals is set, and reports the metrics', async () => {
    await open(fixture('/no-vitals'));
    await site.waitForEvents(1);
    await settle();
    expect(site.hits.some((h) => h.startsWith('/t-v.js'))).toBe(false);
    site.clear();
    const page = await open(fixture('/vitals', { attrs: 'data-vitals', body: '<h1>Largest text on this page</h1>' }));
    await page.click('h1');
    await settle(500);
    await hideTab(page);
    // TTFB and FCP come on load, LCP once the visitor acts, INP and CLS when the tab is hidden.
    const vitals = await waitFor('vital', 5, 8000);
    expect(site.hits).toContain('/t-v.js');
    const metrics = vitals.map((e) => e.p!.metric);
    expect(metrics.sort()).toEqual(['CLS', 'FCP', 'INP', 'LCP', 'TTFB']);
    for (const v of vitals) expect(typeof v.p!.value).toBe('number');
  });
});
