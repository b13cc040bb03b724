/**
 * A stand-in for Shopify's pixel manager, to run the built web pixel as the strict sandbox runs
 * it: in a real Web Worker (no DOM) of a page in headless Chromium, with the documented
 * extension API (shopify.dev "Web Pixels API": `register(({ analytics, browser, init, settings,
 * customerPrivacy }) => …)`):
 * - `shopify.extend('WebPixel::Render', fn)`, which `register` of @shopify/web-pixels-extension
 *   calls; `fn` gets the API once the pixel's script has run;
 * - `analytics.subscribe(name, cb)` (also `all_events`, `all_standard_events`), events published
 *   from the test as Shopify publishes them (a copy each);
 * - `browser.cookie` / `localStorage` / `sessionStorage` / `sendBeacon`: asynchronous, run in the
 *   top frame (here the page), and recorded: the pixel is meant to use none;
 * - `init` (context, data, customerPrivacy), `settings` (the app's settings, as strings);
 * - `customerPrivacy.subscribe('visitorConsentCollected', cb)`.
 * The worker's `fetch` is the browser's own, wrapped only to record what was sent and answered.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CHROME_UA } from '@cairn/collector/testing';
import { launchChromium } from '@cairn/tracker/testing';
import { buildPixel } from '../scripts/pixel-build.ts';

/** What the worker's stand-in of the pixel manager runs before the pixel's script. */
const WORKER = `
'use strict';
const subscribers = new Map();
const consent = [];
const sent = [];
const browserCalls = [];
let api;
let pending = Promise.resolve();
let calls = 0;
const top = new Map();
const topFrame = (method, args) => {
  browserCalls.push(method);
  const id = ++calls;
  return new Promise((resolve) => { top.set(id, resolve); postMessage({ type: 'browser', id, method, args }); });
};
const realFetch = self.fetch.bind(self);
self.fetch = (url, init) => {
  const record = { url: String(url), body: init && init.body, keepalive: !!(init && init.keepalive), status: 0 };
  sent.push(record);
  const answer = realFetch(url, init).then((res) => ((record.status = res.status), res), (err) => ((record.status = -1), Promise.reject(err)));
  pending = Promise.all([pending, answer.catch(() => {})]);
  return answer;
};
self.shopify = {
  extend(point, fn) {
    if (point !== 'WebPixel::Render') throw new Error('unknown extension point ' + point);
    fn(api);
  },
};
onmessage = async (e) => {
  const m = e.data;
  if (m.type === 'browser-reply') return top.get(m.id)(m.value);
  let value = null;
  if (m.type === 'load') {
    api = {
      settings: m.settings,
      init: m.init,
      analytics: {
        subscribe(name, cb) {
          if (!subscribers.has(name)) subscribers.set(name, []);
          subscribers.get(name).push(cb);
          return () => true;
        },
      },
      browser: {
        cookie: { get: (name) => topFrame('cookie.get', [name]), set: (a, b) => topFrame('cookie.set', [a, b]) },
        localStorage: { getItem: (k) => topFrame('localStorage.getItem', [k]), setItem: (k, v) => topFrame('localStorage.setItem', [k, v]), removeItem: (k) => topFrame('localStorage.removeItem', [k]), key: (i) => topFrame('localStorage.key', [i]), length: () => topFrame('localStorage.length', []), clear: () => topFrame('localStorage.clear', []) },
        sessionStorage: { getItem: (k) => topFrame('sessionStorage.getItem', [k]), setItem: (k, v) => topFrame('sessionStorage.setItem', [k, v]), removeItem: (k) => topFrame('sessionStorage.removeItem', [k]), key: (i) => topFrame('sessionStorage.key', [i]), length: () => topFrame('sessionStorage.length', []), clear: () => topFrame('sessionStorage.clear', []) },
        sendBeacon: (url, body) => topFrame('sendBeacon', [url, body]),
      },
      customerPrivacy: { subscribe(name, cb) { if (name === 'visitorConsentCollected') consent.push(cb); return () => true; } },
      _pixelInfo: { id: 'test', type: 'APP', runtimeContext: 'STRICT' },
    };
    importScripts(m.pixel);
    value = { subscribed: [...subscribers.keys()] };
  } else if (m.type === 'publish') {
    const before = sent.length;
    const cbs = [...(subscribers.get(m.event.name) || []), ...(subscribers.get('all_events') || []), ...(subscribers.get('all_standard_events') || [])];
    for (const cb of cbs) cb(structuredClone(m.event));
    await pending;
    value = sent.slice(before);
  } else if (m.type === 'consent') {
    for (const cb of consent) cb({ customerPrivacy: m.customerPrivacy });
  } else if (m.type === 'browser-calls') {
    value = browserCalls;
  }
  postMessage({ type: 'reply', seq: m.seq, value });
};
`;

/** The storefront page that hosts the worker; with `tracker`, the theme app embed's t.js tag too. */
const page = (tracker?: { collector: string; site: string }) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Felt &amp; Co</title>
${tracker ? `<script defer src="${tracker.collector}/t.js" data-site="${tracker.site}" data-api="${tracker.collector}/api/event"></script>` : ''}
<script>
const worker = new Worker('/worker.js');
const waiting = new Map();
let seq = 0;
worker.onmessage = (e) => {
  const m = e.data;
  if (m.type === 'reply') { waiting.get(m.seq)(m.value); waiting.delete(m.seq); return; }
  // browser.*: run in the top frame, as Shopify's documented API does.
  const [area, fn] = m.method.split('.');
  let value = null;
  if (m.method === 'sendBeacon') value = navigator.sendBeacon(m.args[0], m.args[1]);
  else if (area === 'cookie') value = fn === 'get' ? document.cookie : (document.cookie = m.args[1] === undefined ? m.args[0] : m.args[0] + '=' + m.args[1]);
  else value = fn === 'length' ? window[area].length : window[area][fn](...m.args);
  worker.postMessage({ type: 'browser-reply', id: m.id, value });
};
window.pixel = (msg) => new Promise((resolve) => { const s = ++seq; waiting.set(s, resolve); worker.postMessage({ ...msg, seq: s }); });
</script></head><body><h1>Felt &amp; Co</h1></body></html>`;

export interface SentRequest {
  url: string;
  body: string;
  keepalive: boolean;
  status: number;
}

export interface PixelTab {
  page: Page;
  /** The event names the pixel subscribed to when it was registered. */
  subscribed: string[];
  /** Publishes a standard event to the pixel; answers the requests it sent for it, once answered. */
  publish(event: unknown): Promise<SentRequest[]>;
  /** Tells the pixel the visitor's consent changed (`visitorConsentCollected`). */
  consent(customerPrivacy: Record<string, boolean>): Promise<void>;
  /** The `browser.*` methods the pixel called. */
  browserCalls(): Promise<string[]>;
}

export interface PixelHarness {
  /** The storefront's origin: a real-looking host (every host is this machine in the test browser). */
  origin: string;
  /** Opens a storefront page as a visitor's browser and loads the pixel in its worker with `settings`. */
  open(settings: Record<string, string>, opts?: { tracker?: { collector: string; site: string }; init?: unknown }): Promise<PixelTab>;
  close(): Promise<void>;
}

export async function startPixelHarness(host = 'shop.example'): Promise<PixelHarness> {
  const [pixel, browser] = await Promise.all([buildPixel(), launchChromium({ automationHidden: true }) as Promise<Browser>]);
  let tracker: { collector: string; site: string } | undefined;
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const js = (code: string) => res.writeHead(200, { 'content-type': 'text/javascript' }).end(code);
    if (path === '/worker.js') return js(WORKER);
    if (path === '/pixel.js') return js(pixel);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(tracker));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `http://${host}:${(server.address() as AddressInfo).port}`;
  const contexts: BrowserContext[] = [];
  return {
    origin,
    async open(settings, opts = {}) {
      tracker = opts.tracker;
      // A person's browser: headless Chromium's own user agent and client hints are dropped as a bot's.
      const context = await browser.newContext({ userAgent: CHROME_UA, extraHTTPHeaders: { 'sec-ch-ua': '"Chromium";v="150", "Google Chrome";v="150"' } });
      contexts.push(context);
      const tab = await context.newPage();
      await tab.goto(`${origin}/products/felt-hat`);
      const init = opts.init ?? { context: {}, data: { customer: null, cart: null, shop: { name: 'Felt & Co' }, purchasingCompany: null }, customerPrivacy: { analyticsProcessingAllowed: true, marketingAllowed: false, preferencesProcessingAllowed: false, saleOfDataAllowed: false } };
      const call = <T>(m: unknown) => tab.evaluate((msg) => (globalThis as unknown as { pixel(m: unknown): Promise<unknown> }).pixel(msg), m) as Promise<T>;
      const { subscribed } = await call<{ subscribed: string[] }>({ type: 'load', pixel: '/pixel.js', settings, init });
      return {
        page: tab,
        subscribed,
        publish: (event) => call<SentRequest[]>({ type: 'publish', event }),
        consent: (customerPrivacy) => call<void>({ type: 'consent', customerPrivacy }),
        browserCalls: () => call<string[]>({ type: 'browser-calls' }),
      };
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close();
      server.closeAllConnections();
      server.close();
    },
  };
}
