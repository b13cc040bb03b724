/**
 * <cairn-realtime> in Chromium, on a host page of another origin with a view token: accessible,
 * showing the API's numbers, following new visitors over the WebSocket without reloading, falling
 * back to reading over HTTP behind a proxy that refuses WebSockets, and saying so when its key is
 * revoked, then carrying on with the fresh token the host gives.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RealtimeAnswer } from '@cairn/collector/protocol';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, startFixture, visit, type Fixture } from '../testing/fixture.ts';

let f: Fixture;
let proxy: Server | undefined;
beforeAll(async () => {
  // Open connections' credentials are checked every second (30 s in production).
  f = await startFixture({ realtimeRecheckMs: 1000 });
  await visit(f.h, [
    { page: '/', visitors: 3 },
    { page: '/pricing', visitors: 2 },
  ]);
});
afterAll(async () => {
  proxy?.close();
  await f?.close();
});

const tag = async (html: string, token?: string) => html.replaceAll('TOKEN', token ?? (await f.token())).replaceAll('API', f.h.collector.url).replaceAll('SITE', f.h.siteId);

let arrived = 0;
/** Pageviews of `n` visitors never seen before (their own addresses). */
async function arrive(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const res = await f.h.post({ s: f.h.siteId, n: 'pageview', u: 'https://example.com/live' }, { 'x-forwarded-for': `203.0.113.${++arrived}` });
    expect(res.status).toBe(202);
  }
  await f.h.collector.store.events.settle();
}

/** What a test watches on a page: reads of the realtime HTTP route, and WebSockets with what became of them. */
function watch(page: Page) {
  const seen = { reads: 0, sockets: [] as { url: string; frames: number; failed: boolean }[] };
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.endsWith('/realtime') && r.url().includes('/api/stats/')) seen.reads++;
  });
  page.on('websocket', (ws) => {
    const s = { url: ws.url(), frames: 0, failed: false };
    seen.sockets.push(s);
    ws.on('framereceived', () => s.frames++);
    ws.on('socketerror', () => (s.failed = true));
  });
  return seen;
}

/** Adds markup to an open page (after `watch`, so that nothing it does is missed). */
const mount = (page: Page, html: string) => page.evaluate((h) => document.querySelector('main')!.insertAdjacentHTML('beforeend', h), html);

const showing = (page: Page, n: number, timeout = 5_000) =>
  page.waitForFunction((v) => document.querySelector('cairn-realtime')!.shadowRoot!.querySelector('.value')?.textContent?.trim() === String(v), n, { timeout });
const realtime = () => f.api<RealtimeAnswer>('realtime');

/** A request to the collector's admin socket (what `cairn key add|revoke` uses). */
function admin<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: f.h.collector.adminSocket, method, path, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : null) as T }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** A reverse proxy to the collector that passes requests on but refuses WebSocket upgrades, as many do. */
async function proxyWithoutWebSockets(): Promise<string> {
  const target = new URL(f.h.collector.url);
  proxy = createServer((req, res) => {
    const up = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  proxy.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'));
  await new Promise<void>((resolve) => proxy!.listen(0, '127.0.0.1', resolve));
  return `http://stats-proxy.example:${(proxy.address() as AddressInfo).port}`;
}

describe('<cairn-realtime>', () => {
  it('is accessible (axe-core, zero violations), light and dark, and says what its number is', async () => {
    const page = await f.open(
      await tag(`<h1>Stats</h1>
      <cairn-realtime api="API" site="SITE" token="TOKEN" pages="5"></cairn-realtime>
      <cairn-realtime api="API" site="SITE" token="TOKEN" theme="dark" style="background:#141821"></cairn-realtime>`),
    );
    await page.waitForFunction(() => [...document.querySelectorAll('cairn-realtime')].every((e) => (e as unknown as { state: string }).state === 'ready'));
    expect(await axeViolations(page)).toEqual([]);
    const sentence = await page.locator('cairn-realtime').first().locator('.count').textContent();
    expect(sentence?.replace(/\s+/g, ' ').trim()).toBe(`${(await realtime()).visitors} visitors in the last 5 minutes`);
    // Not a live region: a screen reader is not interrupted every 2 seconds.
    expect(await page.evaluate(() => document.querySelector('cairn-realtime')!.shadowRoot!.querySelectorAll('[aria-live], [role="status"], [role="alert"]').length)).toBe(0);
  });

  it('shows the numbers the API answers: visitors and the pages they are on', async () => {
    const page = await f.open(await tag(`<cairn-realtime api="API" site="SITE" token="TOKEN" pages="5"></cairn-realtime>`));
    const api = await realtime();
    expect(api.visitors).toBeGreaterThanOrEqual(5);
    await showing(page, api.visitors);
    const rows = await page.evaluate(() =>
      [...document.querySelector('cairn-realtime')!.shadowRoot!.querySelectorAll('tbody tr')].map((tr) => [tr.querySelector('th')!.textContent!.trim(), tr.querySelector('td')!.textContent!.trim()]),
    );
    expect(rows).toEqual(api.pages.slice(0, 5).map((p) => [p.page, String(p.visitors)]));
  });

  it('follows new visitors within seconds over the WebSocket, without reading over HTTP again', async () => {
    const page = await f.open('');
    const seen = watch(page);
    await mount(page, await tag(`<cairn-realtime api="API" site="SITE" token="TOKEN"></cairn-realtime>`));
    const before = (await realtime()).visitors;
    await showing(page, before);
    await arrive(2);
    expect((await realtime()).visitors).toBe(before + 2);
    await showing(page, before + 2, 5_000);
    expect(seen.reads).toBe(1);
    expect(seen.sockets).toEqual([expect.objectContaining({ url: expect.stringContaining(`/api/realtime?site=${f.h.siteId}&token=`), failed: false })]);
    expect(seen.sockets[0]!.frames).toBeGreaterThan(0);
    // The dot pulses while numbers are pushed.
    expect(await page.evaluate(() => document.querySelector('cairn-realtime')!.shadowRoot!.querySelectorAll('.dot.live').length)).toBe(1);
  });

  it('reads over HTTP every 10 seconds when the WebSocket is refused (a proxy without WebSockets)', async () => {
    const api = await proxyWithoutWebSockets();
    const page = await f.open('');
    const seen = watch(page);
    await mount(page, (await tag(`<cairn-realtime api="PROXY" site="SITE" token="TOKEN"></cairn-realtime>`)).replace('PROXY', api));
    const before = (await realtime()).visitors;
    await showing(page, before);
    await arrive(1);
    await showing(page, before + 1, 15_000);
    expect(seen.sockets.length).toBeGreaterThan(0);
    expect(seen.sockets.every((s) => s.failed && s.frames === 0)).toBe(true);
    expect(seen.reads).toBeGreaterThanOrEqual(2);
    expect(await page.evaluate(() => document.querySelector('cairn-realtime')!.shadowRoot!.querySelectorAll('.dot.live').length)).toBe(0);
  });

  it('says its access expired when the key is revoked, tells the host, and goes live again with the fresh token', async () => {
    const made = await admin<{ key: { id: string }; secret: string }>('POST', `/sites/${f.h.siteId}/keys`, { name: 'CMS plugin' });
    expect(made.status).toBe(201);
    const res = await fetch(`${f.h.collector.url}/api/tokens/view`, { method: 'POST', headers: { authorization: `Bearer ${made.body.secret}`, 'content-type': 'application/json' }, body: '{}' });
    const doomed = ((await res.json()) as { token: string }).token;
    const fresh = await f.token();

    const page = await f.open('');
    const seen = watch(page);
    await page.evaluate((token) => {
      const w = window as unknown as { expired: number };
      w.expired = 0;
      document.addEventListener('cairn-token-expired', (e) => {
        w.expired++;
        setTimeout(() => (e as unknown as { retry: (t: string) => void }).retry(token), 500);
      });
    }, fresh);
    await mount(page, await tag(`<cairn-realtime api="API" site="SITE" token="TOKEN"></cairn-realtime>`, doomed));
    await showing(page, (await realtime()).visitors);
    expect((await admin('DELETE', `/sites/${f.h.siteId}/keys/${made.body.key.id}`)).status).toBe(204);
    // The collector checks an open connection's credentials again (every second here), then closes it (4401).
    await page.waitForFunction(() => document.querySelector('cairn-realtime')!.shadowRoot!.textContent!.includes('access to these statistics has expired'), null, { timeout: 10_000 });
    await page.waitForFunction(() => (document.querySelector('cairn-realtime') as unknown as { state: string }).state === 'ready');
    expect(await page.evaluate(() => (window as unknown as { expired: number }).expired)).toBe(1);
    await showing(page, (await realtime()).visitors);
    expect(seen.sockets.map((s) => new URL(s.url).searchParams.get('token'))).toEqual([doomed, fresh]);

    // A revoked key's token is refused at once.
    const later = await f.open(await tag(`<cairn-realtime api="API" site="SITE" token="TOKEN"></cairn-realtime>`, doomed));
    await later.waitForFunction(() => (document.querySelector('cairn-realtime') as unknown as { state: string }).state === 'expired');
  }, 60_000);
});
