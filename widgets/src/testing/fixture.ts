/**
 * Component tests in a real Chromium against a real collector: a collector seeded with known
 * events, a view token for its site, and host pages served from another origin (`cms.example` on
 * its own port, as a CMS admin would be) that load the collector's `/widgets.js`. An axe-core
 * check is at hand.
 */
import { readFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '@cairn/tracker/testing';
import { startHarness, type Harness } from '@cairn/collector/testing';
export { CHROME_UA } from '@cairn/collector/testing';


export interface Fixture {
  h: Harness;
  browser: Browser;
  /** A view token for the site, with every section unless told. */
  token(opts?: { sections?: string[]; ttl?: number }): Promise<string>;
  /** The stats API's answer, read with the site key. */
  api<T>(path: string): Promise<T>;
  /** A request to the collector's admin socket (what `cairn site add`, `cairn goal add` use); rejects unless 2xx. */
  admin<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** A page of the host origin whose body is `body`, with widgets.js loaded; waits for the elements to be defined. */
  /** `userAgent`: a browser's own (headless Chromium's says so, and the collector drops it as a bot). */
  open(body: string, opts?: { host?: string; head?: string; userAgent?: string; before?: (page: Page) => void }): Promise<Page>;
  close(): Promise<void>;
}

/** Pageviews of distinct visitors (one address each) on a page, from a referrer. */
export async function visit(h: Harness, visits: { page: string; referrer?: string; visitors: number; country?: string }[]): Promise<void> {
  let n = 0;
  for (const v of visits) {
    for (let i = 0; i < v.visitors; i++) {
      const res = await h.post({ s: h.siteId, n: 'pageview', u: `https://example.com${v.page}`, ...(v.referrer ? { r: v.referrer } : {}) }, { 'x-forwarded-for': `198.51.${Math.floor(++n / 250)}.${n % 250}` });
      if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
    }
  }
  await h.collector.store.events.settle();
}

/** `realtimeRecheckMs`: how often the collector checks open realtime connections again (30 s by default). */
/**
 * `realtimeRecheckMs`: how often the collector checks open realtime connections again;
 * `automationHidden`: hide `navigator.webdriver`, for pages where the tracker must count.
 */
export async function startFixture(opts: { realtimeRecheckMs?: number; automationHidden?: boolean } = {}): Promise<Fixture> {
  // allSettled: when one fails to start, the other is stopped here, the caller gets nothing to close.
  const [started, launched] = await Promise.allSettled([startHarness(opts.realtimeRecheckMs ? { realtimeRecheckMs: opts.realtimeRecheckMs } : {}), launchChromium({ automationHidden: opts.automationHidden ?? false })]);
  if (started.status === 'rejected' || launched.status === 'rejected') {
    if (launched.status === 'fulfilled') await launched.value.close();
    if (started.status === 'fulfilled') await started.value.stop();
    throw started.status === 'rejected' ? started.reason : (launched as PromiseRejectedResult).reason;
  }
  const [h, browser] = [started.value, launched.value];
  // The host pages, by path: a real server, so that the browser treats it as any other site.
  const bodies = new Map<string, { body: string; head: string }>();
  const host = createServer((req, res) => {
    const page = bodies.get((req.url ?? '').split('?')[0]!);
    if (page === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host admin</title><script src="${h.collector.url}/widgets.js"></script>${page.head}</head><body><main>${page.body}</main></body></html>`,
    );
  });
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  const port = (host.address() as AddressInfo).port;
  const widgets = await fetch(`${h.collector.url}/widgets.js`);
  if (widgets.status !== 200) {
    await browser.close();
    host.close();
    await h.stop();
    throw new Error(`the collector does not serve /widgets.js (${widgets.status}): run npm run build -w @cairn/widgets`);
  }
  const pages: Page[] = [];
  return {
    h,
    browser,
    async token(opts = {}) {
      const res = await fetch(`${h.collector.url}/api/tokens/view`, {
        method: 'POST',
        headers: { authorization: `Bearer ${h.siteKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ...(opts.sections ? { sections: opts.sections } : {}), ...(opts.ttl ? { ttl: opts.ttl } : {}) }),
      });
      if (res.status !== 201) throw new Error(`no view token: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { token: string }).token;
    },
    async api<T>(path: string) {
      const res = await fetch(`${h.collector.url}/api/stats/${h.siteId}/${path}`, { headers: { authorization: `Bearer ${h.siteKey}` } });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
    admin<T>(method: string, path: string, body?: unknown) {
      return new Promise<T>((resolve, reject) => {
        const payload = body === undefined ? '' : JSON.stringify(body);
        const req = request({ socketPath: h.collector.adminSocket, method, path, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => ((res.statusCode ?? 500) < 300 ? resolve((text ? JSON.parse(text) : null) as T) : reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`))));
        });
        req.on('error', reject);
        req.end(payload);
      });
    },
    async open(body, o = {}) {
      // A person's browser: its user agent, and client hints without headless Chromium's brand.
      const person = { userAgent: o.userAgent ?? '', extraHTTPHeaders: { 'sec-ch-ua': '"Chromium";v="150", "Google Chrome";v="150", "Not.A/Brand";v="99"' } };
      const page = o.userAgent ? await (await browser.newContext(person)).newPage() : await browser.newPage();
      pages.push(page);
      page.on('pageerror', (err) => console.error(`page error: ${err.message}`));
      const path = `/admin/${pages.length}`;
      bodies.set(path, { body, head: o.head ?? '' });
      o.before?.(page);
      await page.goto(`http://${o.host ?? 'cms.example'}:${port}${path}`);
      await page.waitForFunction(() => customElements.get('cairn-metric') !== undefined);
      return page;
    },
    async close() {
      for (const p of pages) await p.close().catch(() => undefined);
      await browser.close();
      host.close();
      await h.stop();
    },
  };
}

/**
 * axe-core's violations on the page (shadow roots included), as "rule: targets" lines. axe is
 * evaluated through the DevTools protocol, which a page's Content-Security-Policy does not block
 * (a script tag would be: the collector's own pages allow no inline script).
 */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: Document) => Promise<{ violations: { id: string; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const r = await axe.run(document);
    return r.violations.map((v) => `${v.id} (${v.help}): ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
  });
}

/** The text of an element inside a component's shadow root. */
export const shadowText = (page: Page, host: string, selector: string) =>
  page.evaluate(([h, s]) => Array.from(document.querySelector(h)!.shadowRoot!.querySelectorAll(s)).map((e) => (e.textContent ?? '').trim().replace(/\s+/g, ' ')), [host, selector] as const);
