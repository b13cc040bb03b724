/** POST /api/event over real HTTP, into a real DuckDB file, read back through the store. */
import { rm, symlink } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addSite } from '../sites/add-site.ts';
import type { DuckDbStore } from '../store/duckdb/duckdb-store.ts';
import { addUser } from '../accounts/users.ts';
import { logIn } from '../testing/dashboard-client.ts';
import { CHROME_UA, IPHONE_UA, startHarness, type Harness } from '../testing/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

const page = (extra: Record<string, unknown> = {}) => ({ s: h.siteId, n: 'pageview', u: 'https://example.com/', ...extra });

describe('valid events', () => {
  it('stores a pageview with its enrichment and nothing else', async () => {
    const res = await h.post(
      page({
        u: 'https://www.example.com/blog/caf%C3%A9?utm_source=google&utm_medium=cpc&utm_campaign=spring&email=jo%40x.com&ref=x#section',
        r: 'https://www.google.com/search?q=my+private+query',
        w: 1440,
        id: 'ev-enrich-1',
      }),
      { 'x-forwarded-for': '81.2.69.160' },
    );
    expect(res.status).toBe(202);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const [ev] = (await h.stored()).filter((e) => e.clientId === 'ev-enrich-1');
    expect(ev).toMatchObject({
      site: h.siteId,
      name: 'pageview',
      hostname: 'www.example.com',
      pathname: '/blog/café',
      query: 'utm_source=google&utm_medium=cpc&utm_campaign=spring&ref=x',
      referrer: 'www.google.com/search',
      referrerHost: 'www.google.com',
      source: 'Google',
      medium: 'paid',
      utmSource: 'google',
      utmMedium: 'cpc',
      utmCampaign: 'spring',
      country: 'GB',
      browser: 'Chrome',
      browserVersion: '130',
      os: 'Windows',
      device: 'desktop',
      screenWidth: 1440,
      props: null,
    });
    expect(ev!.visitor).toMatch(/^[0-9a-f]{32}$/);
    expect(ev!.session).toBeGreaterThan(0);
    expect(Math.abs(ev!.ts - Date.now())).toBeLessThan(60_000);
  });

  it('classifies referrers: search, social, internal, unknown and direct', async () => {
    const cases: [string | undefined, { source: string | null; medium: string; referrerHost: string | null }][] = [
      ['https://duckduckgo.com/', { source: 'DuckDuckGo', medium: 'search', referrerHost: 'duckduckgo.com' }],
      ['https://m.facebook.com/story.php?id=1', { source: 'Facebook', medium: 'social', referrerHost: 'm.facebook.com' }],
      ['https://shop.example.com/cart', { source: null, medium: 'internal', referrerHost: null }],
      ['https://some-blog.net/post/1?token=secret', { source: 'some-blog.net', medium: 'referral', referrerHost: 'some-blog.net' }],
      [undefined, { source: null, medium: 'direct', referrerHost: null }],
    ];
    for (const [i, [r]] of cases.entries()) {
      expect((await h.post(page({ r, id: `ref-${i}` }))).status).toBe(202);
    }
    const stored = await h.stored();
    for (const [i, [, expected]] of cases.entries()) {
      expect(stored.find((e) => e.clientId === `ref-${i}`), `case ${i}`).toMatchObject(expected);
    }
    expect(stored.every((e) => !e.referrer?.includes('secret'))).toBe(true);
  });

  it('accepts a JSON batch with custom events and props, and a mobile user agent', async () => {
    const res = await h.post(
      [
        page({ u: 'https://example.com/pricing', id: 'batch-1' }),
        { s: h.siteId, n: 'signup', u: 'https://example.com/pricing', p: { plan: 'pro', seats: 3, trial: true }, id: 'batch-2' },
        { s: h.siteId, n: 'engagement', u: 'https://example.com/pricing', d: 12_500, sd: 80, id: 'batch-3' },
      ],
      { 'content-type': 'application/json', 'user-agent': IPHONE_UA, 'x-forwarded-for': '2a00:1450:4001:82b::200e' },
    );
    expect(res.status).toBe(202);
    const stored = (await h.stored()).filter((e) => e.clientId?.startsWith('batch-'));
    expect(stored.map((e) => e.name).sort()).toEqual(['engagement', 'pageview', 'signup']);
    expect(JSON.parse(stored.find((e) => e.name === 'signup')!.props!)).toEqual({ plan: 'pro', seats: 3, trial: true });
    expect(stored.find((e) => e.name === 'engagement')).toMatchObject({ engagedMs: 12_500, scrollDepth: 80 });
    expect(stored[0]).toMatchObject({ device: 'mobile', os: 'iOS', browser: 'Mobile Safari', country: 'IE' });
    // One visitor, one visit: same address and user agent, seconds apart.
    expect(new Set(stored.map((e) => e.visitor)).size).toBe(1);
    expect(new Set(stored.map((e) => e.session)).size).toBe(1);
  });

  it('answers a CORS preflight for any origin', async () => {
    const res = await fetch(`${h.collector.url}/api/event`, {
      method: 'OPTIONS',
      headers: { origin: 'https://example.com', 'access-control-request-method': 'POST' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
  });

  it('reports its health to anyone in a word, and the details to the owner only', async () => {
    const res = await fetch(`${h.collector.url}/healthz`);
    expect(res.status).toBe(200);
    // Nothing about files, versions or figures: those are for the owner.
    expect(await res.json()).toEqual({ status: 'ok' });
    await addUser(h.collector.store, { email: 'health-owner@example.com', role: 'owner', password: 'a long enough password' }, Date.now());
    const owner = await logIn(h, 'health-owner@example.com', 'a long enough password');
    const details = await owner.call('GET', '/api/health');
    expect(details.status).toBe(200);
    expect(details.body).toMatchObject({ status: 'ok', store: { kind: 'duckdb', ok: true, accepting: true, pendingEvents: expect.any(Number), disk: { free: expect.any(Number) } }, ingest: { aborted: expect.any(Number) } });
  });
});

describe('bad input gets a 4xx naming the problem, and stores nothing', () => {
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  const cases: [string, () => { body: string | Uint8Array; headers?: Record<string, string> }, number, string, string?][] = [
    ['malformed JSON', () => ({ body: '{"s":"x",' }), 400, 'invalid_json'],
    ['empty body', () => ({ body: '' }), 400, 'invalid_json'],
    ['not an object', () => ({ body: '"pageview"' }), 400, 'invalid_event'],
    ['wrong type for the name', () => ({ body: JSON.stringify(page({ n: 5 })) }), 400, 'invalid_event', 'n'],
    ['wrong type for the width', () => ({ body: JSON.stringify(page({ w: '1440' })) }), 400, 'invalid_event', 'w'],
    ['missing URL', () => ({ body: JSON.stringify({ s: h.siteId, n: 'pageview' }) }), 400, 'invalid_event', 'u'],
    ['non-http URL', () => ({ body: JSON.stringify(page({ u: 'javascript:alert(1)' })) }), 400, 'invalid_event', 'u'],
    ['unknown field', () => ({ body: JSON.stringify(page({ x: 1 })) }), 400, 'invalid_event', 'x'],
    ['nested props', () => ({ body: JSON.stringify(page({ p: { a: { b: 1 } } })) }), 400, 'invalid_event', 'p.a'],
    ['deeply nested props', () => ({ body: `{"s":"${h.siteId}","n":"x","u":"https://example.com/","p":{"a":${deep(5000)}}}` }), 400, 'invalid_event', 'p.a'],
    ['a body nested 30,000 deep', () => ({ body: deep(30_000) }), 400, 'invalid_event', '[0]'],
    ['__proto__ at the top', () => ({ body: `{"s":"${h.siteId}","n":"x","u":"https://example.com/","__proto__":{"admin":true}}` }), 400, 'forbidden_key', '__proto__'],
    ['__proto__ in props', () => ({ body: `{"s":"${h.siteId}","n":"x","u":"https://example.com/","p":{"__proto__":"x"}}` }), 400, 'forbidden_key', 'p.__proto__'],
    ['constructor in props', () => ({ body: JSON.stringify(page({ p: { constructor: 'x' } })) }), 400, 'forbidden_key', 'p.constructor'],
    ['invalid UTF-8', () => ({ body: Buffer.concat([Buffer.from(`{"s":"${h.siteId}","n":"`), Buffer.from([0xc3, 0x28]), Buffer.from('","u":"https://example.com/"}')]) }), 400, 'invalid_utf8'],
    ['empty batch', () => ({ body: '[]' }), 400, 'invalid_event'],
    ['batch of 101', () => ({ body: JSON.stringify(Array.from({ length: 101 }, () => page())) }), 413, 'too_large'],
    ['body over 64 KB', () => ({ body: JSON.stringify(Array.from({ length: 40 }, () => page({ r: 'https://x.com/' + 'a'.repeat(1800) }))) }), 413, 'body_too_large'],
    ['URL over 2 KB', () => ({ body: JSON.stringify(page({ u: 'https://example.com/' + 'a'.repeat(2100) })) }), 413, 'too_large', 'u'],
    ['props over 1 KB', () => ({ body: JSON.stringify(page({ p: { a: 'x'.repeat(1100) } })) }), 413, 'too_large', 'p'],
    ['event over 8 KB', () => ({ body: JSON.stringify(page({ u: 'https://example.com/' + 'a'.repeat(2000), r: 'https://x.com/' + 'b'.repeat(7000) })) }), 413, 'too_large'],
    ['unknown site', () => ({ body: JSON.stringify(page({ s: 'nosuchsite' })) }), 403, 'unknown_site', 's'],
    ['foreign hostname', () => ({ body: JSON.stringify(page({ u: 'https://evil-example.com/' })) }), 403, 'hostname_not_allowed', 'u'],
    ['look-alike hostname', () => ({ body: JSON.stringify(page({ u: 'https://example.com.evil.net/' })) }), 403, 'hostname_not_allowed', 'u'],
    ['one bad event spoils its batch', () => ({ body: JSON.stringify([page(), page({ u: 'https://evil.com/' })]) }), 403, 'hostname_not_allowed', '[1].u'],
    ['timestamp far in the past', () => ({ body: JSON.stringify(page({ t: Date.now() - 3 * 86_400_000 })) }), 400, 'invalid_event', 't'],
    ['form encoding', () => ({ body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type'],
  ];

  it.each(cases)('%s', async (_name, make, status, code, field) => {
    const before = (await h.stored()).length;
    const { body, headers } = make();
    const res = await h.post(body, headers);
    expect(res.status).toBe(status);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const json = (await res.json()) as { error: { code: string; message: string; field?: string } };
    expect(json.error.code).toBe(code);
    expect(json.error.message.length).toBeGreaterThan(5);
    if (field) expect(json.error.field).toBe(field);
    expect((await h.stored()).length).toBe(before);
  });

  it('refuses other methods with 405', async () => {
    const res = await fetch(`${h.collector.url}/api/event`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toContain('POST');
  });
});

describe('bots', () => {
  it.each([
    ['a crawler', 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'bot'],
    ['headless Chrome', CHROME_UA.replace('Chrome/', 'HeadlessChrome/'), 'headless'],
    ['curl', 'curl/8.5.0', 'bot'],
    ['no user agent', '', 'no_user_agent'],
  ])('%s gets 202, is not stored, and is counted by reason', async (_name, ua, reason) => {
    const before = (await h.stored()).length;
    const countBefore = (await h.collector.store.dropCounts.list(h.siteId)).find((c) => c.reason === reason)?.count ?? 0;
    expect((await h.post(page(), { 'user-agent': ua })).status).toBe(202);
    expect((await h.stored()).length).toBe(before);
    await h.collector.runMaintenance();
    const after = (await h.collector.store.dropCounts.list(h.siteId)).find((c) => c.reason === reason)?.count ?? 0;
    expect(after).toBe(countBefore + 1);
  });
});

describe('deduplication by client event id', () => {
  it('stores an id once, across requests, within a batch, and after a restart', async () => {
    const ev = page({ id: 'dedupe-1' });
    expect((await h.post(ev)).status).toBe(202);
    expect((await h.post(ev)).status).toBe(202);
    expect((await h.post([page({ id: 'dedupe-2' }), page({ id: 'dedupe-2' })])).status).toBe(202);
    // Concurrent repeats while the first write is in flight.
    const all = await Promise.all(Array.from({ length: 5 }, () => h.post(page({ id: 'dedupe-3' }))));
    expect(all.map((r) => r.status)).toEqual([202, 202, 202, 202, 202]);
    await h.restart();
    expect((await h.post(ev)).status).toBe(202);
    const ids = (await h.stored()).map((e) => e.clientId).filter((id) => id?.startsWith('dedupe-'));
    expect(ids.sort()).toEqual(['dedupe-1', 'dedupe-2', 'dedupe-3']);
  });

  it('keeps ids of different sites apart', async () => {
    const other = await addSite(h.collector.sites, { domain: 'other.org' }, h.collector.publicUrl, Date.now());
    expect((await h.post(page({ id: 'shared-id' }))).status).toBe(202);
    expect((await h.post({ s: other.site.id, n: 'pageview', u: 'https://other.org/', id: 'shared-id' })).status).toBe(202);
    expect((await h.stored()).filter((e) => e.clientId === 'shared-id')).toHaveLength(1);
    expect((await h.stored(other.site.id)).filter((e) => e.clientId === 'shared-id')).toHaveLength(1);
  });
});

describe('domains', () => {
  it('accepts subdomains by default and refuses them when the site says so', async () => {
    expect((await h.post(page({ u: 'https://shop.example.com/' }))).status).toBe(202);
    const strict = await addSite(h.collector.sites, { domain: 'strict.dev', allowSubdomains: false }, h.collector.publicUrl, Date.now());
    const send = (u: string) => h.post({ s: strict.site.id, n: 'pageview', u });
    expect((await send('https://strict.dev/')).status).toBe(202);
    expect((await send('https://www.strict.dev/')).status).toBe(202);
    expect((await send('https://blog.strict.dev/')).status).toBe(403);
  });
});

describe('rate limits', () => {
  it('answers 429 with Retry-After per address and per site', async () => {
    const limited = await startHarness({ config: { rateLimitIp: 5, rateLimitSite: 8 } });
    try {
      const from = (ip: string) => limited.post({ s: limited.siteId, n: 'pageview', u: 'https://example.com/' }, { 'x-forwarded-for': ip });
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await from('198.51.100.1')).status);
      expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
      const res = await from('198.51.100.1');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
      // Another address still has room, until the site's own budget (8 per minute) runs out.
      const other = [];
      for (let i = 0; i < 4; i++) other.push((await from('198.51.100.2')).status);
      expect(other).toEqual([202, 202, 202, 429]);
      expect(await limited.stored()).toHaveLength(8);
    } finally {
      await limited.stop();
    }
  });
});

describe('store failures', () => {
  it('answers 503 and acknowledges nothing when the journal cannot be written, then recovers', async () => {
    const { journal } = h.collector.store as DuckDbStore;
    await h.collector.store.events.settle();
    // The next segment is made from the ready spare file: swap it for a device that is always full.
    expect(await journal.spareSettled()).toBe(true);
    await rm(journal.sparePath);
    await symlink('/dev/full', journal.sparePath);
    await journal.rotate();
    const failed = await h.post(page({ id: 'disk-full' }));
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBeTruthy();
    const ok = await h.post(page({ id: 'after-disk-full' }));
    expect(ok.status).toBe(202);
    const ids = (await h.stored()).map((e) => e.clientId);
    expect(ids).not.toContain('disk-full');
    expect(ids).toContain('after-disk-full');
    // The failed id was not remembered as stored: a retry stores it.
    expect((await h.post(page({ id: 'disk-full' }))).status).toBe(202);
    expect((await h.stored()).map((e) => e.clientId)).toContain('disk-full');
  });
});
