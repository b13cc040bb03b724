/**
 * The Designer Extension, built from designer/ with vite.designer.config.ts as `designer:build`
 * builds it, served from a Webflow extension origin in headless Chromium with a hand-written
 * `webflow` global (tests/webflow-global.ts), calling the app server's Designer routes (which
 * resolve its ID token with the Webflow stand-in) and reading a real collector's seeded site:
 * the page open in the Designer, another page after `currentpage`, a CMS template's items, the
 * whole site; a site without Cairn, and one never published.
 * Screenshots at Webflow's extension sizes: .cache/screenshots/webflow-designer-*.png.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import type { Browser, Page, Route } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '@cairn/collector/testing';
import { launchChromium } from '@cairn/tracker/testing';
import { CLIENT_ID, EXTENSION_ORIGIN, HOST, PLAIN, SEEDED, seedPages, SITE, startDesignerFixture, type DesignerFixture } from './designer-fixture.ts';
import { installWebflowGlobal, type FakePage, type FakeSite } from './webflow-global.ts';

const SHOTS = join(import.meta.dirname, '../../../.cache/screenshots');
const APP_URL = 'https://cairn-app.example';
/** developers.webflow.com "Resize the extension": comfortable 320×460, large 800×600. */
const SIZES = { comfortable: { width: 320, height: 460 }, large: { width: 800, height: 600 } } as const;

const PAGES: FakePage[] = [
  { name: 'Home', slug: 'home', publishPath: '/', home: true },
  { name: 'About us', slug: 'about', publishPath: '/about' },
  { name: 'Blog Posts Template', slug: 'detail_blog-posts', publishPath: '/blog/detail_blog-posts', kind: 'cms', collection: { id: '64f0c0ffee0000000000d004', name: 'Blog Posts' } },
  { name: '404', slug: '404', publishPath: null, kind: 'utility', utilityKey: '404' },
];
const site = (over: Partial<FakeSite> = {}): FakeSite => ({ siteId: SITE.id, siteName: SITE.displayName, shortName: SITE.shortName, published: [`${SITE.shortName}.webflow.io`, HOST], pages: PAGES, ...over });

let f: DesignerFixture;
let browser: Browser;
let dist: string;
beforeAll(async () => {
  dist = await tempDir('cairn-designer-dist-');
  process.env.VITE_CAIRN_APP_URL = APP_URL;
  [f, browser] = await Promise.all([startDesignerFixture(), launchChromium()]);
  await build({ configFile: join(import.meta.dirname, '../vite.designer.config.ts'), logLevel: 'warn', build: { outDir: dist, emptyOutDir: true } });
  await seedPages(f);
  await mkdir(SHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await f?.stop();
  if (dist) await rm(dist, { recursive: true, force: true });
});

/** Answers a request from `url`; a request still under way when its test closed the page is dropped. */
async function forward(route: Route, url: string): Promise<void> {
  try {
    await route.fulfill({ response: await route.fetch({ url }) });
  } catch (err) {
    if (!route.request().frame().page().isClosed()) throw err;
  }
}

/** Opens the extension as the Designer does for `s`; `problems` collects page errors. */
async function openExtension(s: FakeSite, problems: string[] = [], opts: { clock?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: SIZES.comfortable, deviceScaleFactor: 2 });
  const page = await context.newPage();
  if (opts.clock) await page.clock.install();
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  if (process.env.DEBUG_DESIGNER) page.on('console', (m) => console.log('[page]', m.type(), m.text()));
  await installWebflowGlobal(page, s, () => f.idToken(s.siteId));
  // Webflow serves the bundle's files from the app's extension origin.
  await page.route(`${EXTENSION_ORIGIN}/**`, async (route) => {
    const path = new URL(route.request().url()).pathname;
    const file = normalize(join(dist, path === '/' ? 'index.html' : path));
    if (!file.startsWith(dist)) return route.fulfill({ status: 404 });
    const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : 'text/html';
    await route.fulfill({ contentType: type, body: await readFile(file).catch(() => '') });
  });
  // The app server's public URL, answered by the test's app server.
  await page.route(`${APP_URL}/**`, (route) => forward(route, route.request().url().replace(APP_URL, f.app.url)));
  // The collector, which in production is a public https server: served through the test so that
  // Chromium's Local Network Access does not take this one loopback for an intranet (it blocks those).
  await page.route(`${f.h.collector.url}/**`, (route) => forward(route, route.request().url()));
  await page.goto(`${EXTENSION_ORIGIN}/`);
  return page;
}

/** What `<cairn-page-stats>` shows: its heading, path, each number with its label, the sources. */
const pageStats = (page: Page) =>
  page.evaluate(`(() => {
    const el = document.querySelector('cairn-page-stats');
    const root = el.shadowRoot;
    const text = (e) => e?.textContent.trim().replace(/\\s+/g, ' ') ?? null;
    return {
      state: el.state,
      path: text(root.querySelector('.path')),
      metrics: Object.fromEntries([...root.querySelectorAll('dl > div')].map((d) => [text(d.querySelector('dt')), text(d.querySelector('.value'))])),
      sources: Object.fromEntries([...root.querySelectorAll('tbody tr')].map((tr) => [text(tr.querySelector('th')), Number(text(tr.querySelector('td')))])),
    };
  })()`) as Promise<{ state: string; path: string; metrics: Record<string, string>; sources: Record<string, number> }>;

/** Waits for the widget `tag` to leave its loading state; on a timeout, says what the panel showed instead. */
const settled = (page: Page, tag: string) =>
  page.waitForFunction(`(() => { const el = document.querySelector('${tag}'); return el && el.state && el.state !== 'loading'; })()`, undefined, { timeout: 15_000 }).catch(async (err: Error) => {
    throw new Error(`${tag} did not load; the panel shows: ${await mainText(page).catch(() => '?')}`, { cause: err });
  });
/** The text of a widget, through its shadow root and those of the widgets inside it. */
const deepText = (page: Page, selector: string): Promise<string> =>
  page.evaluate(`(() => {
    const text = (node) => node.nodeType === Node.TEXT_NODE ? node.textContent : [...(node.shadowRoot?.childNodes ?? []), ...node.childNodes].map(text).join(' ');
    return text(document.querySelector(${JSON.stringify(selector)})).replace(/\\s+/g, ' ');
  })()`);
const mainText = (page: Page) => page.locator('main').innerText();

describe('the Designer Extension of a connected, published site', () => {
  it('shows the open page’s real numbers, and the next page’s when the Designer switches page', async () => {
    const problems: string[] = [];
    const page = await openExtension(site(), problems);
    await settled(page, 'cairn-page-stats');
    const home = await pageStats(page);
    expect(home.path).toBe('/');
    expect(home.metrics).toMatchObject({ Visitors: String(SEEDED.home.visitors), Pageviews: String(SEEDED.home.pageviews) });
    expect(home.sources).toEqual(SEEDED.home.sources);
    // Published after the install (the fixture's): nothing left to do.
    expect(await page.locator('.notice').count()).toBe(0);
    expect(await page.locator('.footer').innerText()).toBe(`Counting visits on ${SITE.shortName}.webflow.io, ${HOST}.`);
    await page.screenshot({ path: join(SHOTS, 'webflow-designer-page-home.png') });

    // The user opens "About us" in the Designer: the same panel now reads /about.
    await page.evaluate(`window.__designer.switchPage(1)`);
    await expect.poll(async () => (await pageStats(page)).path).toBe('/about');
    await settled(page, 'cairn-page-stats');
    await expect.poll(async () => (await pageStats(page)).metrics).toMatchObject({ Visitors: String(SEEDED.about.visitors), Pageviews: String(SEEDED.about.pageviews) });
    expect(await page.evaluate(`document.querySelector('cairn-page-stats').shadowRoot.querySelector('.heading')?.textContent.trim()`)).toBe('About us');
    await page.screenshot({ path: join(SHOTS, 'webflow-designer-page-about.png') });
    // Nothing scrolls sideways in the 320 px panel.
    expect(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBe(0);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('shows a CMS template’s items, says why a utility page has none, and the whole site in the large size', async () => {
    const page = await openExtension(site());
    await settled(page, 'cairn-page-stats');
    await page.evaluate(`window.__designer.switchPage(2)`);
    await page.locator('cairn-breakdown').waitFor();
    await settled(page, 'cairn-breakdown');
    expect(await page.locator('.note').innerText()).toContain('template of the “Blog Posts” collection');
    const rows = await page.locator('cairn-breakdown').evaluate((el) =>
      Object.fromEntries([...el.shadowRoot!.querySelectorAll('tbody tr')].map((tr) => [tr.querySelector('th')!.textContent!.trim(), Number(tr.querySelector('td')!.textContent!.trim())])),
    );
    expect(rows).toEqual(SEEDED.blog);
    await page.screenshot({ path: join(SHOTS, 'webflow-designer-page-collection.png') });

    await page.evaluate(`window.__designer.switchPage(3)`);
    await expect.poll(() => mainText(page)).toContain('Utility pages (404, password) are not counted');

    await page.getByRole('tab', { name: 'Whole site' }).click();
    await expect.poll(() => page.evaluate(`window.__designer.sizes.at(-1)`)).toBe('large');
    await page.setViewportSize(SIZES.large);
    await settled(page, 'cairn-dashboard');
    await expect.poll(() => deepText(page, 'cairn-dashboard')).toMatch(new RegExp(`Visitors ${SEEDED.site.visitors} `));
    await page.screenshot({ path: join(SHOTS, 'webflow-designer-site.png') });

    await page.getByRole('tab', { name: 'This page' }).click();
    await expect.poll(() => page.evaluate(`window.__designer.sizes.at(-1)`)).toBe('comfortable');
    await page.context().close();
  });

  it('renews the view token a minute before it expires, with a fresh ID token, and hands it to the widget', async () => {
    const page = await openExtension(site(), [], { clock: true });
    await settled(page, 'cairn-page-stats');
    const tokenOf = () => page.evaluate<string>(`document.querySelector('cairn-page-stats').token`);
    const before = await tokenOf();
    const resolved = f.resolveCalls();
    await page.clock.fastForward('58:00');
    expect(await tokenOf()).toBe(before);
    await page.clock.fastForward('01:30');
    await expect.poll(tokenOf).not.toBe(before);
    expect(f.resolveCalls()).toBeGreaterThan(resolved);
    await page.context().close();
  });
});

describe('the Designer Extension’s states', () => {
  it('offers the install on a site the app is authorized on but Cairn is not set up, installs it, then shows its (empty) page', async () => {
    const page = await openExtension(site({ siteId: PLAIN.id, siteName: PLAIN.displayName, shortName: PLAIN.shortName, published: [`${PLAIN.shortName}.webflow.io`] }));
    await expect.poll(() => mainText(page)).toContain('Cairn is not set up on this site');
    const install = page.getByRole('button', { name: 'Install Cairn on this site' });
    await expect.poll(() => install.isVisible()).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'webflow-designer-not-connected.png') });
    const sent = page.waitForRequest(`${APP_URL}/designer/install`);
    await install.click();
    expect(JSON.parse((await sent).postData() ?? '{}')).toMatchObject({ siteId: PLAIN.id });
    // Installed for real: the Cairn site made, the tracker applied to the site's head, the user told to publish.
    await settled(page, 'cairn-page-stats');
    const cairnSite = (await f.deps.tokens.site(PLAIN.id))?.cairnSiteId;
    expect(cairnSite).toBeTruthy();
    expect(f.stub.applied(CLIENT_ID, PLAIN.id).map((s) => s.attributes?.['data-site'])).toEqual([cairnSite]);
    expect(await page.evaluate(`window.__designer.notices`)).toEqual([{ type: 'Success', message: 'Cairn is installed: publish the site to start counting.' }]);
    expect(await pageStats(page)).toMatchObject({ state: 'empty', path: '/' });
    // The site was last published before the install: the panel says what is left to do.
    expect(await page.locator('.notice').innerText()).toBe(`Publish ${PLAIN.displayName} to start counting: Cairn’s tracker was added to the site after its last publish.`);
    expect(await page.locator('.footer').innerText()).toBe(`Visits will be counted on ${PLAIN.shortName}.webflow.io.`);
    await page.screenshot({ path: join(SHOTS, 'webflow-designer-installed.png') });
    await page.context().close();
  });

  it('sends a site the app is not authorized on to the authorization, in a new tab', async () => {
    const page = await openExtension(site({ siteId: '64f0c0ffee0000000000c003', siteName: 'Elsewhere', shortName: 'elsewhere' }));
    await expect.poll(() => mainText(page)).toContain('Cairn is not authorized for this site');
    await page.screenshot({ path: join(SHOTS, 'webflow-designer-not-authorized.png') });
    await page.context().route(`${APP_URL}/auth`, (route) => route.fulfill({ contentType: 'text/plain', body: 'Webflow’s consent screen' }));
    const opened = page.context().waitForEvent('page');
    await page.getByRole('button', { name: 'Authorize Cairn' }).click();
    const tab = await opened;
    await tab.waitForLoadState();
    expect(tab.url()).toBe(`${APP_URL}/auth`);
    await page.context().close();
  });

  it('says a site never published has nothing to count yet', async () => {
    const page = await openExtension(site({ published: [] }));
    await expect.poll(() => mainText(page)).toContain('This site is not published yet');
    expect(await mainText(page)).toContain(`Publish ${SITE.displayName}`);
    expect(await page.locator('cairn-page-stats').count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'webflow-designer-not-published.png') });
    await page.context().close();
  });
});
