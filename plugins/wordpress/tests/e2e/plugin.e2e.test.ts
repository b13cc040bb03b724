/**
 * The Cairn plugin on a real WordPress 6.5 against a real collector, in headless Chromium: the
 * public page carries the deferred tracker tag and its pageview reaches the collector, directly
 * and through the plugin's first-party proxy (with the visitor's address kept); an administrator
 * sees the Cairn page, the dashboard widget and the post's panel render the collector's numbers;
 * a subscriber gets neither the page nor a token, and a token request without a nonce is refused.
 * Screenshots of the Cairn page and the dashboard widget go to .cache/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '@cairn/tracker/testing';
import { CHROME_UA, postFrom, startHarness, type Harness } from '@cairn/collector/testing';
import { startWordPress, type WordPress } from './wordpress.ts';

let h: Harness;
let wp: WordPress;
let browser: Browser;
/** The public site's address: a real-looking host (the tracker ignores 127.0.0.1) on WordPress's port. */
let home: string;

/** A visitor's browser: a person's user agent and client hints (headless Chromium's are dropped as a bot's). */
const visitorContext = () => browser.newContext({ userAgent: CHROME_UA, extraHTTPHeaders: { 'sec-ch-ua': '"Chromium";v="150", "Google Chrome";v="150"' } });

const configure = (settings: Record<string, unknown>) =>
  wp.php(`update_option('cairn_analytics', json_decode(${JSON.stringify(JSON.stringify(settings))}, true)); update_option('cairn_analytics_site_key', ${JSON.stringify(h.siteKey)}, false); echo 'ok';`);

beforeAll(async () => {
  [h, wp, browser] = await Promise.all([startHarness({ domain: 'wp.example' }), startWordPress({ pluginDir: 'plugins/wordpress', slug: 'cairn-analytics' }), launchChromium({ automationHidden: true })]);
  home = wp.url.replace('127.0.0.1', 'wp.example');
  await wp.php(`update_option('home', ${JSON.stringify(home)}); echo 'ok';`);
  expect(await configure({ collector_url: h.collector.url, site_id: h.siteId, exclude_roles: ['administrator'] })).toBe('ok');
});
afterAll(async () => {
  await browser?.close();
  await h?.stop();
  await wp?.stop();
});

/** Opens the public home page as a visitor; resolves with the page once its pageview was acknowledged. */
async function visit(): Promise<{ page: Page; ingest: string }> {
  const page = await (await visitorContext()).newPage();
  const sent = page.waitForResponse((r) => /\/api\/event|\/fwd\/v1\/e/.test(r.url()) && r.request().method() === 'POST', { timeout: 15_000 });
  await page.goto(`${home}/`);
  const res = await sent;
  expect(res.status()).toBe(202);
  return { page, ingest: res.url() };
}

describe('on the public site', () => {
  it('carries the deferred tracker tag, and its pageview reaches the collector', async () => {
    const { page, ingest } = await visit();
    const tag = await page.evaluate(`(() => {
      const s = document.querySelector('script[src*="/t.js"]');
      return s && { defer: s.defer, site: s.dataset.site, api: s.dataset.api, src: s.src };
    })()`);
    expect(tag).toEqual({ defer: true, site: h.siteId, api: `${h.collector.url}/api/event`, src: `${h.collector.url}/t.js` });
    expect(ingest).toBe(`${h.collector.url}/api/event`);
    await h.collector.store.events.settle();
    const events = await h.collector.store.events.list(h.siteId);
    expect(events.map((e) => [e.name, e.hostname, e.pathname])).toContainEqual(['pageview', 'wp.example', '/']);
    await page.context().close();
  });

  it('goes through the first-party proxy when asked, keeping the visitor’s address', async () => {
    await configure({ collector_url: h.collector.url, site_id: h.siteId, exclude_roles: ['administrator'], proxy: true });
    const { page, ingest } = await visit();
    expect(ingest).toContain('fwd/v1/e');
    const src = await page.evaluate<string>(`document.querySelector('script[data-site]').src`);
    expect(src).not.toContain(h.collector.url);
    await page.context().close();

    // From another address (127.0.0.7): through the proxy and straight to the collector (as that
    // address, behind a trusted proxy), the same visitor id: the address was forwarded.
    const body = JSON.stringify({ s: h.siteId, n: 'proxied', u: `${home}/proxy-check` });
    const via = async (url: string, headers: Record<string, string> = {}) => (await postFrom('127.0.0.7', url, body, headers)).status;
    expect(await via(`${wp.url}/?rest_route=/fwd/v1/e`)).toBe(202);
    expect(await via(`${h.collector.url}/api/event`, { 'x-forwarded-for': '127.0.0.7' })).toBe(202);
    expect(await via(`${h.collector.url}/api/event`, { 'x-forwarded-for': '127.0.0.8' })).toBe(202);
    // A prefetch through the proxy: it forwards Sec-Purpose, so the collector drops it as it would a direct one.
    const prefetch = JSON.stringify({ s: h.siteId, n: 'prefetched', u: `${home}/proxy-check` });
    expect((await postFrom('127.0.0.7', `${wp.url}/?rest_route=/fwd/v1/e`, prefetch, { 'sec-purpose': 'prefetch' })).status).toBe(202);
    await h.collector.store.events.settle();
    expect((await h.collector.store.events.list(h.siteId)).filter((e) => e.name === 'prefetched')).toEqual([]);
    const visitors = (await h.collector.store.events.list(h.siteId)).filter((e) => e.name === 'proxied').map((e) => e.visitor);
    expect(visitors).toHaveLength(3);
    expect(visitors[0]).toBe(visitors[1]);
    expect(visitors[2]).not.toBe(visitors[0]);
    await configure({ collector_url: h.collector.url, site_id: h.siteId, exclude_roles: ['administrator'] });
  });
});

describe('in wp-admin', () => {
  it('saves the settings through its form, never prints the site key, and tests the connection in plain words', async () => {
    await wp.php(`delete_option('cairn_analytics'); delete_option('cairn_analytics_site_key'); echo 'ok';`);
    const page = await browser.newPage();
    await wp.login(page);
    await page.goto(`${wp.url}/wp-admin/options-general.php?page=cairn-analytics`);
    await page.fill('#cairn-collector_url', `${h.collector.url}/`);
    await page.fill('#cairn-site_id', h.siteId);
    await page.fill('#cairn-site_key', h.siteKey);
    await page.click('#submit');
    await page.waitForURL(/settings-updated=true/);
    const saved = JSON.parse(await wp.php(`echo wp_json_encode([get_option('cairn_analytics')['collector_url'] ?? null, get_option('cairn_analytics')['site_id'] ?? null, get_option('cairn_analytics_site_key') === ${JSON.stringify(h.siteKey)}]);`)) as unknown[];
    expect(saved).toEqual([h.collector.url, h.siteId, true]);
    expect(await page.content()).not.toContain(h.siteKey);
    expect(await page.inputValue('#cairn-site_key')).toBe('');

    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.waitForSelector('.notice');
    expect(await page.locator('.notice').first().getAttribute('class')).toContain('notice-success');
    expect(await page.locator('.notice').first().innerText()).toMatch(/site key works/i);

    // A wrong key: said in words, on the same page.
    await wp.php(`update_option('cairn_analytics_site_key', 'cairn_sk_${'x'.repeat(43)}', false); echo 'ok';`);
    await page.goto(`${wp.url}/wp-admin/options-general.php?page=cairn-analytics`);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.waitForSelector('.notice-error');
    expect(await page.locator('.notice-error').innerText()).toMatch(/key/i);
    await configure({ collector_url: h.collector.url, site_id: h.siteId, exclude_roles: ['administrator'] });
    await page.close();
  });

  it('shows the administrator the Cairn page, the dashboard widget and the post panel with the collector’s numbers', async () => {
    const summary = (await (await fetch(`${h.collector.url}/api/stats/${h.siteId}/summary?period=30d`, { headers: { authorization: `Bearer ${h.siteKey}` } })).json()) as { metrics: { visitors: number } };
    expect(summary.metrics.visitors).toBeGreaterThan(0);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await wp.login(page);
    mkdirSync('.cache/screenshots', { recursive: true });

    await page.goto(`${wp.url}/wp-admin/index.php?page=cairn-stats`);
    await page.waitForFunction(`document.querySelector('cairn-dashboard')?.state === 'ready'`, null, { timeout: 20_000 });
    const visitors = await page.evaluate(`document.querySelector('cairn-dashboard').shadowRoot.querySelector('cairn-metric').shadowRoot.querySelector('.value').textContent.trim()`);
    expect(visitors).toBe(String(summary.metrics.visitors));
    await page.waitForTimeout(500);
    await page.screenshot({ path: '.cache/screenshots/wordpress-cairn-page.png', fullPage: true });

    await page.goto(`${wp.url}/wp-admin/index.php`);
    await page.waitForFunction(`document.querySelector('#cairn_last_7_days cairn-metric')?.state === 'ready'`, null, { timeout: 20_000 });
    const week = (await (await fetch(`${h.collector.url}/api/stats/${h.siteId}/summary?period=7d`, { headers: { authorization: `Bearer ${h.siteKey}` } })).json()) as { metrics: { visitors: number } };
    expect(await page.evaluate(`document.querySelector('#cairn_last_7_days cairn-metric').shadowRoot.querySelector('.value').textContent.trim()`)).toBe(String(week.metrics.visitors));
    await page.waitForTimeout(1500); // the chart's drawing animation
    await page.locator('#cairn_last_7_days').screenshot({ path: '.cache/screenshots/wordpress-dashboard-widget.png' });

    await page.goto(`${wp.url}/wp-admin/post.php?post=1&action=edit`);
    // The block editor: a panel of the post's sidebar (assets/editor.js), not a meta box. Like
    // the editor's own panels it starts closed (no request until opened), and stays as left.
    // (By CSS: while the editor's first-use guide is open, the rest is hidden from roles.)
    const panel = page.locator('.cairn-page-stats-panel button', { hasText: 'Visitors, 30 days' });
    await panel.waitFor({ timeout: 60_000 });
    const welcome = page.getByRole('dialog', { name: /welcome/i }).getByRole('button', { name: 'Close' });
    if (await welcome.isVisible()) await welcome.click();
    await panel.click();
    // Plain permalinks (this install's): the post is "/?p=1", whose path is the home page's while
    // the site keeps no "p", so the panel says what to keep rather than show the home page's visitors.
    await page.locator('.cairn-page-stats-panel .cairn-error', { hasText: 'Query parameters to keep' }).waitFor({ timeout: 30_000 });
    expect(await page.locator('.cairn-page-stats-panel cairn-page-stats').count()).toBe(0);
    // The owner keeps p and page_id: a visit to /?p=1 is the post's, and its panel shows it.
    await h.collector.store.sites.update(h.siteId, { queryKeys: ['p', 'page_id'] });
    await h.collector.sites.reload();
    const reader = await (await visitorContext()).newPage();
    const sent = reader.waitForResponse((r) => /\/api\/event/.test(r.url()) && r.request().method() === 'POST');
    await reader.goto(`${home}/?p=1`);
    expect((await sent).status()).toBe(202);
    await reader.context().close();
    await h.collector.store.events.settle();
    const post = (await (await fetch(`${h.collector.url}/api/stats/${h.siteId}/summary?period=30d&filters=${encodeURIComponent('[{"dimension":"page","op":"is","values":["/?p=1"]}]')}`, { headers: { authorization: `Bearer ${h.siteKey}` } })).json()) as { metrics: { visitors: number } };
    expect(post.metrics.visitors).toBeGreaterThan(0);
    await page.reload();
    await panel.waitFor({ timeout: 60_000 });
    if ((await panel.getAttribute('aria-expanded')) !== 'true') await panel.click();
    await page.waitForFunction(`document.querySelector('.cairn-page-stats-panel cairn-page-stats')?.state === 'ready'`, null, { timeout: 30_000 });
    expect(await page.evaluate(`document.querySelector('cairn-page-stats').getAttribute('path')`)).toBe('/?p=1');
    const shown = await page.evaluate(`[...document.querySelector('.cairn-page-stats-panel cairn-page-stats').shadowRoot.querySelectorAll('dl > div')].map((d) => [d.querySelector('dt').textContent.trim(), d.querySelector('.value').textContent.trim()])`);
    expect(shown).toContainEqual(['Visitors', String(post.metrics.visitors)]);
    await page.waitForTimeout(1000);
    await page.locator('.cairn-page-stats-panel').screenshot({ path: '.cache/screenshots/wordpress-editor-panel-plain-permalinks.png' });
    // With a structure that gives each post its own path, the panel shows that path's visitors.
    // (Only the editor is opened: php -S serves no pretty URL, which the panel does not need.)
    await wp.php(`update_option('permalink_structure', '/%postname%/'); echo 'ok';`);
    try {
      await page.reload();
      await panel.waitFor({ timeout: 60_000 });
      if ((await panel.getAttribute('aria-expanded')) !== 'true') await panel.click();
      await page.waitForFunction(`['ready', 'empty'].includes(document.querySelector('.cairn-page-stats-panel cairn-page-stats')?.state)`, null, { timeout: 30_000 });
      expect(await page.evaluate(`document.querySelector('cairn-page-stats').getAttribute('path')`)).toBe('/hello-world/');
    } finally {
      await wp.php(`update_option('permalink_structure', ''); echo 'ok';`);
    }
    expect(await page.locator('#cairn-page-stats').count()).toBe(0);
    await page.waitForTimeout(1000);
    await page.locator('.cairn-page-stats-panel').screenshot({ path: '.cache/screenshots/wordpress-editor-panel.png' });
    await page.close();
   }, 150_000); // wp-admin pages and the block editor, through php -S, on a busy machine in CI

  it('lets the administrator give editors the stats from the settings page, and take them back', async () => {
    const editor = await wp.addUser('editor');
    const admin = await browser.newPage();
    await wp.login(admin);
    const box = admin.locator('input[name="cairn_analytics[view_roles][]"][value="editor"]');
    const save = async (checked: boolean) => {
      await admin.goto(`${wp.url}/wp-admin/options-general.php?page=cairn-analytics`);
      await box.setChecked(checked);
      await admin.click('#submit');
      await admin.waitForURL(/settings-updated=true/, { timeout: 60_000 });
      expect(await box.isChecked()).toBe(checked);
    };
    const editorSees = async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await wp.login(page, editor);
      const status = (await page.goto(`${wp.url}/wp-admin/index.php?page=cairn-stats`))?.status();
      if (status === 200) await page.waitForFunction(`document.querySelector('cairn-dashboard')?.state === 'ready'`, null, { timeout: 20_000 });
      await context.close();
      return status;
    };

    expect(await editorSees()).toBe(403);
    await save(true);
    expect(await editorSees()).toBe(200);
    await save(false);
    expect(await editorSees()).toBe(403);
    // Administrators cannot be unticked.
    expect(await admin.locator('input[type=checkbox][disabled]').isChecked()).toBe(true);
    expect(await wp.php(`echo get_role('administrator')->has_cap('view_cairn_stats') ? 'yes' : 'no';`)).toBe('yes');
    await admin.close();
   }, 150_000); // six wp-admin page loads through php -S, on a busy machine in CI

  it('gives a subscriber neither the page nor a token, and refuses a token request without a nonce', async () => {
    const tokenUrl = `${wp.url}/?rest_route=/cairn/v1/token`;
    const admin = await browser.newPage();
    await wp.login(admin);
    const noNonce = await admin.evaluate(async (u) => (await fetch(u, { credentials: 'same-origin' })).status, tokenUrl);
    expect(noNonce).toBe(401);
    const withNonce = await admin.evaluate(async (u) => {
      const nonce = await (await fetch('/wp-admin/admin-ajax.php?action=rest-nonce', { credentials: 'same-origin' })).text();
      return (await fetch(u, { credentials: 'same-origin', headers: { 'X-WP-Nonce': nonce } })).status;
    }, tokenUrl);
    expect(withNonce).toBe(200);
    await admin.close();

    const subscriber = await wp.addUser('subscriber');
    const context = await browser.newContext();
    const page = await context.newPage();
    await wp.login(page, subscriber);
    const denied = await page.goto(`${wp.url}/wp-admin/index.php?page=cairn-stats`);
    expect(denied?.status()).toBe(403);
    expect(await page.locator('cairn-dashboard').count()).toBe(0);
    const token = await page.evaluate(async (u) => {
      const nonce = await (await fetch('/wp-admin/admin-ajax.php?action=rest-nonce', { credentials: 'same-origin' })).text();
      return (await fetch(u, { credentials: 'same-origin', headers: { 'X-WP-Nonce': nonce } })).status;
    }, tokenUrl);
    expect(token).toBe(403);
    await context.close();
  }, 120_000); // two logins through php -S, on a busy machine in CI
});
