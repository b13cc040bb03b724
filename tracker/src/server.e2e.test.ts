/**
 * @cairn/tracker/server against a real collector over HTTP: batches land once; a collector
 * restarted mid-stream, with the answer to a stored batch lost on the way, still ends with every
 * event stored exactly once; a 429's Retry-After is honoured; a full queue drops its oldest
 * events and says so; a server event belongs to the visitor whose request it answers; view
 * tokens minted once and reused; forward() as a first-party proxy.
 */
import { once } from 'node:events';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROME_UA, startHarness, type Harness } from '@cairn/collector/testing';
import { createClient, forward } from './server.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ domain: 'shop.example' });
});
afterAll(() => h?.stop());

const page = 'https://shop.example/checkout';
const visitor = { 'user-agent': CHROME_UA };
const named = async (name: string) => (await h.stored()).filter((e) => e.name === name);
const propsOf = (e: { props: string | null }) => JSON.parse(e.props ?? '{}') as Record<string, unknown>;

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('createClient().track()', () => {
  it('sends one request per 100 events of a visitor, and each event once', async () => {
    const sizes: number[] = [];
    const counting: typeof fetch = (input, init) => (sizes.push((JSON.parse(String(init?.body)) as unknown[]).length), fetch(input, init));
    const cairn = createClient({ collector: h.collector.url, site: h.siteId, fetch: counting });
    for (let i = 0; i < 250; i++) cairn.track('batched', { i }, { url: page, headers: visitor, address: '127.0.0.5' });
    await cairn.close();
    expect(sizes).toEqual([100, 100, 50]);
    const stored = await named('batched');
    expect(stored.map((e) => propsOf(e).i).sort((a, b) => Number(a) - Number(b))).toEqual([...Array(250).keys()]);
    expect(cairn.stats()).toEqual({ queued: 0, sent: 250, dropped: 0, failed: 0, retries: 0 });
    expect(() => cairn.track('late', {}, { url: page })).toThrow(/closed/);
  });

  it('stores every event exactly once when the collector restarts mid-stream and a stored batch’s answer is lost', async () => {
    // A relay in front of the collector: it passes the first batch on, loses its answer (the
    // events are stored, the client hears nothing), then refuses connections while the collector
    // restarts; after that it passes everything.
    let state: 'lose' | 'down' | 'pass' = 'lose';
    let restarted: Promise<void> | undefined;
    const relay = createServer((req, res) => {
      if (state === 'down') return void req.socket.destroy();
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const headers = { 'content-type': 'application/json', 'user-agent': String(req.headers['user-agent']), 'x-forwarded-for': String(req.headers['x-forwarded-for']) };
        const upstream = await fetch(`${h.collector.url}/api/event`, { method: 'POST', headers, body: Buffer.concat(chunks) });
        if (state === 'lose') {
          expect(upstream.status).toBe(202);
          state = 'down';
          req.socket.destroy();
          restarted = h.restart().then(() => void (state = 'pass'));
          return;
        }
        res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text());
      });
    });
    const errors: string[] = [];
    const cairn = createClient({ collector: await listen(relay), site: h.siteId, onError: (e) => errors.push(e.message) });
    for (let i = 0; i < 150; i++) cairn.track('across-restart', { i }, { url: page, headers: visitor, address: '127.0.0.6' });
    await cairn.close();
    await restarted;
    relay.close();
    expect(errors).toEqual([]);
    const stored = await named('across-restart');
    expect(stored).toHaveLength(150);
    expect(new Set(stored.map((e) => propsOf(e).i)).size).toBe(150);
    expect(cairn.stats()).toMatchObject({ sent: 150, failed: 0 });
    expect(cairn.stats().retries).toBeGreaterThan(0);
  }, 60_000);

  it('waits as long as a 429 answer’s Retry-After says before sending again', async () => {
    const at: number[] = [];
    // The collector's documented answer to a client over its rate limit, then the collector itself.
    const limited: typeof fetch = async (input, init) => {
      at.push(Date.now());
      return at.length === 1 ? new Response('{"error":{"code":"rate_limited"}}', { status: 429, headers: { 'retry-after': '1' } }) : fetch(input, init);
    };
    const cairn = createClient({ collector: h.collector.url, site: h.siteId, fetch: limited });
    cairn.track('limited', {}, { url: page, headers: visitor });
    await cairn.close();
    expect(at).toHaveLength(2);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(1000);
    expect(cairn.stats()).toMatchObject({ sent: 1, retries: 1, failed: 0 });
    expect(await named('limited')).toHaveLength(1);
  });

  it('drops the oldest events when its queue is full, and counts them', async () => {
    const cairn = createClient({ collector: h.collector.url, site: h.siteId, maxQueue: 10, flushMs: 60_000 });
    for (let i = 0; i < 15; i++) cairn.track('queued', { i }, { url: page, headers: visitor });
    expect(cairn.stats()).toMatchObject({ queued: 10, dropped: 5 });
    await cairn.close();
    expect((await named('queued')).map((e) => propsOf(e).i).sort((a, b) => Number(a) - Number(b))).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  });

  it('gives up a batch the collector refuses for what it is, and says why', async () => {
    const errors: [string, number][] = [];
    const cairn = createClient({ collector: h.collector.url, site: h.siteId, onError: (e, n) => errors.push([e.message, n]) });
    cairn.track('x'.repeat(200), {}, { url: page, headers: visitor });
    await cairn.close();
    expect(errors).toEqual([[expect.stringMatching(/^the collector answered 400: .*invalid_event/), 1]]);
    expect(cairn.stats()).toMatchObject({ sent: 0, failed: 1, retries: 0 });
    expect(() => createClient({ collector: 'stats.example.com', site: 's' })).toThrow(/http\(s\) URL/);
    expect(() => createClient({ collector: h.collector.url, site: h.siteId }).track('no-page')).toThrow(/pass \{ url \}/);
  });

  it('counts a server event for the visitor whose request it answers, as the browser’s events are', async () => {
    // A Node request as Express or Nest hand it over: the page from its URL and Host, the visitor
    // from its headers and its socket's address.
    const cairn = createClient({ collector: h.collector.url, site: h.siteId });
    const app = createServer((req: IncomingMessage, res) => {
      cairn.track('server-signup', { plan: 'pro' }, { request: req });
      res.end('ok');
    });
    const url = new URL(await listen(app));
    await new Promise<void>((resolve, reject) =>
      request({ host: url.hostname, port: url.port, path: '/signup?plan=pro', localAddress: '127.0.0.9', headers: { host: 'shop.example', 'user-agent': CHROME_UA } }, (res) => res.resume().on('end', resolve))
        .on('error', reject)
        .end(),
    );
    await cairn.close();
    app.close();
    // The browser's own event, straight to the collector from the same address and browser.
    expect((await h.post({ s: h.siteId, n: 'browser-view', u: 'https://shop.example/signup' }, { 'x-forwarded-for': '127.0.0.9' })).status).toBe(202);
    const [server] = await named('server-signup');
    const [browser] = await named('browser-view');
    expect(server).toMatchObject({ hostname: 'shop.example', pathname: '/signup' });
    expect(propsOf(server!)).toEqual({ plan: 'pro' });
    expect(server!.visitor).toBe(browser!.visitor);
  });
});

describe('createClient({ key }).track()', () => {
  it('sends events of many visitors in one request, each counted for its own visitor', async () => {
    const sizes: number[] = [];
    const counting: typeof fetch = (input, init) => (sizes.push((JSON.parse(String(init?.body)) as unknown[]).length), fetch(input, init));
    const cairn = createClient({ collector: h.collector.url, site: h.siteId, key: h.siteKey, fetch: counting });
    const visitors = ['127.0.1.1', '127.0.1.2', '127.0.1.3'];
    for (let i = 0; i < 90; i++) cairn.track('keyed', { i }, { url: page, headers: visitor, address: visitors[i % 3] });
    await cairn.close();
    expect(sizes).toEqual([90]);
    const stored = await named('keyed');
    expect(stored).toHaveLength(90);
    // Each visitor's browser, straight to the collector from its address: the same visitor hash.
    for (const address of visitors) expect((await h.post({ s: h.siteId, n: `browser-${address}`, u: page }, { 'x-forwarded-for': address })).status).toBe(202);
    const after = await h.stored();
    visitors.forEach((address, v) => {
      const browser = after.find((e) => e.name === `browser-${address}`)!;
      const own = stored.filter((e) => Number(propsOf(e).i) % 3 === v);
      expect(new Set(own.map((e) => e.visitor))).toEqual(new Set([browser.visitor]));
    });
  });

  it('gives up events the collector refuses for a wrong key, and says why', async () => {
    const errors: string[] = [];
    const cairn = createClient({ collector: h.collector.url, site: h.siteId, key: `cairn_sk_${'x'.repeat(43)}`, onError: (e) => errors.push(e.message) });
    cairn.track('wrong-key', {}, { url: page, headers: visitor, address: '127.0.1.9' });
    await cairn.close();
    expect(errors).toEqual([expect.stringMatching(/^the collector answered 401: .*not valid/)]);
    expect(await named('wrong-key')).toEqual([]);
  });
});

describe('createClient().send()', () => {
  it('resolves with the collector’s answer: 202 once stored, the refusal, or 0 when it could not be reached', async () => {
    const cairn = createClient({ collector: h.collector.url, site: h.siteId, flushMs: 60_000 });
    // Sent at once, not after flushMs; one send() waiting beside queued events takes them along.
    cairn.track('queued-before-send', {}, { url: page, headers: visitor });
    const sending = cairn.send('sent-now', { plan: 'pro' }, { url: page, headers: visitor, id: 'send-1' });
    expect(cairn.stats().queued).toBe(0);
    expect(await sending).toEqual({ id: 'send-1', status: 202 });
    expect(await named('sent-now')).toMatchObject([{ clientId: 'send-1' }]);
    expect(await named('queued-before-send')).toHaveLength(1);
    // Sent again with its id (a retried action): acknowledged, stored once.
    expect(await cairn.send('sent-now', { plan: 'pro' }, { url: page, headers: visitor, id: 'send-1' })).toEqual({ id: 'send-1', status: 202 });
    expect(await named('sent-now')).toHaveLength(1);

    expect(await cairn.send('x'.repeat(200), {}, { url: page, headers: visitor })).toMatchObject({ status: 400 });
    await cairn.close();

    const nowhere = createClient({ collector: 'http://127.0.0.1:9', site: h.siteId, retryForMs: 300 });
    const lost = await nowhere.send('lost', {}, { url: page, headers: visitor });
    expect(lost).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 0 });
    expect(nowhere.stats()).toMatchObject({ failed: 1 });
  });
});

describe('createClient().viewToken()', () => {
  it('mints a read-only token from the site key once, and hands it out again until it nears its expiry', async () => {
    let minted = 0;
    const counting: typeof fetch = (input, init) => (String(input).endsWith('/api/tokens/view') && minted++, fetch(input, init));
    const cairn = createClient({ collector: h.collector.url, site: h.siteId, key: h.siteKey, fetch: counting });
    const [a, b] = await Promise.all([cairn.viewToken(), cairn.viewToken()]);
    expect(a).toEqual(b);
    expect(await cairn.viewToken()).toEqual(a);
    expect(minted).toBe(1);
    expect(a).toMatchObject({ site: h.siteId, sections: ['traffic', 'sources', 'goals', 'realtime', 'export'], queryKeys: [] });
    const read = await fetch(`${h.collector.url}/api/stats/${h.siteId}/summary`, { headers: { authorization: `Bearer ${a.token}` } });
    expect(read.status).toBe(200);
    // Other sections are another token; one that lives 5 minutes or less is never handed out again.
    const short = await cairn.viewToken({ sections: ['traffic'], ttl: 300 });
    expect(short.sections).toEqual(['traffic']);
    expect((await cairn.viewToken({ sections: ['traffic'], ttl: 300 })).token).not.toBe(short.token);
    expect(minted).toBe(3);
  });

  it('says in plain words why there is none', async () => {
    await expect(createClient({ collector: h.collector.url, site: h.siteId }).viewToken()).rejects.toThrow(/no key/);
    await expect(createClient({ collector: h.collector.url, site: h.siteId, key: 'cairn_sk_wrong' }).viewToken()).rejects.toThrow(/refused the site key/);
    await expect(createClient({ collector: h.collector.url, site: 'another-site', key: h.siteKey }).viewToken()).rejects.toThrow(/belongs to site/);
    await expect(createClient({ collector: 'http://127.0.0.1:9', site: h.siteId, key: h.siteKey }).viewToken()).rejects.toThrow(/could not be reached/);
  });
});

describe('forward()', () => {
  const event = (n: string) => JSON.stringify({ s: h.siteId, n, u: 'https://shop.example/cart' });
  const post = (body: string, headers: Record<string, string> = {}) =>
    new Request('https://shop.example/_c/event', { method: 'POST', headers: { 'content-type': 'text/plain', 'user-agent': CHROME_UA, ...headers }, body });

  it('sends the tracker’s events on as the visitor, and drops what the collector drops', async () => {
    expect((await forward(post(event('forwarded')), { collector: h.collector.url, address: '127.0.0.12' })).status).toBe(202);
    // Behind a trusted proxy that set X-Forwarded-For (Next), that address is the visitor's.
    expect((await forward(post(event('forwarded-xff'), { 'x-forwarded-for': '127.0.0.12' }), { collector: h.collector.url, trustProxy: true })).status).toBe(202);
    // Not trusted: a visitor's own X-Forwarded-For is not passed on.
    expect((await forward(post(event('forwarded-untrusted'), { 'x-forwarded-for': '127.0.0.12' }), { collector: h.collector.url, address: '127.0.0.13' })).status).toBe(202);
    expect((await forward(post(event('forwarded-prefetch'), { 'sec-purpose': 'prefetch' }), { collector: h.collector.url, address: '127.0.0.12' })).status).toBe(202);
    expect((await h.post({ s: h.siteId, n: 'direct-12', u: 'https://shop.example/cart' }, { 'x-forwarded-for': '127.0.0.12' })).status).toBe(202);
    const [direct] = await named('direct-12');
    expect((await named('forwarded'))[0]!.visitor).toBe(direct!.visitor);
    expect((await named('forwarded-xff'))[0]!.visitor).toBe(direct!.visitor);
    expect((await named('forwarded-untrusted'))[0]!.visitor).not.toBe(direct!.visitor);
    expect(await named('forwarded-prefetch')).toEqual([]);
  });

  it('passes the collector’s refusals back, refuses a body over the cap itself, and serves the script', async () => {
    const refused = await forward(post(JSON.stringify({ s: 'no-such-site', n: 'x', u: 'https://shop.example/' })), { collector: h.collector.url });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: expect.any(String) } });
    let asked = 0;
    const counting: typeof fetch = (input, init) => (asked++, fetch(input, init));
    expect((await forward(post('x'.repeat(65_537)), { collector: h.collector.url, fetch: counting })).status).toBe(413);
    expect(asked).toBe(0);
    const script = await forward(new Request('https://shop.example/_c/script.js'), { collector: h.collector.url });
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(await script.text()).toBe(await (await fetch(`${h.collector.url}/t.js`)).text());
    expect((await forward(post(event('down')), { collector: 'http://127.0.0.1:9' })).status).toBe(502);
  });
});
