/**
 * A published Webflow site, end to end: the app installs Cairn through the stub's Data API, the
 * owner publishes, and the live pages' `<head>` carries the custom code as Webflow renders applied
 * registered scripts (the owner's own head code, then `<script src integrity crossorigin
 * type data-…>` from the registered script and the applied attributes). Visited in headless
 * Chromium under the site's own domain: t.js comes from the collector's versioned URL, passes its
 * SRI check, and each page's pageview is stored in the Cairn site the install made.
 */
import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROME_UA } from '@cairn/collector/testing';
import { launchChromium } from '@cairn/tracker/testing';
import { authorize, post, SITE, startFixture, type Fixture } from './fixture.ts';

const PAGES: Record<string, { title: string; next?: string }> = {
  '/': { title: 'Home', next: '/menu' },
  '/menu': { title: 'Menu', next: '/drafts/new-blend' },
  '/drafts/new-blend': { title: 'Draft', next: '/about' },
  '/about': { title: 'About' },
};

const SHOTS = join(import.meta.dirname, '../../../.cache/screenshots');

let f: Fixture;
let browser: Browser;
let site: Server;
let home: string;
let cairnSiteId: string;
let session: string;

beforeAll(async () => {
  [f, browser] = await Promise.all([startFixture(), launchChromium({ automationHidden: true })]);
  await mkdir(SHOTS, { recursive: true });
  session = (await authorize(f)).session;
  const res = await post(f, session, SITE.id, 'install', { exclude: '/drafts/*' });
  cairnSiteId = ((await res.json()) as { cairnSiteId: string }).cairnSiteId;
  // The owner clicks Publish in Webflow: only now does the live site carry the script.
  f.stub.publish(SITE.id);
  site = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const page = PAGES[path];
    if (!page) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!DOCTYPE html>
<html data-wf-site="${SITE.id}" lang="en">
<head>
<meta charset="utf-8">
<title>${page.title} – Dune Coffee</title>
<meta content="width=device-width, initial-scale=1" name="viewport">
${f.stub.liveHead(SITE.id)}
</head>
<body>
<h1>${page.title}</h1>
${page.next ? `<a id="next" href="${page.next}">Next</a>` : ''}
</body>
</html>`);
  });
  site.listen(0, '127.0.0.1');
  await once(site, 'listening');
  home = `http://dunecoffee.example:${(site.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await browser?.close();
  site?.closeAllConnections();
  site?.close();
  await f?.stop();
});

const nextPageview = (page: Page) =>
  page.waitForResponse((r) => r.url() === `${f.config.collector}/api/event` && /"n":"pageview"/.test(r.request().postData() ?? ''), { timeout: 15_000 });

describe('a published Webflow site with Cairn applied', () => {
  it('renders the applied script in the head, with its integrity and attributes, after the owner’s code', () => {
    const head = f.stub.liveHead(SITE.id);
    expect(head.indexOf('owner-code-1')).toBeLessThan(head.indexOf('<script src='));
    expect(head).toMatch(new RegExp(`<script src="[^"]+/t/[0-9a-f]{12}/t\\.js" integrity="sha384-[^"]+" crossorigin="anonymous" type="text/javascript" data-site="${cairnSiteId}" data-api="${f.config.collector}/api/event" data-exclude="/drafts/\\*"></script>`));
  });

  it('loads t.js from the collector’s versioned URL (SRI checked) and stores a pageview per page, in the installed site', async () => {
    const context = await browser.newContext({ userAgent: CHROME_UA, extraHTTPHeaders: { 'sec-ch-ua': '"Chromium";v="150", "Google Chrome";v="150"' } });
    const page = await context.newPage();
    const scripts: string[] = [];
    const failed: string[] = [];
    page.on('request', (r) => r.resourceType() === 'script' && scripts.push(r.url()));
    page.on('console', (m) => m.type() === 'error' && failed.push(m.text()));

    let sent = nextPageview(page);
    await page.goto(`${home}/`);
    expect((await sent).status()).toBe(202);
    expect(await page.evaluate(() => (globalThis as { ownerHeadRan?: boolean }).ownerHeadRan)).toBe(true);
    sent = nextPageview(page);
    await page.click('#next');
    expect((await sent).status()).toBe(202);
    // /drafts/* is excluded in the site's settings (data-exclude): no pageview; the next page's is.
    await page.click('#next');
    await page.waitForURL(`${home}/drafts/new-blend`);
    sent = nextPageview(page);
    await page.click('#next');
    expect((await sent).status()).toBe(202);
    await context.close();

    expect(failed).toEqual([]);
    expect(new Set(scripts).size).toBe(1);
    expect(scripts[0]).toMatch(/\/t\/[0-9a-f]{12}\/t\.js$/);
    const views = (await f.h.stored(cairnSiteId)).filter((e) => e.name === 'pageview').sort((a, b) => a.ts - b.ts);
    expect(views.map((e) => [e.hostname, e.pathname])).toEqual([
      ['dunecoffee.example', '/'],
      ['dunecoffee.example', '/menu'],
      ['dunecoffee.example', '/about'],
    ]);
  });

  it('shows the admin their site installed, with the reminder to publish gone once published', async () => {
    const context = await browser.newContext();
    const [name, value] = session.split('=') as [string, string];
    await context.addCookies([{ name, value, url: f.app.url }]);
    const page = await context.newPage();
    await page.goto(`${f.app.url}/sites`);
    await page.screenshot({ path: join(SHOTS, 'webflow-sites.png'), fullPage: true });
    const card = page.locator('li', { hasText: 'Dune Coffee' });
    expect(await card.textContent()).toContain('Installed (script 1.0.0');
    expect(await card.textContent()).not.toContain('Publish the site');
    expect(await card.locator('input[name="exclude"]').inputValue()).toBe('/drafts/*');
    await context.close();
  });
});
