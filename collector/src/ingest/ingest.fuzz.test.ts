/**
 * Property: whatever body reaches POST /api/event, the collector answers with a deliberate status
 * (never a 5xx), keeps running, and stores only events that are valid for a registered site.
 */
import fc from 'fast-check';
import { connect } from 'node:net';
import { adminRequest } from '../cli/admin-client.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROME_UA, startHarness, type Harness } from '../testing/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ config: { rateLimitIp: 0, rateLimitSite: 0 } });
});
afterAll(() => h.stop());

const EXPECTED = new Set([202, 400, 403, 413, 415]);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);

const contentType = fc.constantFrom('text/plain', 'text/plain;charset=UTF-8', 'application/json', 'application/json; charset=utf-8');
const userAgent = fc.constantFrom(CHROME_UA, 'curl/8.5.0', '', 'Mozilla/5.0 (compatible; Googlebot/2.1)', 'x'.repeat(3000));

/** Values near the edges of what the schema accepts, and plenty that are wrong. */
const anything = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(null, true, '__proto__', 'constructor', -1, 2 ** 53, 1e308, '', ' '),
);
const url = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.webPath().map((p) => `https://example.com${p}`),
  fc.webPath().map((p) => `https://shop.example.com${p}?utm_source=x&email=a@b.c`),
  fc.constantFrom('https://example.com/', 'javascript:alert(1)', 'https://example.com:99999/', 'https://[::1]/', 'http://exa mple.com/'),
  fc.string({ maxLength: 2100 }),
);
const props = fc.oneof(
  fc.dictionary(fc.string({ maxLength: 70 }), fc.oneof(fc.string({ maxLength: 300 }), fc.integer(), fc.boolean()), { maxKeys: 8 }),
  fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'prototype', 'a'), anything),
  anything,
);

/** Event-shaped objects: the right keys with random values, plus stray keys now and then. */
const eventLike = (site: () => string) =>
  fc
    .record(
      {
        s: fc.oneof(fc.constant(null).map(site), fc.string({ maxLength: 70 }), anything),
        n: fc.oneof(fc.constantFrom('pageview', 'engagement', 'signup'), fc.string({ maxLength: 130 }), anything),
        u: fc.oneof(url, anything),
        r: fc.oneof(url, anything),
        w: fc.oneof(fc.integer({ min: -10, max: 200_000 }), anything),
        p: props,
        d: fc.oneof(fc.nat(), anything),
        sd: fc.oneof(fc.integer({ min: -5, max: 105 }), anything),
        id: fc.oneof(fc.uuid(), fc.string({ maxLength: 70 }), anything),
        t: fc.oneof(fc.constant(null).map(() => Date.now() - 1000), fc.integer(), anything),
        extra: anything,
      },
      { requiredKeys: [] },
    )
    .map((ev) => ev as Record<string, unknown>);

/** Events that should be accepted, with random paths, queries, referrers, names and props. */
const validEvent = (site: () => string) =>
  fc.record(
    {
      s: fc.constant(null).map(site),
      n: fc.oneof(fc.constantFrom('pageview', 'engagement'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 })),
      u: fc.tuple(fc.constantFrom('https://example.com', 'http://www.example.com', 'https://a.b.example.com'), fc.webPath(), fc.webQueryParameters(), fc.webFragments()).map(
        ([origin, path, query, hash]) => `${origin}${path}?${query}#${hash}`,
      ),
      r: fc.webUrl({ withQueryParameters: true }),
      w: fc.integer({ min: 0, max: 8000 }),
      p: fc.dictionary(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }), fc.oneof(fc.string({ maxLength: 40 }), fc.integer(), fc.boolean()), { maxKeys: 5 }),
      d: fc.integer({ min: 0, max: 3_600_000 }),
      sd: fc.integer({ min: 0, max: 100 }),
      id: fc.uuid(),
    },
    { requiredKeys: ['s', 'n', 'u'] },
  );

let accepted = 0;

async function post(body: string | Uint8Array, type: string, ua: string) {
  const res = await h.post(body, { 'content-type': type, 'user-agent': ua });
  const text = await res.text();
  expect(EXPECTED, `status ${res.status} for ${String(body).slice(0, 300)}: ${text}`).toContain(res.status);
  if (res.status === 202) accepted++;
  if (res.status !== 202) expect(JSON.parse(text)).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
}

describe('ingest under random bodies', () => {
  it('accepts and enriches random valid events without a 5xx', async () => {
    const body = fc.oneof(validEvent(() => h.siteId), fc.array(validEvent(() => h.siteId), { minLength: 1, maxLength: 20 }));
    await fc.assert(fc.asyncProperty(body, userAgent, (b, ua) => post(JSON.stringify(b), 'text/plain', ua)), { numRuns: RUNS });
    expect(accepted).toBeGreaterThan(RUNS / 2);
  });

  it('answers event-shaped objects and batches without a 5xx', async () => {
    const body = fc.oneof(eventLike(() => h.siteId), fc.array(eventLike(() => h.siteId), { maxLength: 120 }));
    await fc.assert(
      fc.asyncProperty(body, contentType, userAgent, (b, type, ua) => post(JSON.stringify(b), type, ua)),
      { numRuns: RUNS },
    );
  });

  it('answers arbitrary JSON texts without a 5xx', async () => {
    await fc.assert(fc.asyncProperty(fc.json({ maxDepth: 6 }), contentType, (text, type) => post(text, type, CHROME_UA)), { numRuns: RUNS });
  });

  it('answers arbitrary bytes, invalid UTF-8 and oversized bodies without a 5xx', async () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 512 }),
      fc.uint8Array({ minLength: 60_000, maxLength: 70_000 }),
      fc.string({ unit: 'binary', maxLength: 300 }).map((s) => new TextEncoder().encode(s)),
      fc.integer({ min: 1, max: 40_000 }).map((n) => new TextEncoder().encode('['.repeat(n) + ']'.repeat(n))),
    );
    await fc.assert(fc.asyncProperty(bytes, contentType, (b, type) => post(b, type, CHROME_UA)), { numRuns: RUNS / 2 });
  });

  it('is still healthy and stored only valid events of its own site', async () => {
    expect((await fetch(`${h.collector.url}/healthz`)).status).toBe(200);
    const stored = await h.stored();
    expect(stored.length).toBeGreaterThan(RUNS / 4);
    for (const ev of stored) {
      expect(ev.site).toBe(h.siteId);
      expect(ev.hostname === 'example.com' || ev.hostname.endsWith('.example.com')).toBe(true);
      expect(ev.query ?? '').not.toMatch(/email=/);
    }
  });
});

/** Sends the start of a request, then goes away as `how` says, and waits until the socket is gone. */
function abandon(url: string, body: string, cut: number, how: 'destroy' | 'end' | 'reset'): Promise<void> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => {
      const head = `POST /api/event HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: text/plain\r\nUser-Agent: ${CHROME_UA}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
      socket.write(head + body.slice(0, cut), () => {
        if (how === 'end') socket.end();
        else if (how === 'reset') socket.resetAndDestroy();
        else socket.destroy();
      });
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
    socket.resume();
  });
}

describe('ingest when clients go away mid-request', () => {
  it('counts aborted and truncated bodies without writing a line at error level', async () => {
    const before = h.logs.length;
    const runs = Math.max(50, RUNS / 4);
    const body = fc.oneof(validEvent(() => h.siteId), fc.array(validEvent(() => h.siteId), { minLength: 1, maxLength: 20 })).map((b) => JSON.stringify(b));
    await fc.assert(
      fc.asyncProperty(body, fc.double({ min: 0, max: 0.99, noNaN: true }), fc.constantFrom('destroy', 'end', 'reset'), (text, at, how) =>
        abandon(h.collector.url, text, Math.floor(text.length * at), how as 'destroy' | 'end' | 'reset'),
      ),
      { numRuns: runs },
    );
    // The server learns of the last ones a moment later: a request after them is answered after them.
    expect((await h.post({ s: h.siteId, n: 'pageview', u: 'https://example.com/after-aborts' })).status).toBe(202);
    await new Promise((r) => setTimeout(r, 200));
    const levels = h.logs.slice(before).map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(levels.filter((l) => l.level >= 50), 'lines at error level or above').toEqual([]);
    const health = await adminRequest(h.collector.adminSocket, 'GET', '/health');
    expect((health?.body as { ingest: { aborted: number } }).ingest.aborted).toBeGreaterThanOrEqual(runs * 0.9);
  });
});
