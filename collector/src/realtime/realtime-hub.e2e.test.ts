/**
 * The realtime hub under load: however many watch a site, the store is asked once per tick and
 * each watcher gets one message per tick (a newcomer's first message goes to it alone); and no
 * credential or address may hold more than its share of connections.
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSiteKey } from '../sites/site-keys.ts';
import { startHarness, type Harness } from '../testing/harness.ts';
import { DEFAULT_CAPS } from './connection-caps.ts';
import { TICK_MS } from './realtime-hub.ts';

let h: Harness;
/** How often the store was asked for the test site's realtime numbers, and the most asked at once. */
let queries = 0;
let mostAtOnce = 0;
/** What the store's answers wait for (to hold one in flight). */
let gate = Promise.resolve();
beforeAll(async () => {
  h = await startHarness();
  const stats = h.collector.store.stats;
  const realtime = stats.realtime.bind(stats);
  let running = 0;
  stats.realtime = async (site, ...rest) => {
    if (site !== h.siteId) return realtime(site, ...rest);
    queries++;
    mostAtOnce = Math.max(mostAtOnce, ++running);
    try {
      await gate;
      return await realtime(site, ...rest);
    } finally {
      running--;
    }
  };
  expect((await h.post({ s: h.siteId, n: 'pageview', u: 'https://example.com/' }, { 'x-forwarded-for': '203.0.113.1' })).status).toBe(202);
});
afterAll(() => h.stop());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function siteKeys(n: number): Promise<string[]> {
  const secrets: string[] = [];
  for (let i = 0; i < n; i++) {
    const { key, secret } = newSiteKey(h.siteId, `watcher ${i}`, Date.now());
    await h.collector.store.keys.create(key);
    secrets.push(secret);
  }
  return secrets;
}

async function viewToken(key: string, ttl: number): Promise<string> {
  const res = await fetch(`${h.collector.url}/api/tokens/view`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ sections: ['realtime'], ttl }) });
  return ((await res.json()) as { token: string }).token;
}

interface Client {
  ws: WebSocket;
  /** Messages received so far. */
  messages: number;
  /** 101 once the first message came, or the status the upgrade was refused with (and its Retry-After). */
  first: Promise<{ status: number; retryAfter?: string }>;
}

/** Opens a connection with `token` from client address `address` (the harness trusts X-Forwarded-For from loopback). */
function connect(token: string, address: string): Client {
  const ws = new WebSocket(`${h.collector.url.replace('http', 'ws')}/api/realtime?site=${h.siteId}&token=${encodeURIComponent(token)}`, { headers: { 'x-forwarded-for': address } });
  const client: Client = {
    ws,
    messages: 0,
    first: new Promise((resolve, reject) => {
      ws.once('message', () => resolve({ status: 101 }));
      ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] }));
      ws.on('error', reject);
    }),
  };
  ws.on('message', () => client.messages++);
  return client;
}

async function closeAll(clients: Client[]): Promise<void> {
  await Promise.all(
    clients.map((c) => {
      if (c.ws.readyState === WebSocket.CLOSED) return undefined;
      const closed = new Promise((resolve) => c.ws.once('close', resolve));
      c.ws.close();
      return closed;
    }),
  );
}

describe('the realtime hub', () => {
  it('asks the store once per tick and sends each of 200 watchers one message per tick, newcomers or not', async () => {
    // Spread over site keys and addresses to stay within the caps (tested below).
    const keys = await siteKeys(11);
    const address = (i: number) => `198.51.100.${1 + Math.floor(i / DEFAULT_CAPS.perAddress)}`;
    const key = (i: number) => keys[Math.floor(i / DEFAULT_CAPS.perCredential)]!;
    const started = performance.now();
    const before = queries;
    const clients = Array.from({ length: 200 }, (_, i) => connect(key(i), address(i)));
    expect((await Promise.all(clients.map((c) => c.first))).every((f) => f.status === 101)).toBe(true);
    // While they connected, at most one tick passed per TICK_MS: a watcher got its first message
    // and one a tick, and the store was asked once a tick and once for the first newcomers.
    const ticks = Math.floor((performance.now() - started) / TICK_MS);
    expect(Math.max(...clients.map((c) => c.messages))).toBeLessThanOrEqual(ticks + 2);
    expect(queries - before).toBeLessThanOrEqual(ticks + 2);

    // A window of N ticks, during which 20 more connect: each watcher gets N messages, give or
    // take the one on its way at either end, and the store is asked N times.
    const N = 3;
    const counts = clients.map((c) => c.messages);
    const queried = queries;
    const late = Array.from({ length: 20 }, (_, i) => connect(key(200 + i), address(200 + i)));
    await sleep(N * TICK_MS);
    const received = clients.map((c, i) => c.messages - counts[i]!);
    expect(Math.min(...received)).toBeGreaterThanOrEqual(N - 1);
    expect(Math.max(...received)).toBeLessThanOrEqual(N + 1);
    expect(queries - queried).toBeGreaterThanOrEqual(N - 1);
    expect(queries - queried).toBeLessThanOrEqual(N + 1);
    expect((await Promise.all(late.map((c) => c.first))).every((f) => f.status === 101)).toBe(true);
    expect(Math.max(...late.map((c) => c.messages))).toBeLessThanOrEqual(N + 2);
    expect(mostAtOnce).toBe(1);
    console.log(`realtime: ${queries - queried} queries in ${N} ticks; messages per watcher in them: ${Math.min(...received)}–${Math.max(...received)}; first phase: ${ticks} ticks, ${queried - before} queries, at most ${Math.max(...counts)} messages per watcher`);
    await closeAll([...clients, ...late]);
  });

  it('runs one query at a time for a site: newcomers and ticks wait for the one in flight', async () => {
    let release!: () => void;
    gate = new Promise((resolve) => (release = resolve));
    const before = queries;
    const [key] = await siteKeys(1);
    const clients = Array.from({ length: 5 }, (_, i) => connect(key!, `198.51.100.${50 + i}`));
    await Promise.all(clients.map((c) => new Promise((resolve) => c.ws.once('open', resolve))));
    // Two ticks come while the first newcomer's query is held.
    await sleep(2 * TICK_MS);
    expect(queries - before).toBe(1);
    expect(clients.map((c) => c.messages)).toEqual([0, 0, 0, 0, 0]);
    gate = Promise.resolve();
    release();
    expect((await Promise.all(clients.map((c) => c.first))).every((f) => f.status === 101)).toBe(true);
    expect(mostAtOnce).toBe(1);
    await closeAll(clients);
  });

  it(`refuses a connection over a credential's cap (${DEFAULT_CAPS.perCredential}) with 429, and takes another once one closes`, async () => {
    const [key] = await siteKeys(1);
    const token = await viewToken(key!, 3600);
    const held = Array.from({ length: DEFAULT_CAPS.perCredential }, (_, i) => connect(token, `203.0.113.${10 + i}`));
    expect((await Promise.all(held.map((c) => c.first))).every((f) => f.status === 101)).toBe(true);
    expect(await connect(token, '203.0.113.200').first).toEqual({ status: 429, retryAfter: '30' });
    // Another token of the same key is another credential.
    const other = connect(await viewToken(key!, 3599), '203.0.113.201');
    expect((await other.first).status).toBe(101);
    await closeAll([held[0]!]);
    const again = connect(token, '203.0.113.202');
    expect((await again.first).status).toBe(101);
    await closeAll([...held, other, again]);
  });

  it(`refuses a connection over an address's cap (${DEFAULT_CAPS.perAddress}) with 429 whatever the credential, and takes another once one closes`, async () => {
    const keys = await siteKeys(Math.ceil(DEFAULT_CAPS.perAddress / DEFAULT_CAPS.perCredential) + 1);
    const held = Array.from({ length: DEFAULT_CAPS.perAddress }, (_, i) => connect(keys[i % (keys.length - 1)]!, '192.0.2.7'));
    expect((await Promise.all(held.map((c) => c.first))).every((f) => f.status === 101)).toBe(true);
    expect(await connect(keys.at(-1)!, '192.0.2.7').first).toEqual({ status: 429, retryAfter: '30' });
    const elsewhere = connect(keys.at(-1)!, '192.0.2.8');
    expect((await elsewhere.first).status).toBe(101);
    await closeAll([held[0]!]);
    const again = connect(keys.at(-1)!, '192.0.2.7');
    expect((await again.first).status).toBe(101);
    await closeAll([...held, elsewhere, again]);
  });

  it('logs each refusal with its cap, never the address', () => {
    const refusals = h.logs.filter((l) => l.includes('realtime connection refused')).map((l) => JSON.parse(l) as { cap: string; level: number });
    expect(refusals.map((r) => r.cap)).toEqual(['credential', 'address']);
    expect(h.logs.filter((l) => /203\.0\.113\.|192\.0\.2\.|198\.51\.100\./.test(l))).toEqual([]);
  });
});
