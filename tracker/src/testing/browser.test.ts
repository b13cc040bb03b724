import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  closeTab,
  hideTab,
  launchChromium,
  openTab,
  showTab,
  startSite,
  storageProbe,
  storageTouches,
} from './browser.ts';
import type { Site } from './browser.ts';

let browser: Browser;
let site: Site;

beforeAll(async () => {
  [browser, site] = await Promise.all([launchChromium(), startSite()]);
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

afterEach(() => site.clear());

describe('startSite', () => {
  it('serves pages under http://example.com:PORT and 404s unknown paths', async () => {
    const url = site.page('/hello', '<title>Hello</title><p>hi</p>');
    expect(url).toBe(`${site.origin}/hello`);
    const page = await browser.newPage();
    const response = await page.goto(url);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toBe('text/html; charset=utf-8');
    expect(await page.evaluate('[location.hostname, location.port]')).toEqual(['example.com', String(site.port)]);
    expect(await page.title()).toBe('Hello');
    expect((await page.goto(`${site.origin}/missing`))?.status()).toBe(404);
    expect(site.hits).toEqual(expect.arrayContaining(['/hello', '/missing']));
    await page.close();
  });

  it('records a fetch and a sendBeacon to /api/event with body and content type', async () => {
    const page = await browser.newPage();
    await page.goto(site.page('/', '<p>events</p>'));
    await page.evaluate(`fetch('/api/event', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify([{ n: 'pageview' }, { n: 'click' }]),
    })`);
    expect(await page.evaluate(`navigator.sendBeacon('/api/event', JSON.stringify({ n: 'beacon' }))`)).toBe(true);
    const events = await site.waitForEvents(3);
    expect(events).toEqual(expect.arrayContaining([{ n: 'pageview' }, { n: 'click' }, { n: 'beacon' }]));
    expect(site.requests.map((r) => r.contentType).sort()).toEqual(['application/json', 'text/plain;charset=UTF-8']);
    expect(site.requests[0]?.headers['user-agent']).toContain('HeadlessChrome');
    await page.close();
  });

  it('answers the CORS preflight of a JSON post from another origin', async () => {
    const page = await browser.newPage();
    await page.goto(site.page('/', '<p>cross origin</p>'));
    const status = await page.evaluate(`fetch('http://collector.test:${site.port}/api/event', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"n":"cross"}',
    }).then((r) => r.status)`);
    expect(status).toBe(202);
    expect(site.events()).toEqual([{ n: 'cross' }]);
    expect(site.requests[0]?.headers.origin).toBe(site.origin);
    await page.close();
  });

  it('records which files the browser downloaded', async () => {
    site.file('/eager.js', 'window.eager = true;', 'text/javascript');
    site.file('/lazy.js', 'window.lazy = true;', 'text/javascript');
    const page = await browser.newPage();
    await page.goto(site.page('/', '<script src="/eager.js"></script>'));
    expect(await page.evaluate('window.eager')).toBe(true);
    expect(site.hits).toContain('/eager.js');
    expect(site.hits).not.toContain('/lazy.js');
    await page.close();
  });

  it('rejects waitForEvents with what did arrive', async () => {
    await fetch(`http://127.0.0.1:${site.port}/api/event`, { method: 'POST', body: '{"n":"only one"}' });
    await expect(site.waitForEvents(2, 200)).rejects.toThrow(/Expected at least 2 event\(s\) within 200 ms, got 1:[\s\S]*only one/);
  });
});

describe('launchChromium', () => {
  it('leaves navigator.webdriver true by default and false with automationHidden', async () => {
    const hidden = await launchChromium({ automationHidden: true });
    try {
      const url = site.page('/', '<p>webdriver</p>');
      const [visiblePage, hiddenPage] = await Promise.all([browser.newPage(), hidden.newPage()]);
      await Promise.all([visiblePage.goto(url), hiddenPage.goto(url)]);
      expect(await visiblePage.evaluate('navigator.webdriver')).toBe(true);
      expect(await hiddenPage.evaluate('navigator.webdriver')).toBe(false);
    } finally {
      await hidden.close();
    }
  });
});

describe('storageProbe', () => {
  it('records a cookie write and a localStorage read, and the page still works', async () => {
    const page = await browser.newPage();
    await page.addInitScript(storageProbe);
    await page.goto(
      site.page(
        '/storage',
        `<script>
          document.cookie = 'visitor=42; path=/';
          window.stored = localStorage.getItem('missing');
          localStorage.setItem('k', 'v');
          window.readBack = [document.cookie, localStorage.getItem('k')];
        </script>`,
      ),
    );
    expect(await page.evaluate('window.readBack')).toEqual(['visitor=42', 'v']);
    const touches = await storageTouches(page);
    expect(touches).toEqual(expect.arrayContaining(['document.cookie:set', 'localStorage', 'localStorage.getItem']));
    expect(touches).toContain('document.cookie:get');
    expect(touches).not.toContain('sessionStorage');
    await page.close();
  });

  it('records nothing on a page that uses neither storage nor fingerprinting', async () => {
    const page = await browser.newPage();
    await page.addInitScript(storageProbe);
    await page.goto(site.page('/plain', '<p id="x">plain</p><script>document.getElementById("x").textContent += "!"</script>'));
    expect(await page.textContent('#x')).toBe('plain!');
    expect(await storageTouches(page)).toEqual([]);
    await page.close();
  });

  it('records fingerprinting surfaces', async () => {
    const page = await browser.newPage();
    await page.addInitScript(storageProbe);
    await page.goto(
      site.page(
        '/fingerprint',
        `<canvas id="c" width="8" height="8"></canvas><script>
          const c = document.getElementById('c');
          c.getContext('2d').getImageData(0, 0, 1, 1);
          window.png = c.toDataURL().slice(0, 22);
          window.audio = new OfflineAudioContext(1, 128, 44100) instanceof OfflineAudioContext;
          new AudioContext().close();
          navigator.plugins.length;
          document.fonts.size;
          sessionStorage.length;
          indexedDB.open('x');
        </script>`,
      ),
    );
    expect(await page.evaluate('[window.png, window.audio]')).toEqual(['data:image/png;base64,', true]);
    expect(new Set(await storageTouches(page))).toEqual(
      new Set([
        'canvas.getImageData',
        'canvas.toDataURL',
        'OfflineAudioContext',
        'AudioContext',
        'navigator.plugins',
        'document.fonts',
        'sessionStorage',
        'indexedDB',
      ]),
    );
    await page.close();
  });
});

describe('tabs', () => {
  const lifecyclePage = `<script>
    window.seen = [];
    document.addEventListener('visibilitychange', () => {
      seen.push(document.visibilityState);
      navigator.sendBeacon('/api/event', JSON.stringify({ on: 'visibilitychange', state: document.visibilityState }));
    });
    addEventListener('pagehide', () => {
      seen.push('pagehide');
      navigator.sendBeacon('/api/event', JSON.stringify({ on: 'pagehide' }));
    });
  </script>`;

  it('hideTab fires visibilitychange with hidden, its beacon arrives, showTab brings it back', async () => {
    const page = await openTab(browser);
    await page.goto(site.page('/tab', lifecyclePage));
    expect(await page.evaluate('document.visibilityState')).toBe('visible');
    await hideTab(page);
    expect(await page.evaluate('[document.visibilityState, document.hidden, seen]')).toEqual(['hidden', true, ['hidden']]);
    expect(await site.waitForEvents(1)).toEqual([{ on: 'visibilitychange', state: 'hidden' }]);
    await showTab(page);
    await hideTab(page);
    expect(await page.evaluate('seen')).toEqual(['hidden', 'visible', 'hidden']);
    // Closing an already hidden tab fires pagehide only; wait for it so it cannot leak into the next test.
    await closeTab(page);
    const events = await site.waitForEvents<{ on: string; state?: string }>(4);
    expect(events.map((e) => e.state ?? e.on).sort()).toEqual(['hidden', 'hidden', 'pagehide', 'visible']);
  });

  it('closeTab fires visibilitychange and pagehide, and both beacons arrive', async () => {
    const page = await openTab(browser);
    await page.goto(site.page('/tab', lifecyclePage));
    await closeTab(page);
    const events = await site.waitForEvents<{ on: string }>(2);
    expect(events.map((e) => e.on).sort()).toEqual(['pagehide', 'visibilitychange']);
    expect(events).toContainEqual({ on: 'visibilitychange', state: 'hidden' });
  });

  it('hideTab explains why a page of browser.newPage() cannot be hidden', async () => {
    const page = await browser.newPage();
    await page.goto(site.page('/tab', lifecyclePage));
    await expect(hideTab(page)).rejects.toThrow(/openTab\(browser\)/);
    await page.close();
  });
});
