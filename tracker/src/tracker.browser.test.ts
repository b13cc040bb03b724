/**
 * The built t.js in headless Chromium, on pages served as http://example.com:PORT: every test
 * asserts on the requests the script sends (or does not send).
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeTab, hideTab, launchChromium, openTab, startSite, storageProbe, storageTouches, type Site } from './testing/browser.ts';

type Ev = { s: string; n: string; u: string; r?: string; w?: number; p?: Record<string, unknown>; d?: number; sd?: number };

const dist = new URL('../dist/', import.meta.url).pathname;
let browser: Browser;
let site: Site;
const pages: Page[] = [];

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

/** A page with the tracker tag; `attrs` adds data-* attributes, `body` the page's content. */
function fixture(path: string, { attrs = '', head = '', body = '' } = {}): string {
  return site.page(
    path,
    `<!doctype html><html><head><title>${path}</title>${head}
<script defer src="/t.js" data-site="site1" data-api="${site.origin}/api/event" ${attrs}></script></head>
<body style="margin:0">${body}</body></html>`,
  );
}

async function open(url: string, init?: (page: Page) => Promise<unknown>): Promise<Page> {
  const page = await openTab(browser);
  pages.push(page);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  (page as Page & { errors: string[] }).errors = errors;
  await init?.(page);
  await page.goto(url);
  return page;
}

const events = () => site.events<Ev>();
const names = () => events().map((e) => e.n);

/** Waits until `n` events named `name` arrived (other events may arrive in between). */
async function waitFor(name: string, n: number, timeoutMs = 5000): Promise<Ev[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = events().filter((e) => e.n == name);
    if (found.length >= n) return found;
    if (Date.now() > deadline) throw new Error(`expected ${n} ${name} events, got: ${JSON.stringify(events())}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));

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

describe('clicks and forms', () => {
  // The page keeps every link from navigating (after the tracker, which listens first, saw it).
  const links = `<script>for (const t of ['click', 'auxclick']) addEventListener(t, (e) => e.target.closest('a') && e.preventDefault())</script>
    <a id="out" href="https://partner.example.net/offer?ref=me#x">partner</a>
    <a id="tel" href="tel:+4930123456">call</a>
    <a id="mail" href="mailto:hello@example.com?subject=Hi">write</a>
    <a id="pdf" href="/files/price-list.PDF">prices</a>
    <a id="dl" href="/export" download>export</a>
    <a id="in" href="#section">section</a>
    <a id="js" href="javascript:void 0">nothing</a>
    <button id="cta" data-cairn-event="signup" data-cairn-prop-plan="pro" data-cairn-prop-place="header"><span id="inner">Sign up</span></button>
    <form id="newsletter" name="nl" action="/subscribe?src=footer" onsubmit="event.preventDefault()">
      <input name="email" value="secret.person@example.org"><input name="action" value="x"><button id="send">send</button>
    </form>`;

  it('sends outbound, tel, mailto, download, CTA and form events, and nothing for other links', async () => {
    const page = await open(fixture('/links', { body: links }));
    await site.waitForEvents(1);
    for (const id of ['in', 'js', 'tel', 'mail', 'pdf', 'dl', 'inner', 'send']) await page.click(`#${id}`);
    // The outbound link leaves the page: middle-click it (a new tab), as people often do.
    await page.click('#out', { button: 'middle' });
    await waitFor('outbound', 1);
    const evs = events().filter((e) => e.n != 'pageview' && e.n != 'engagement');
    expect(evs.map((e) => [e.n, e.p])).toEqual([
      ['tel', { to: '+4930123456' }],
      ['mailto', { to: 'hello@example.com' }],
      ['download', { to: `${site.origin}/files/price-list.PDF` }],
      ['download', { to: `${site.origin}/export` }],
      ['signup', { plan: 'pro', place: 'header' }],
      ['form', { form: 'newsletter', action: '/subscribe' }],
      ['outbound', { to: 'https://partner.example.net/offer' }],
    ]);
    // Form fields never leave the page.
    expect(JSON.stringify(site.requests)).not.toContain('secret.person');
  });

  it('counts links inside an SVG like other links', async () => {
    // An infographic: its links are SVG <a> elements, whose href is an SVGAnimatedString.
    const svg = `<svg width="300" height="40">
      <a id="svg-out" href="https://maps.example.net/place?x=1"><rect width="90" height="40" fill="teal"/></a>
      <a id="svg-pdf" href="files/plan.pdf"><rect x="100" width="90" height="40" fill="navy"/></a>
      <a id="svg-tel" href="tel:+4930123456"><rect x="200" width="90" height="40" fill="gray"/></a>
    </svg>`;
    const page = await open(fixture('/svg/', { body: links + svg }));
    await site.waitForEvents(1);
    for (const id of ['svg-pdf', 'svg-tel']) await page.click(`#${id} rect`);
    await page.click('#svg-out rect', { button: 'middle' });
    await waitFor('outbound', 1);
    expect(events().filter((e) => e.n != 'pageview' && e.n != 'engagement').map((e) => [e.n, e.p])).toEqual([
      ['download', { to: `${site.origin}/svg/files/plan.pdf` }],
      ['tel', { to: '+4930123456' }],
      ['outbound', { to: 'https://maps.example.net/place' }],
    ]);
  });

  it('takes the formaction of the button that submitted a form as its action', async () => {
    const form = `<form id="post" action="/posts" onsubmit="event.preventDefault()">
      <input name="title" value="Hello"><button id="publish">Publish</button><button id="draft" formaction="/drafts?autosave=0">Save draft</button>
    </form>`;
    const page = await open(fixture('/editor', { body: form }));
    await site.waitForEvents(1);
    await page.click('#draft');
    await page.click('#publish');
    // Enter in the title field: the form's first button submits it.
    await page.focus('input[name=title]');
    await page.keyboard.press('Enter');
    const forms = await waitFor('form', 3);
    expect(forms.map((e) => e.p)).toEqual([
      { form: 'post', action: '/drafts' },
      { form: 'post', action: '/posts' },
      { form: 'post', action: '/posts' },
    ]);
  });

  it('sends nothing for an element whose data-cairn-event is empty', async () => {
    const page = await open(fixture('/blank', { body: '<button id="blank" data-cairn-event="" data-cairn-prop-plan="pro">Sign up</button>' }));
    await site.waitForEvents(1);
    await page.click('#blank');
    await settle();
    expect(names()).toEqual(['pageview']);
  });

  it('switches features off with data-disable and takes its own download extensions', async () => {
    const page = await open(fixture('/quiet', { attrs: 'data-disable="outbound tel form cta" data-downloads="csv"', body: links }));
    await site.waitForEvents(1);
    for (const id of ['tel', 'mail', 'pdf', 'inner', 'send']) await page.click(`#${id}`);
    await page.click('#out', { button: 'middle' });
    await settle();
    expect(names().filter((n) => n != 'engagement')).toEqual(['pageview', 'mailto']);
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

describe('engaged time', () => {
  it('sends the engaged time and scroll depth when the tab is hidden', async () => {
    const tall = '<div style="height:5000px">long read</div>';
    const page = await open(fixture('/read', { body: tall }));
    await site.waitForEvents(1);
    await page.mouse.wheel(0, 2000);
    await settle(1200);
    await hideTab(page);
    const [, engagement] = await site.waitForEvents<Ev>(2);
    expect(engagement!.n).toBe('engagement');
    expect(engagement!.d).toBeGreaterThanOrEqual(1000);
    expect(engagement!.d).toBeLessThan(10_000);
    expect(engagement!.sd).toBeGreaterThan(10);
    expect(engagement!.sd).toBeLessThan(100);
    expect(site.requests[1]!.contentType).toBe('text/plain;charset=UTF-8');
  });

  describe('scroll depth, against the page as it is when the depth is sent', () => {
    /** The scroll depth of the engagement events of `path`, in the order they came. */
    const depths = (path: string) => events().filter((e) => e.n == 'engagement' && e.u == site.origin + path).map((e) => e.sd);

    it('does not count a page whose image comes after the script as read to the end', async () => {
      // A tall image without dimensions, answered only once t.js has measured the short page.
      const image = '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="4000"><rect width="100" height="4000" fill="teal"/></svg>';
      site.file('/late.svg', image, 'image/svg+xml');
      const page = await open(fixture('/late-image', { body: '<p>intro</p><img src="/late.svg" alt="">' }), (p) =>
        p.route('**/late.svg', async (route) => (await new Promise((r) => setTimeout(r, 500)), route.continue())),
      );
      await site.waitForEvents(1);
      await page.waitForFunction(() => document.documentElement.scrollHeight > 3000);
      await hideTab(page);
      await waitFor('engagement', 1);
      // The visitor never scrolled: what they saw is the first window of a 4000 px page.
      expect(depths('/late-image')[0]).toBeLessThan(30);
    });

    it('does not count a page whose content is rendered after the script as read to the end', async () => {
      const app = `<div id="app">loading…</div><script>setTimeout(() => (app.innerHTML = '<div style="height:5000px">article</div>'), 300)</script>`;
      const page = await open(fixture('/client-rendered', { body: app }));
      await site.waitForEvents(1);
      await page.waitForFunction(() => document.documentElement.scrollHeight > 4000);
      await hideTab(page);
      await waitFor('engagement', 1);
      expect(depths('/client-rendered')[0]).toBeLessThan(30);
    });

    it.each([
      ['pushState', '', '/spa-next'],
      ['a hash route', 'data-hash', '/spa-read#/next'],
    ])('starts the depth of a route reached by %s from its own position, not from the page read before', async (how, attrs, next) => {
      const router = `<main id="view" style="height:5000px">first page</main><script>
window.navigate = () => {
  ${how == 'pushState' ? "history.pushState({}, '', '/spa-next')" : "location.hash = '#/next'"};
  // The app renders the new route a moment later, then shows its top.
  setTimeout(() => { view.textContent = 'second page'; scrollTo(0, 0); }, 150);
};</script>`;
      const page = await open(fixture('/spa-read', { attrs, body: router }));
      await site.waitForEvents(1);
      await page.keyboard.press('End');
      await page.waitForFunction(() => scrollY + innerHeight >= document.documentElement.scrollHeight);
      await page.evaluate(() => (window as unknown as { navigate(): void }).navigate());
      await page.waitForFunction(() => scrollY == 0 && document.getElementById('view')!.textContent == 'second page');
      await settle(200);
      await hideTab(page);
      await waitFor('engagement', 2);
      // The first page was read to its end; the second one only in its first window so far.
      expect(depths('/spa-read')[0]).toBeGreaterThanOrEqual(95);
      expect(depths(next)[0]).toBeLessThan(30);
    });

    it('measures an infinite scroll against its height when the depth is sent', async () => {
      // Reaching the end loads as much again, twice: the page is 3 times as tall when sent.
      const feed = `<div id="feed"><div style="height:2000px">items 1–20</div></div><script>
addEventListener('scroll', () => {
  if (scrollY + innerHeight >= document.documentElement.scrollHeight - 10 && feed.children.length == 1)
    feed.insertAdjacentHTML('beforeend', '<div style="height:4000px">items 21–60</div>');
});</script>`;
      const page = await open(fixture('/feed', { body: feed }));
      await site.waitForEvents(1);
      await page.keyboard.press('End');
      await page.waitForFunction(() => document.documentElement.scrollHeight > 5000);
      await settle(200);
      await hideTab(page);
      await waitFor('engagement', 1);
      // The visitor reached 2000 px of 6000.
      const [sd] = depths('/feed');
      expect(sd).toBeGreaterThan(25);
      expect(sd).toBeLessThan(45);
    });
  });

  it('sends what is left when the tab is closed', async () => {
    const page = await open(fixture('/close'));
    await site.waitForEvents(1);
    await page.keyboard.press('ArrowDown');
    await settle(700);
    await closeTab(page);
    const evs = await site.waitForEvents<Ev>(2);
    expect(evs[1]).toMatchObject({ n: 'engagement', sd: 100 });
  });

  it('beats every 30 s while the visitor is active, and stops when they are idle', async () => {
    // A context of its own: the fake clock would stop the timers of every page in a shared one.
    const context = await browser.newContext();
    const page = await context.newPage();
    pages.push(page);
    await page.clock.install();
    await page.goto(fixture('/heartbeat'));
    await site.waitForEvents(1);
    await page.keyboard.press('ArrowDown');
    await page.clock.runFor(30_000);
    const beat = (await site.waitForEvents<Ev>(2))[1]!;
    expect(beat.n).toBe('engagement');
    expect(beat.d).toBeGreaterThan(25_000);
    expect(beat.d).toBeLessThanOrEqual(30_000);
    // No input since: the next beats find the visitor idle and send nothing.
    await page.clock.runFor(90_000);
    await settle();
    expect(names()).toEqual(['pageview', 'engagement']);
  });
});

describe('what is never counted', () => {
  it('sends nothing from a browser driven by automation unless data-allow-automation', async () => {
    const bot = await launchChromium();
    try {
      const page = await bot.newPage();
      await page.goto(fixture('/bot', { body: '<a id="out" href="https://elsewhere.example.org/">x</a>' }));
      await page.click('#out', { button: 'middle' });
      await page.evaluate(() => window.cairn('custom'));
      await settle(500);
      expect(site.requests).toEqual([]);
      await page.goto(fixture('/bot-allowed', { attrs: 'data-allow-automation' }));
      expect((await site.waitForEvents<Ev>(1))[0]!.u).toBe(`${site.origin}/bot-allowed`);
    } finally {
      await bot.close();
    }
  });

  it.each([
    ['Do Not Track', () => Object.defineProperty(Navigator.prototype, 'doNotTrack', { get: () => '1' })],
    ['Global Privacy Control', () => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true })],
  ])('honours %s when data-respect-dnt is set, and only then', async (_name, setting) => {
    await open(fixture('/dnt', { attrs: 'data-respect-dnt' }), async (p) => p.addInitScript(setting));
    await settle(500);
    expect(site.requests).toEqual([]);
    await open(fixture('/no-dnt'), async (p) => p.addInitScript(setting));
    await site.waitForEvents(1);
  });

  it('sends nothing from localhost or 127.0.0.1 unless data-allow-local', async () => {
    for (const host of ['localhost', '127.0.0.1']) {
      await open(fixture('/local').replace('example.com', host));
      await settle(500);
      expect(site.requests).toEqual([]);
    }
    await open(fixture('/local-allowed', { attrs: 'data-allow-local' }).replace('example.com', 'localhost'));
    expect((await site.waitForEvents<Ev>(1))[0]!.u).toMatch(/^http:\/\/localhost:\d+\/local-allowed$/);
  });

  it('counts hosts that only begin like a local one', async () => {
    for (const host of ['localhost.example.com', '127.example.com']) await open(fixture('/not-local').replace('example.com', host));
    const views = await site.waitForEvents<Ev>(2);
    expect(views.map((e) => new URL(e.u).hostname).sort()).toEqual(['127.example.com', 'localhost.example.com']);
  });

  it('skips excluded paths', async () => {
    const page = await open(fixture('/admin/posts', { attrs: 'data-exclude="/admin/* /preview"' }));
    await page.keyboard.press('ArrowDown');
    await page.evaluate(() => history.pushState({}, '', '/preview'));
    await page.keyboard.press('ArrowDown');
    await page.evaluate(() => history.pushState({}, '', '/blog/post'));
    await waitFor('pageview', 1);
    await hideTab(page);
    await waitFor('engagement', 1);
    // Neither the views of excluded pages nor their engaged time are sent.
    expect(events().map((e) => [e.n, e.u.replace(site.origin, '')])).toEqual([
      ['pageview', '/blog/post'],
      ['engagement', '/blog/post'],
    ]);
  });
});

describe('privacy', () => {
  it('touches no cookie, no storage and no fingerprinting API', async () => {
    const page = await open(fixture('/probe', { body: '<a id="out" href="https://x.example.org/">x</a><div style="height:3000px"></div>' }), (p) => p.addInitScript(storageProbe));
    await site.waitForEvents(1);
    await page.mouse.wheel(0, 1000);
    await page.click('#out', { button: 'middle' });
    await page.evaluate(() => {
      history.pushState({}, '', '/probe/2');
      window.cairn('custom', { a: 1 });
    });
    await hideTab(page);
    await site.waitForEvents(5);
    expect(await storageTouches(page)).toEqual([]);
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
