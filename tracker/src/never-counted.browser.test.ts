/**
 * The built t.js in headless Chromium: what is never counted or never touched (automation, Do Not
 * Track, local pages, excluded paths, storage and fingerprinting APIs; the shared setup:
 * testing/tracker-suite.ts).
 */
import { describe, expect, it } from 'vitest';
import { hideTab, launchChromium, storageProbe, storageTouches } from './testing/browser.ts';
import { events, fixture, open, settle, site, useTrackerSite, waitFor, type Ev } from './testing/tracker-suite.ts';

useTrackerSite();

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
