/** The Store contract on events and salts (contract.suite.ts). */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contractEvent, T0, visitorOf, type ContractStores } from './fixtures.ts';

/** Events appended, settled, imported, listed and deleted; sessions and client ids since an instant; daily salts. */
export function describeEventsContract({ fresh, restart }: ContractStores): void {
  describe('events', () => {
    it('lists settled rows with every field intact, per site, in time order', async () => {
      const store = await fresh();
      const rich = contractEvent(1, {
        name: 'Signup "pro" — it\'s ünïcødé 🎉',
        visitor: 'ffffffffffffffffffffffffffffffff',
        session: Number.MAX_SAFE_INTEGER,
        hostname: 'bücher.example',
        pathname: "/café/日本語/it's/\"quoted\"/back\\slash/%20",
        query: 'q=%C3%A9&ref=a"b',
        referrer: 'news.ycombinator.com/item',
        referrerHost: 'news.ycombinator.com',
        source: 'Hacker News',
        medium: 'referral',
        utmCampaign: 'été 2026 🌞',
        screenWidth: 65_535,
        props: JSON.stringify({ plan: 'pro', quote: 'it\'s "x"', emoji: '🎉', path: 'C:\\temp', n: 3, ok: true }),
        engagedMs: 86_400_000,
        scrollDepth: 100,
      });
      const bare = contractEvent(2, {
        visitor: '00000000000000000000000000000001',
        session: 0,
        ...Object.fromEntries(
          (['query', 'referrer', 'referrerHost', 'source', 'utmSource', 'utmMedium', 'utmCampaign', 'utmTerm', 'utmContent', 'country', 'browser', 'browserVersion', 'os', 'osVersion', 'screenWidth', 'props', 'engagedMs', 'scrollDepth', 'clientId'] as const).map((k) => [k, null]),
        ),
        medium: 'none',
      });
      const other = contractEvent(3, { site: 'site-b' });
      await store.events.append([bare, other]);
      await store.events.append([rich]);
      await store.events.append([]);
      await store.events.settle();
      expect(await store.events.list('site-a')).toEqual([rich, bare]);
      expect(await store.events.list('site-b')).toEqual([other]);
      expect(await store.events.list('site-a', { limit: 1 })).toEqual([rich]);
      expect(await (await restart(store)).events.list('site-a')).toEqual([rich, bare]);
    });

    it('imports in bulk with progress, and deletes one site\'s events before an instant', async () => {
      const store = await fresh();
      const rows = Array.from({ length: 25_000 }, (_, i) => contractEvent(i, { site: i % 5 === 0 ? 'site-b' : 'site-a', ts: T0 + i * 1000 }));
      const seen: number[] = [];
      expect(await store.events.bulkInsert(rows, (n) => seen.push(n))).toBe(25_000);
      expect(seen.at(-1)).toBe(25_000);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      const cut = T0 + 10_000 * 1000;
      expect(await store.events.deleteBefore('site-a', cut)).toBe(8_000);
      expect(await store.events.deleteBefore('site-a', cut)).toBe(0);
      const a = await store.events.list('site-a');
      expect(a).toHaveLength(12_000);
      expect(a.every((e) => e.ts >= cut)).toBe(true);
      expect(await store.events.list('site-b')).toHaveLength(5_000);
    });

    it('reports the sessions active since an instant and the client ids seen since another', async () => {
      const store = await fresh();
      const at = (i: number, ts: number, session: number, clientId: string | null) => contractEvent(i, { ts, session, visitor: visitorOf(session), clientId });
      const since = T0;
      await store.events.append([
        at(1, since - 3_600_000, 1, 'old'), // session 1 started an hour before and is still active
        at(2, since + 60_000, 1, 'x1'),
        at(3, since - 60_000, 2, null), // session 2 ended before `since`
        at(4, since, 3, 'x3'),
        at(5, since + 120_000, 3, null),
        at(6, since + 5, 4, 'x4'),
      ]);
      await store.events.settle();
      const tails = (await store.events.sessionTails(since)).sort((p, q) => p.session - q.session);
      expect(tails).toEqual([
        { visitor: visitorOf(1), session: 1, firstTs: since - 3_600_000, lastTs: since + 60_000 },
        { visitor: visitorOf(3), session: 3, firstTs: since, lastTs: since + 120_000 },
        { visitor: visitorOf(4), session: 4, firstTs: since + 5, lastTs: since + 5 },
      ]);
      const ids = (await store.events.clientIds(since)).sort((p, q) => p.ts - q.ts);
      expect(ids).toEqual([
        { site: 'site-a', clientId: 'x3', ts: since },
        { site: 'site-a', clientId: 'x4', ts: since + 5 },
        { site: 'site-a', clientId: 'x1', ts: since + 60_000 },
      ]);
    });
  });

  describe('salts', () => {
    it('keep the first salt of a day, across restarts, and destroy older days', async () => {
      const store = await fresh();
      const salt = randomBytes(32);
      expect(Buffer.from(await store.salts.ensure('2026-03-10', salt))).toEqual(salt);
      expect(Buffer.from(await store.salts.ensure('2026-03-10', randomBytes(32)))).toEqual(salt);
      await store.salts.ensure('2026-03-09', randomBytes(32));
      await store.salts.ensure('2026-03-08', randomBytes(32));
      const again = await restart(store);
      expect(Buffer.from(await again.salts.ensure('2026-03-10', randomBytes(32)))).toEqual(salt);
      expect(await again.salts.days()).toEqual(['2026-03-08', '2026-03-09', '2026-03-10']);
      expect(await again.salts.destroyBefore('2026-03-10')).toBe(2);
      expect(await again.salts.destroyBefore('2026-03-10')).toBe(0);
      expect(await again.salts.days()).toEqual(['2026-03-10']);
    });
  });
}
