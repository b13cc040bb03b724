/**
 * The dashboard app end to end, in Chromium against a real collector that serves it: the first
 * owner from the setup link, logging in, the sites list, a site's dashboard and settings, inviting
 * a client who then sets a password through the invitation link and sees only what was granted,
 * the audit log; accessibility (axe-core), the collector's CSP (no console error, no violation),
 * 375 px phones, light and dark, and the PWA (manifest, service worker, no API answer cached).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '@cairn/tracker/testing';
import { startHarness, type Harness } from '@cairn/collector/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, visit } from '../testing/fixture.ts';

const SHOTS = join(import.meta.dirname, '../../../.cache/screenshots');
const OWNER = { name: 'Olga Owner', email: 'olga@example.com', password: 'correct horse battery' };
const CLIENT = { email: 'cleo@example.com', password: 'client password 1' };

let h: Harness;
let browser: Browser;
let base: string;
let owner: Page;
let invitation = '';
/** Console errors, page errors and CSP violations, page by page, as "path: message". */
const problems: string[] = [];
/** Failed requests the test causes on purpose (a logged-out `/me`, a refused form): "METHOD path status". */
const expected = new Set<string>();

/** A page that records its problems; requests that fail are problems unless expected. */
async function open(context: BrowserContext, width = 1280): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize({ width, height: width < 500 ? 812 : 900 });
  // Phones draw scrollbars over the page; a desktop scrollbar would take 15 of the 375 px.
  if (width < 500) await (await context.newCDPSession(page)).send('Emulation.setScrollbarsHidden', { hidden: true });
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`${new URL(page.url()).pathname}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${new URL(page.url()).pathname}: ${e.message}`));
  page.on('response', (r) => {
    const url = new URL(r.url());
    const key = `${r.request().method()} ${url.pathname} ${r.status()}`;
    if (r.status() >= 400 && !expected.has(key)) problems.push(`unexpected ${key}`);
  });
  return page;
}

/** The text of the first element a selector finds (Playwright's CSS pierces shadow roots). */
const text = async (page: Page, selector: string) => ((await page.locator(selector).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();

async function shoot(page: Page, name: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.waitForTimeout(150);
    await page.screenshot({ path: join(SHOTS, `${name}-${page.viewportSize()!.width}-${colorScheme}.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** How wide the page's content is (more than the viewport: it scrolls sideways). */
const contentWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [h, browser] = await Promise.all([startHarness(), launchChromium()]);
  base = h.collector.publicUrl;
  await visit(h, [
    { page: '/', visitors: 7, referrer: 'https://www.google.com/' },
    { page: '/pricing', visitors: 5, referrer: 'https://news.ycombinator.com/' },
  ]);
  expected.add('GET /api/auth/me 401');
});

afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

describe('the dashboard app', () => {
  it('is served at its paths with the strict CSP, never in place of the API or the scripts', async () => {
    for (const path of ['/', '/login', '/sites/abc', '/sites/abc/settings', '/sites/abc/filtered', '/users', '/audit', '/account', '/reset', '/setup']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    }
    const page = await (await fetch(base)).text();
    expect(page).toMatch(/^<!doctype html>\s*<html lang="en">/);
    expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1" />');
    expect(page).toContain('<link rel="manifest" href="/manifest.webmanifest" />');
    expect(page).toContain('<noscript>');
    expect(page).toContain('<script type="module" src="/app/app.js"></script>');
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    expect((await fetch(`${base}/api/nothing`)).headers.get('content-type')).toMatch(/^application\/json/);
    expect((await fetch(`${base}/healthz`)).headers.get('content-type')).toMatch(/^application\/json/);
    expect((await fetch(`${base}/t.js`)).headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await fetch(`${base}/sites/a/b/c`)).status).toBe(404);

    const manifest = await fetch(`${base}/manifest.webmanifest`);
    expect(manifest.headers.get('content-type')).toBe('application/manifest+json; charset=utf-8');
    const m = (await manifest.json()) as { name: string; icons: { src: string; type: string; purpose: string }[] };
    expect(m.name).toBe('Cairn');
    expect(m.icons.map((i) => i.purpose)).toEqual(expect.arrayContaining(['any', 'maskable']));
    for (const icon of m.icons) expect((await fetch(`${base}${icon.src}`)).headers.get('content-type'), icon.src).toBe(icon.type);
    const sw = await fetch(`${base}/sw.js`);
    expect(sw.headers.get('service-worker-allowed')).toBe('/');
    expect(sw.headers.get('cache-control')).toBe('no-cache');
    const app = await fetch(`${base}/app/app.js`, { headers: { 'accept-encoding': 'br' } });
    expect(app.headers.get('content-encoding')).toBe('br');
    expect((await fetch(`${base}/app/app.js`, { headers: { 'if-none-match': app.headers.get('etag')! } })).status).toBe(304);
  });

  it('creates the owner on the setup page, from the link the collector logged', async () => {
    const logged = h.logs.map((l) => JSON.parse(l) as { setup?: string }).find((l) => l.setup);
    expect(logged?.setup).toMatch(/\/setup#token=cairn_su_/);
    owner = await open(browser.contexts()[0] ?? (await browser.newContext()));
    // Before there is an owner, the login page says so and where the link is.
    await owner.goto(`${base}/login`);
    await owner.getByText('This Cairn has no owner yet.').waitFor();
    expect(await axeViolations(owner)).toEqual([]);
    await shoot(owner, 'login-no-owner');
    await owner.goto(logged!.setup!);
    await owner.getByLabel('Your name').fill(OWNER.name);
    await owner.getByLabel('Email').fill(OWNER.email);
    await owner.getByLabel('New password', { exact: true }).fill(OWNER.password);
    await owner.getByLabel('New password, again').fill('something else');
    await owner.getByRole('button', { name: 'Create the owner account' }).click();
    // Checked before sending, and said next to the field.
    expect(await text(owner, '#confirm-error')).toBe('The two passwords differ.');
    expect(await owner.locator('#confirm').getAttribute('aria-invalid')).toBe('true');
    await owner.getByLabel('New password, again').fill(OWNER.password);
    await owner.getByRole('button', { name: 'Create the owner account' }).click();
    await owner.waitForURL(`${base}/login?notice=owner-created`);
    expect(await text(owner, '.notice')).toBe('The owner account is created. Log in with it.');
    expect(await owner.getByText('This Cairn has no owner yet.').count()).toBe(0);
  });

  it('logs in, and lists the sites with their visitors of the last 30 days', async () => {
    expect(await axeViolations(owner)).toEqual([]);
    await shoot(owner, 'login');
    expected.add('POST /api/auth/login 401');
    await owner.getByLabel('Email').fill(OWNER.email);
    await owner.getByLabel('Password').fill('wrong password');
    await owner.getByRole('button', { name: 'Log in' }).click();
    await owner.getByText('Wrong email or password.').waitFor();
    await owner.getByLabel('Password').fill(OWNER.password);
    await owner.getByRole('button', { name: 'Log in' }).click();
    await owner.waitForURL(`${base}/`);
    await owner.locator('cairn-site-card .visitors:not([role])').waitFor();
    expect(await text(owner, 'cairn-site-card h2')).toBe('example.com');
    expect(await text(owner, 'cairn-site-card .visitors')).toBe('12 visitors · last 30 days');
    expect(await owner.locator('cairn-sparkline polyline').count()).toBe(1);
    expect(await owner.title()).toBe('Sites · Cairn');
    expect(await axeViolations(owner)).toEqual([]);
  });

  it('adds a site, showing its tag and key once', async () => {
    await owner.getByRole('button', { name: 'Add a site' }).click();
    await owner.getByLabel('Domain').fill('not a domain');
    expected.add('POST /api/sites 400');
    await owner.getByRole('button', { name: 'Add the site' }).click();
    expect(await text(owner, '#domain-error')).toContain('is not a domain name');
    await owner.getByLabel('Domain').fill('other.example');
    await owner.getByRole('button', { name: 'Add the site' }).click();
    await owner.getByText('other.example is added').waitFor();
    expect(await text(owner, 'cairn-add-site pre')).toContain('data-site=');
    expect(await text(owner, 'cairn-add-site .secret code')).toMatch(/^cairn_sk_/);
    await owner.getByRole('button', { name: 'Done' }).click();
    await owner.locator('cairn-site-card').nth(1).waitFor();
  });

  it('fits a 375 px phone, light and dark, on the sites list', async () => {
    await shoot(owner, 'sites');
    const phone = await open(owner.context(), 375);
    await phone.goto(base);
    await phone.locator('cairn-site-card .visitors:not([role])').first().waitFor();
    expect(await contentWidth(phone)).toBeLessThanOrEqual(375);
    await shoot(phone, 'sites');
    await phone.close();
  });

  it('opens a site\'s dashboard', async () => {
    await owner.getByRole('link', { name: 'example.com', exact: true }).click();
    await owner.waitForURL(`${base}/sites/${h.siteId}`);
    await owner.waitForFunction(() => {
      const app = document.querySelector('cairn-app')!.shadowRoot!;
      const page = app.querySelector('cairn-site-page')?.shadowRoot;
      const widgets = [...(page?.querySelectorAll('cairn-metric, cairn-breakdown, cairn-dashboard') ?? [])] as unknown as { state: string }[];
      return widgets.length > 0 && widgets.every((w) => w.state === 'ready' || w.state === 'empty');
    });
    expect(await owner.title()).toBe('example.com · Cairn');
    expect(await axeViolations(owner)).toEqual([]);
    await shoot(owner, 'dashboard');
    const phone = await open(owner.context(), 375);
    await phone.goto(`${base}/sites/${h.siteId}`);
    await phone.waitForTimeout(800);
    expect(await contentWidth(phone)).toBeLessThanOrEqual(375);
    await shoot(phone, 'dashboard');
    await phone.close();
  });

  it('site settings: adds a goal (errors beside the field), makes a key shown once, copies the tag', async () => {
    await owner.getByRole('link', { name: 'Settings' }).click();
    await owner.waitForURL(`${base}/sites/${h.siteId}/settings`);
    await owner.getByRole('heading', { name: 'Goals' }).waitFor();
    await owner.getByText('No goal yet.').waitFor();
    expect(await axeViolations(owner)).toEqual([]);

    expected.add(`POST /api/sites/${h.siteId}/goals 400`); // three times: a blank path, no leading slash, a currency without revenue
    // Spaces pass the browser's own check of a required field: the API's answer, in words, beside the field.
    await owner.getByLabel('Page path').fill('   ');
    await owner.getByRole('button', { name: 'Add the goal' }).click();
    expect(await text(owner, 'cairn-site-goals #match-error')).toBe("A page goal needs a path (e.g. /thanks), an event goal the event's name.");
    await owner.getByLabel('Page path').fill('pricing');
    await owner.getByRole('button', { name: 'Add the goal' }).click();
    expect(await text(owner, 'cairn-site-goals #match-error')).toBe('A page goal is a path pattern starting with /, e.g. /thanks or /order/*/done.');
    await owner.getByLabel('Page path').fill('/pricing');
    await owner.locator('cairn-site-goals').getByLabel('Name').fill('Saw pricing');
    await owner.getByRole('button', { name: 'Add the goal' }).click();
    await owner.getByRole('cell', { name: 'Saw pricing', exact: true }).waitFor();
    // A revenue goal whose events say their currency: a currency without a revenue property is refused beside its field.
    const goals = owner.locator('cairn-site-goals');
    await goals.getByLabel('Kind').selectOption('event');
    await goals.getByLabel('Event name').fill('order');
    await goals.getByLabel('Name (optional)').fill('Order');
    await goals.getByLabel('Currency property').fill('currency');
    await owner.getByRole('button', { name: 'Add the goal' }).click();
    expect(await text(owner, 'cairn-site-goals #currency-error')).toContain('needs revenue');
    await goals.getByLabel('Revenue property').fill('value');
    await owner.getByRole('button', { name: 'Add the goal' }).click();
    await owner.getByRole('cell', { name: 'Order', exact: true }).waitFor();
    expect(await goals.getByRole('row', { name: /Order/ }).textContent()).toContain('revenue: value, currency: currency');

    await owner.locator('cairn-site-keys').getByLabel('Name').fill('WordPress plugin');
    await owner.getByRole('button', { name: 'Make the key' }).click();
    const secret = await text(owner, 'cairn-site-keys .secret code');
    expect(secret).toMatch(/^cairn_sk_/);
    await owner.getByRole('cell', { name: `…${secret.slice(-4)}`, exact: true }).waitFor();
    await owner.getByRole('button', { name: 'I copied it' }).click();
    await owner.reload();
    await owner.getByRole('cell', { name: 'WordPress plugin', exact: true }).waitFor();
    expect(await owner.content()).not.toContain(secret);
    expect(await owner.evaluate(() => document.querySelector('cairn-app')!.shadowRoot!.innerHTML.includes('cairn_sk_'))).toBe(false);

    const tag = await text(owner, 'cairn-site-setup pre');
    expect(tag).toBe(`<script defer src="${base}/t.js" data-site="${h.siteId}" data-api="${base}/api/event"></script>`);
    await owner.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    await owner.getByRole('button', { name: 'Copy the tag' }).click();
    await owner.locator('cairn-site-setup').getByText('Copied').waitFor();
    expect(await owner.evaluate(() => navigator.clipboard.readText())).toBe(tag);
    expect(await owner.getByText(/“Site keys” below/).count()).toBe(1);
    await shoot(owner, 'settings');
    // On a phone: nothing wider than the screen, every card inside it.
    const phone = await open(owner.context(), 375);
    await phone.goto(`${base}/sites/${h.siteId}/settings`);
    await phone.getByRole('cell', { name: 'Order', exact: true }).waitFor();
    expect(await contentWidth(phone)).toBeLessThanOrEqual(375);
    const overflowing = await phone.evaluate(() => {
      const cards: Element[] = [];
      const walk = (root: Document | ShadowRoot) =>
        root.querySelectorAll('*').forEach((el) => {
          if (el.matches('section.card, .card')) cards.push(el);
          if (el.shadowRoot) walk(el.shadowRoot);
        });
      walk(document);
      return cards.filter((c) => c.getBoundingClientRect().right > 375).map((c) => `${c.className}: ${Math.round(c.getBoundingClientRect().right)}`);
    });
    expect(overflowing).toEqual([]);
    await shoot(phone, 'settings');
    await phone.close();
  });

  it('shares the dashboard: a link with a password shows the numbers and no settings, and nothing once revoked', async () => {
    const shares = owner.locator('cairn-site-shares');
    await shares.getByText('No share link yet.').waitFor();
    await shares.getByLabel('Name').fill('Acme team');
    await shares.getByLabel('Password').fill('share password 1');
    await shares.getByRole('button', { name: 'Make the link' }).click();
    const url = await text(owner, 'cairn-site-shares .secret code');
    expect(url).toMatch(/\/share#cairn_sh_/);
    await shares.getByRole('button', { name: 'I copied it' }).click();
    await shares.getByRole('cell', { name: /^Acme team/ }).waitFor();
    expect(await axeViolations(owner)).toEqual([]);

    // Someone without an account, on a phone.
    const visitor = await browser.newContext();
    const shared = await open(visitor, 375);
    expected.add('POST /api/share/token 401');
    await shared.goto(url);
    await shared.getByLabel('Password').fill('wrong password!');
    await shared.getByRole('button', { name: 'Open the dashboard' }).click();
    await shared.getByText('The password is wrong').waitFor();
    await shared.getByLabel('Password').fill('share password 1');
    await shared.getByRole('button', { name: 'Open the dashboard' }).click();
    await shared.getByRole('heading', { name: 'example.com', level: 1 }).waitFor();
    await shared.waitForFunction(() => {
      const page = document.querySelector('cairn-app')!.shadowRoot!.querySelector('cairn-share-page')?.shadowRoot;
      const d = page?.querySelector('cairn-dashboard') as unknown as { state: string } | null;
      return d?.state === 'ready';
    });
    expect(await text(shared, 'cairn-metric .value')).toMatch(/[1-9]/);
    expect(await shared.getByRole('link', { name: 'Settings' }).count()).toBe(0);
    expect(await shared.getByRole('button', { name: 'Log out' }).count()).toBe(0);
    expect(await contentWidth(shared)).toBeLessThanOrEqual(375);
    expect(await axeViolations(shared)).toEqual([]);
    await shoot(shared, 'shared');

    await shares.getByRole('button', { name: 'Revoke the share link Acme team' }).click();
    await shares.getByRole('button', { name: 'Revoke', exact: true }).click();
    await shares.getByText(/Revoked/).waitFor();
    expected.add('POST /api/share/token 404');
    await shared.reload();
    await shared.getByText('this share link does not work', { exact: false }).waitFor();
    await visitor.close();
  });

  it('checks the installation live: an event stored and one dropped show within 2 s, and the filtered-traffic page explains the drop', async () => {
    const check = owner.locator('cairn-settings-page cairn-live-check');
    await check.getByText('No event yet.').waitFor();
    const send = (ua: string, path: string) =>
      h.post({ s: h.siteId, n: 'pageview', u: `https://example.com${path}` }, { 'user-agent': ua, 'x-forwarded-for': '203.0.113.77' });
    const chrome = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';
    expect((await send(chrome, '/live-ok')).status).toBe(202);
    expect((await send(chrome.replace('Chrome/', 'HeadlessChrome/'), '/live-bot')).status).toBe(202);
    await check.getByText('✓ Stored').waitFor({ timeout: 2_000 });
    await check.getByText('✕ Dropped: Automated browser').waitFor({ timeout: 2_000 });
    expect(await text(owner, 'cairn-live-check li.dropped')).toContain('"HeadlessChrome" in the browser name');
    expect(await text(owner, 'cairn-live-check li.stored')).toContain('example.com/live-ok');
    expect(await axeViolations(owner)).toEqual([]);
    await shoot(owner, 'live-check');

    // Drop counts are written by the upkeep, every minute.
    await h.collector.runMaintenance();
    await owner.getByRole('link', { name: 'Filtered traffic' }).click();
    await owner.waitForURL(`${base}/sites/${h.siteId}/filtered`);
    await owner.getByRole('cell', { name: 'Automated browser', exact: true }).waitFor();
    expect(await owner.title()).toBe('Filtered traffic of example.com · Cairn');
    expect(await text(owner, 'cairn-filtered-page tbody')).toContain('A browser driven by a program');
    expect(await axeViolations(owner)).toEqual([]);
    await shoot(owner, 'filtered');
    const phone = await open(owner.context(), 375);
    await phone.goto(`${base}/sites/${h.siteId}/filtered`);
    await phone.getByRole('cell', { name: 'Automated browser', exact: true }).waitFor();
    expect(await contentWidth(phone)).toBeLessThanOrEqual(375);
    await shoot(phone, 'filtered');
    await phone.close();
    await owner.goBack();
  });

  it('offers the live check and a copy button on a site with no visits yet', async () => {
    const other = h.collector.sites.list().find((s) => s.domains[0] === 'other.example')!;
    await owner.goto(`${base}/sites/${other.id}`);
    await owner.locator('cairn-site-page cairn-live-check').getByText('No event yet.').waitFor();
    await owner.getByRole('button', { name: 'Copy the tag' }).click();
    await owner.locator('cairn-dashboard').getByText('Copied').waitFor();
    expect(await owner.evaluate(() => navigator.clipboard.readText())).toContain(`data-site="${other.id}"`);
    expect(await axeViolations(owner)).toEqual([]);
    await shoot(owner, 'empty-site');
    await owner.goto(`${base}/sites/${h.siteId}/settings`);
  });

  it('invites a client to one site and its traffic, and shows the link when no email can be sent', async () => {
    await owner.getByRole('link', { name: 'Users & access' }).click();
    await owner.getByRole('button', { name: 'Invite a user' }).click();
    expect(await axeViolations(owner)).toEqual([]);
    await owner.getByLabel('Email').fill(CLIENT.email);
    await owner.getByRole('checkbox', { name: 'example.com' }).check();
    expect(await owner.getByRole('checkbox', { name: 'Traffic' }).isChecked()).toBe(true);
    expect(await owner.getByRole('checkbox', { name: 'Sources' }).isChecked()).toBe(false);
    await owner.getByRole('button', { name: 'Invite', exact: true }).click();
    invitation = await text(owner, '.invitation-url');
    expect(invitation).toMatch(new RegExp(`^${base}/reset#token=cairn_pr_`));
    expect(await text(owner, 'cairn-invite-form .secret')).toContain('No SMTP server is configured');
    await owner.locator('cairn-users-page li.user', { hasText: CLIENT.email }).waitFor();
    expect(await text(owner, 'cairn-users-page li.user:last-child .access')).toBe('example.com (Traffic)');
    expect(await axeViolations(owner)).toEqual([]);
    await shoot(owner, 'users');
  });

  it('makes an integration key for an app server, shows it once, and revokes it', async () => {
    const keys = owner.locator('cairn-integration-keys');
    await keys.getByLabel('Name').fill('Shopify app');
    await keys.getByRole('button', { name: 'Make the key' }).click();
    const secret = await text(owner, 'cairn-integration-keys .secret code');
    expect(secret).toMatch(/^cairn_ik_[\w-]{43}$/);
    // It opens the API for what it creates: a site of its own.
    const made = await fetch(`${base}/api/sites`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: JSON.stringify({ domain: 'shop.example.net' }) });
    expect(made.status).toBe(201);
    await keys.getByRole('button', { name: 'I copied it' }).click();
    expect(await axeViolations(owner)).toEqual([]);
    await shoot(owner, 'integration-keys');
    // On a phone each key is a block in its card: its Revoke button inside the card, nothing to scroll sideways.
    const phone = await open(owner.context(), 375);
    await phone.goto(`${base}/users`);
    const revoke = phone.locator('cairn-integration-keys').getByRole('button', { name: 'Revoke the key Shopify app' });
    await revoke.waitFor();
    expect(await contentWidth(phone)).toBeLessThanOrEqual(375);
    const card = (await phone.locator('cairn-integration-keys section.card').boundingBox())!;
    const button = (await revoke.boundingBox())!;
    expect(button.x + button.width).toBeLessThanOrEqual(card.x + card.width);
    expect(await axeViolations(phone)).toEqual([]);
    await shoot(phone, 'integration-keys');
    await phone.close();
    await keys.getByRole('button', { name: 'Revoke the key Shopify app' }).click();
    await keys.getByRole('button', { name: 'Revoke', exact: true }).click();
    await keys.getByText(/^Revoked /).waitFor();
    expect((await fetch(`${base}/api/sites`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(401);
    await owner.reload();
    await keys.getByRole('cell', { name: `…${secret.slice(-4)}`, exact: true }).waitFor();
    expect(await owner.evaluate(() => document.querySelector('cairn-app')!.shadowRoot!.innerHTML.includes('cairn_ik_'))).toBe(false);
  });

  it('lets the client set a password through the link, log in, and see only what was granted', async () => {
    const context = await browser.newContext();
    try {
      const client = await open(context);
      await client.goto(invitation);
      expect(await axeViolations(client)).toEqual([]);
      await client.getByLabel('New password', { exact: true }).fill(CLIENT.password);
      await client.getByLabel('New password, again').fill(CLIENT.password);
      await client.getByRole('button', { name: 'Set my password' }).click();
      await client.waitForURL(`${base}/login?notice=password-set`);
      await client.getByLabel('Email').fill(CLIENT.email);
      await client.getByLabel('Password').fill(CLIENT.password);
      await client.getByRole('button', { name: 'Log in' }).click();
      await client.waitForURL(`${base}/`);
      await client.locator('cairn-site-card .visitors:not([role])').waitFor();
      expect(await client.locator('cairn-site-card').count()).toBe(1);
      expect(await text(client, 'cairn-site-card h2')).toBe('example.com');
      expect(await client.getByRole('link', { name: 'Users & access' }).count()).toBe(0);
      expect(await client.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
      expect(await client.getByRole('link', { name: 'Settings' }).count()).toBe(0);
      // Its site's settings show the tag to install, and point to no section it cannot see.
      await client.goto(`${base}/sites/${h.siteId}/settings`);
      await client.locator('cairn-site-setup pre').waitFor();
      await client.locator('cairn-site-setup').getByText('The site’s owner or an admin makes one for each plugin.').waitFor();
      expect(await client.getByText(/“Site keys” below/).count()).toBe(0);
      expect(await axeViolations(client)).toEqual([]);
      await client.goto(`${base}/users`);
      await client.getByRole('heading', { name: 'Not available' }).waitFor();
      // The link worked once.
      expected.add('POST /api/auth/reset 400');
      const again = await open(await browser.newContext());
      await again.goto(invitation);
      await again.getByLabel('New password', { exact: true }).fill('another password 2');
      await again.getByLabel('New password, again').fill('another password 2');
      await again.getByRole('button', { name: 'Set my password' }).click();
      await again.getByText('This link no longer works').waitFor();
      await again.context().close();
    } finally {
      await context.close();
    }
  });

  it('sends a logged-out visitor to the login page, and on to the page they asked for', async () => {
    const context = await browser.newContext();
    try {
      const page = await open(context);
      await page.goto(`${base}/audit?page=2`);
      await page.waitForURL(`${base}/login?next=${encodeURIComponent('/audit?page=2')}`);
      await page.getByLabel('Email').fill(OWNER.email);
      await page.getByLabel('Password').fill(OWNER.password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL(`${base}/audit?page=2`);
      await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    } finally {
      await context.close();
    }
  });

  it('says so, with a button like the app\'s, when Cairn cannot be reached', async () => {
    const context = await browser.newContext();
    try {
      const page = await open(context);
      await page.route('**/api/auth/me', (route) => route.abort('internetdisconnected'));
      await page.goto(`${base}/audit`);
      await page.getByRole('heading', { name: 'Cairn cannot be reached' }).waitFor();
      const retry = page.getByRole('button', { name: 'Try again' });
      const look = await retry.evaluate((b) => {
        const s = getComputedStyle(b);
        return { padding: s.paddingLeft, radius: s.borderRadius, background: s.backgroundColor };
      });
      expect(look).toMatchObject({ padding: '14px', radius: '6px' });
      expect(look.background).not.toBe('rgb(239, 239, 239)'); // the browser's own grey
      expect(await axeViolations(page)).toEqual([]);
      await shoot(page, 'unreachable');
    } finally {
      await context.close();
    }
  });

  it('pages through the audit log and filters it by action', async () => {
    // 22 more entries, so that there are two pages of 20.
    await owner.evaluate(async (site) => {
      const { csrfToken } = (await (await fetch('/api/auth/me')).json()) as { csrfToken: string };
      for (let i = 0; i < 22; i++) {
        await fetch(`/api/sites/${site}`, { method: 'PATCH', headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken }, body: JSON.stringify({ name: `example.com #${i}` }) });
      }
    }, h.siteId);
    await owner.getByRole('link', { name: 'Audit log' }).click();
    await owner.waitForURL(`${base}/audit`);
    await owner.locator('cairn-audit-page tbody tr').first().waitFor();
    expect(await owner.locator('cairn-audit-page tbody tr').count()).toBe(20);
    expect(await text(owner, 'nav.pages [role=status]')).toMatch(/^Page 1 of 2 · \d+ entries$/);
    expect(await axeViolations(owner)).toEqual([]);
    await shoot(owner, 'audit');
    const first = await text(owner, 'cairn-audit-page tbody tr');
    await owner.getByRole('button', { name: 'Next' }).click();
    await owner.waitForURL(`${base}/audit?page=2`);
    await owner.locator('nav.pages [role=status]', { hasText: 'Page 2 of 2' }).waitFor();
    expect(await text(owner, 'cairn-audit-page tbody tr')).not.toBe(first);
    await owner.goBack();
    await owner.locator('nav.pages [role=status]', { hasText: 'Page 1 of 2' }).waitFor();
    await owner.getByLabel('Action').selectOption('user.create');
    await owner.getByRole('button', { name: 'Show' }).click();
    await owner.locator('nav.pages [role=status]', { hasText: 'Page 1 of 1 · 2 entries' }).waitFor();
    const actors = await owner.locator('cairn-audit-page tbody td:nth-child(4)').allTextContents();
    expect(actors.sort()).toEqual([CLIENT.email, OWNER.email]);
    // On a phone, each entry keeps its time, action, actor and target in view.
    const phone = await open(owner.context(), 375);
    await phone.goto(`${base}/audit`);
    const row = phone.locator('cairn-audit-page tbody tr').first();
    await row.waitFor();
    expect(await contentWidth(phone)).toBeLessThanOrEqual(375);
    for (const cell of await row.locator('td').all()) {
      const box = await cell.boundingBox();
      expect(box, await cell.textContent() ?? '').not.toBeNull();
      expect(box!.x + box!.width).toBeLessThanOrEqual(375);
    }
    expect(await axeViolations(phone)).toEqual([]);
    await shoot(phone, 'audit');
    await phone.close();
  });

  it('is an installable PWA whose service worker never caches an API answer', async () => {
    await owner.goto(`${base}/sites/${h.siteId}`);
    expect(await owner.evaluate(() => navigator.serviceWorker.ready.then((r) => r.active?.scriptURL))).toBe(`${base}/sw.js`);
    // Controlled now: the dashboard's stats requests pass through the worker.
    await Promise.all([owner.waitForResponse((r) => r.url().includes('/api/stats/')), owner.reload()]);
    expect(await owner.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    await owner.waitForTimeout(500);
    const cached = await owner.evaluate(async () => {
      const urls: string[] = [];
      for (const name of await caches.keys()) for (const req of await (await caches.open(name)).keys()) urls.push(`${name} ${new URL(req.url).pathname}`);
      return urls;
    });
    expect(cached.some((u) => u.endsWith(' /app/app.js'))).toBe(true);
    expect(cached.filter((u) => u.includes('/api/'))).toEqual([]);
  });

  it('showed no console error and broke no CSP rule on any page', () => {
    expect(problems).toEqual([]);
  });
});
