/**
 * Events that name their visitor (`v`: address and headers), as a server sends them for many
 * visitors in one request: taken only with the site's key, counted for the visitor they name (the
 * same visitor hash as the browser's own events), bots and prefetches told by the named headers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROME_UA, IPHONE_UA, startHarness, type Harness } from '../testing/harness.ts';
import { addSite } from '../sites/add-site.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ domain: 'shop.example' });
});
afterAll(() => h?.stop());

const u = 'https://shop.example/checkout';
const withKey = (key: string) => ({ 'content-type': 'application/json', authorization: `Bearer ${key}` });
const named = async (name: string) => (await h.stored()).filter((e) => e.name === name);
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string; field?: string } }).error;

describe('POST /api/event with events that name their visitor', () => {
  it('counts each event for the visitor it names, as that visitor’s browser is counted', async () => {
    const res = await h.post(
      [
        { s: h.siteId, n: 'server-a', u, v: { a: '10.1.0.1', h: { 'user-agent': CHROME_UA } } },
        { s: h.siteId, n: 'server-b', u, v: { a: '10.1.0.2', h: { 'user-agent': IPHONE_UA } } },
        { s: h.siteId, n: 'server-a2', u, v: { a: '10.1.0.1', h: { 'user-agent': CHROME_UA } } },
      ],
      withKey(h.siteKey),
    );
    expect(res.status).toBe(202);
    // Each visitor's browser, straight from its address (the harness trusts loopback's X-Forwarded-For).
    expect((await h.post({ s: h.siteId, n: 'browser-a', u }, { 'x-forwarded-for': '10.1.0.1', 'user-agent': CHROME_UA })).status).toBe(202);
    expect((await h.post({ s: h.siteId, n: 'browser-b', u }, { 'x-forwarded-for': '10.1.0.2', 'user-agent': IPHONE_UA })).status).toBe(202);
    const [a, a2, b, browserA, browserB] = await Promise.all(['server-a', 'server-a2', 'server-b', 'browser-a', 'browser-b'].map(async (n) => (await named(n))[0]!));
    expect(a!.visitor).toBe(browserA!.visitor);
    expect(a2!.visitor).toBe(browserA!.visitor);
    expect(b!.visitor).toBe(browserB!.visitor);
    expect(a!.visitor).not.toBe(b!.visitor);
    expect(b).toMatchObject({ device: 'mobile' });
  });

  it('drops a named bot or prefetch, and keeps the other visitors of the batch', async () => {
    const res = await h.post(
      [
        { s: h.siteId, n: 'mixed-human', u, v: { a: '10.2.0.1', h: { 'user-agent': CHROME_UA } } },
        { s: h.siteId, n: 'mixed-bot', u, v: { a: '10.2.0.2', h: { 'user-agent': 'Googlebot/2.1 (+http://www.google.com/bot.html)' } } },
        { s: h.siteId, n: 'mixed-prefetch', u, v: { a: '10.2.0.3', h: { 'user-agent': CHROME_UA, 'sec-purpose': 'prefetch' } } },
        { s: h.siteId, n: 'mixed-no-agent', u, v: { a: '10.2.0.4' } },
      ],
      withKey(h.siteKey),
    );
    expect(res.status).toBe(202);
    expect(await named('mixed-human')).toHaveLength(1);
    for (const n of ['mixed-bot', 'mixed-prefetch', 'mixed-no-agent']) expect(await named(n)).toEqual([]);
  });

  it('takes a named visitor only with a valid key of the event’s site, and a real address', async () => {
    const one = { s: h.siteId, n: 'refused', u, v: { a: '10.3.0.1', h: { 'user-agent': CHROME_UA } } };
    const noKey = await h.post([one], { 'content-type': 'application/json' });
    expect(noKey.status).toBe(401);
    expect(await errorOf(noKey)).toMatchObject({ code: 'unauthenticated', field: 'v' });

    const other = await addSite(h.collector.sites, { domain: 'other.example' }, h.collector.publicUrl, Date.now());
    const otherKey = await h.post([one], withKey(other.key));
    expect(otherKey.status).toBe(403);
    expect((await errorOf(otherKey)).message).toMatch(/not one of site/);

    const unknown = await h.post([one], withKey(`cairn_sk_${'x'.repeat(43)}`));
    expect(unknown.status).toBe(401);
    const viewToken = await h.post([one], withKey('cairn_vt_abc'));
    expect(viewToken.status).toBe(401);

    const badAddress = await h.post([{ ...one, v: { a: 'not-an-address' } }], withKey(h.siteKey));
    expect(badAddress.status).toBe(400);
    expect(await errorOf(badAddress)).toMatchObject({ code: 'invalid_event', field: 'v.a' });
    const badHeader = await h.post([{ ...one, v: { a: '10.3.0.1', h: { cookie: 'x' } } }], withKey(h.siteKey));
    expect(badHeader.status).toBe(400);
    expect((await errorOf(badHeader)).message).toMatch(/unknown field "cookie"/);
    expect(await named('refused')).toEqual([]);

    // A browser's own events need no key, and a key does not change them.
    expect((await h.post({ s: h.siteId, n: 'keyed-plain', u }, withKey(h.siteKey))).status).toBe(202);
    expect(await named('keyed-plain')).toHaveLength(1);
  });

  it('refuses a key once it is revoked (after the few seconds it is remembered)', async () => {
    const made = await addSite(h.collector.sites, { domain: 'revoked.example' }, h.collector.publicUrl, Date.now());
    const keys = await h.collector.store.keys.list(made.site.id);
    expect(await h.collector.store.keys.revoke(keys[0]!.id, Date.now())).toBe(true);
    const res = await h.post([{ s: made.site.id, n: 'late', u: 'https://revoked.example/', v: { a: '10.4.0.1', h: { 'user-agent': CHROME_UA } } }], withKey(made.key));
    expect(res.status).toBe(401);
    expect((await errorOf(res)).message).toMatch(/not valid/);
  });
});
