/**
 * The built t.js in headless Chromium: engaged time and scroll depth (the shared setup:
 * testing/tracker-suite.ts).
 */
import { describe, expect, it } from 'vitest';
import { closeTab, hideTab } from './testing/browser.ts';
import { browser, events, fixture, names, open, pages, settle, site, useTrackerSite, waitFor, type Ev } from './testing/tracker-suite.ts';

useTrackerSite();

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

  it('sends none with data-disable="engagement", across SPA navigations and when the tab is hidden', async () => {
    const page = await open(fixture('/no-engagement', { attrs: 'data-disable="engagement"', body: '<div style="height:5000px">long read</div>' }));
    await site.waitForEvents(1);
    await page.keyboard.press('End');
    await settle(700);
    await page.evaluate(() => history.pushState({}, '', '/no-engagement/2'));
    await settle(700);
    await page.evaluate(() => history.pushState({}, '', '/no-engagement/3'));
    await site.waitForEvents(3);
    await hideTab(page);
    await settle();
    expect(names()).toEqual(['pageview', 'pageview', 'pageview']);
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
