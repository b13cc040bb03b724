/**
 * The Store contract on stats (contract.suite.ts): every answer checked against the plain
 * TypeScript reference (testing/stats-reference.ts) over the same synthetic traffic, from raw
 * events and once days are rolled up.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { synthesize } from '../../seed/synthetic.ts';
import { p75, referenceFunnel, referenceStats, referenceVitals } from '../../testing/stats-reference.ts';
import { rangeOf } from '../../time.ts';
import type { Site, StatsRow, StatsSpec, StoredEvent, VitalRow } from '../store.ts';
import { siteNamed, type ContractStores } from './fixtures.ts';

/** Stats queries, funnels, vitals, realtime numbers, exports and rollups. */
export function describeStatsContract({ fresh, harness }: ContractStores): void {
  describe.skipIf(harness.missing?.includes('stats'))('stats', () => {
    const site: Site = siteNamed('shop', Date.UTC(2026, 2, 1), { timezone: 'Europe/Paris' });
    const days = 6;
    const rows = [...synthesize({ site: site.id, start: Date.UTC(2026, 2, 25), days, visitorsPerDay: 40, seed: 7 })];
    const specOf = (group: StatsSpec['group'], filters: StatsSpec['filters'] = []): StatsSpec => ({
      site: site.id,
      ...rangeOf('2026-03-25', '2026-03-30', site.timezone),
      filters,
      group,
    });
    // Across the change to summer time (2026-03-29 in Paris).
    const specs = [
      specOf({ by: 'none' }),
      specOf({ by: 'time', interval: 'day' }),
      specOf({ by: 'time', interval: 'hour' }),
      specOf({ by: 'dimension', dimension: 'page', sort: 'visitors', limit: 5, offset: 0 }),
      specOf({ by: 'dimension', dimension: 'source', sort: 'pageviews', limit: 3, offset: 1 }),
      specOf({ by: 'dimension', dimension: 'country', sort: 'visits', limit: 50, offset: 0 }, [{ dimension: 'device', op: 'is_not', values: ['mobile'] }]),
      specOf({ by: 'none' }, [{ dimension: 'entry_page', op: 'matches', values: ['/blog/*'] }]),
      specOf({ by: 'time', interval: 'week' }, [{ dimension: 'source', op: 'is_not', values: ['Google', '(none)'] }]),
      specOf({ by: 'time', interval: 'month' }, [{ dimension: 'page', op: 'contains', values: ['PRIC', 'blog'] }]),
      specOf({ by: 'dimension', dimension: 'prop:plan', sort: 'events', limit: 10, offset: 0 }),
      specOf({ by: 'dimension', dimension: 'exit_page', sort: 'views_per_visit', limit: 4, offset: 2 }, [{ dimension: 'event', op: 'is', values: ['signup'] }]),
      specOf({ by: 'dimension', dimension: 'browser', sort: 'bounce_rate', limit: 10, offset: 0 }),
      specOf({ by: 'none' }, [{ dimension: 'prop:plan', op: 'is', values: ['pro'] }]),
      // Values that a query language could take for something else.
      specOf({ by: 'dimension', dimension: 'page', sort: 'visitors', limit: 5, offset: 0 }, [{ dimension: 'page', op: 'is', values: ['$pathname', '/pricing', "it's"] }]),
      specOf({ by: 'none' }, [{ dimension: 'page', op: 'contains', values: ['$', '.*', 'PRICING'] }, { dimension: 'prop:$plan', op: 'is_not', values: ['$$ROOT'] }]),
      // Revenue: a prop's numbers summed (here the LCP values of vital reports).
      { ...specOf({ by: 'none' }, [{ dimension: 'event', op: 'is', values: ['vital'] }]), revenueProp: 'value' },
    ];
    /** The reference's rows as the store returns them: sorted, paged, with `total` for a dimension. */
    const expected = (spec: StatsSpec, events: readonly StoredEvent[] = rows): StatsRow[] => {
      const all = referenceStats(events, spec);
      if (spec.revenueProp) {
        // Only for totals filtered on event names: the events counted are then plain to see.
        const names = spec.filters.flatMap((f) => (f.dimension === 'event' && f.op === 'is' ? f.values : []));
        const counted = rows.filter((e) => e.ts >= spec.startUtc && e.ts < spec.endUtc && names.includes(e.name));
        const revenue = counted.reduce((n, e) => n + (Number((JSON.parse(e.props ?? '{}') as Record<string, unknown>)[spec.revenueProp!]) || 0), 0);
        return all.map((r) => ({ ...r, revenue }));
      }
      const g = spec.group;
      if (g.by !== 'dimension') return all.sort((p, q) => (p.key < q.key ? -1 : 1));
      const ratio = (n: number, d: number) => (d === 0 ? -Infinity : n / d); // no visits: last
      const by = (r: StatsRow) =>
        g.sort === 'views_per_visit'
          ? ratio(r.visit_pageviews, r.visits)
          : g.sort === 'bounce_rate'
            ? ratio(r.bounces, r.visits)
            : g.sort === 'visit_duration'
              ? ratio(r.duration, r.visits)
              : r[g.sort];
      const sorted = all.sort((p, q) => (by(q) === by(p) ? (p.key < q.key ? -1 : 1) : by(q) > by(p) ? 1 : -1));
      return sorted.slice(g.offset, g.offset + g.limit).map((r) => ({ ...r, total: all.length }));
    };
    const same = (list: StatsRow[]) =>
      list.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'number' ? Math.round(v * 1e6) / 1e6 : v])));

    const loaded = async () => {
      const store = await fresh();
      await store.sites.create(site);
      await store.events.append(rows);
      await store.events.settle();
      return store;
    };

    it('answer as the reference does over raw events', async () => {
      const store = await loaded();
      for (const spec of specs) expect(same(await store.stats.query(spec)), JSON.stringify(spec)).toEqual(same(expected(spec)));
      expect((await store.stats.queryMany(specs)).map(same)).toEqual(specs.map((s) => same(expected(s))));
    });

    it('sum a revenue prop per value of another (a goal\'s currencies), the missing value as (none)', async () => {
      const store = await fresh();
      await store.sites.create(site);
      const currencyOf = (i: number) => (i % 5 === 0 ? undefined : i % 2 ? 'USD' : 'EUR');
      const vitals = rows.filter((e) => e.name === 'vital').map((e, i) => ({ ...e, props: JSON.stringify({ ...(JSON.parse(e.props!) as object), currency: currencyOf(i) }) }));
      await store.events.append(vitals);
      await store.events.settle();
      const spec = { ...specOf({ by: 'dimension', dimension: 'prop:currency', sort: 'events', limit: 10, offset: 0 }, [{ dimension: 'event', op: 'is', values: ['vital'] }]), revenueProp: 'value' };
      const want = new Map<string, number>();
      for (const [i, e] of vitals.entries()) {
        if (e.ts < spec.startUtc || e.ts >= spec.endUtc) continue;
        const key = currencyOf(i) ?? '(none)';
        want.set(key, (want.get(key) ?? 0) + (JSON.parse(e.props) as { value: number }).value);
      }
      const got = await store.stats.query(spec);
      expect(new Map(got.map((r) => [r.key, r.revenue]))).toEqual(want);
      expect(want.size).toBe(3);
    });

    it('answer as the reference does for random questions (periods, filters, groupings, sorts)', async () => {
      const store = await loaded();
      const values = (d: string): string[] => {
        const pick = (e: StoredEvent) =>
          ({ page: e.pathname, entry_page: e.pathname, exit_page: e.pathname, source: e.source, country: e.country, device: e.device, browser: e.browser, event: e.name, utm_campaign: e.utmCampaign })[d];
        return [...new Set(rows.slice(0, 3000).map(pick).filter((v): v is string => Boolean(v))), '(none)', 'nothing-like-it'];
      };
      const dimensions = ['page', 'entry_page', 'exit_page', 'source', 'country', 'device', 'browser', 'event', 'utm_campaign', 'prop:plan'] as const;
      const filter = fc.constantFrom(...dimensions).chain((dimension) =>
        fc.record({
          dimension: fc.constant(dimension),
          op: fc.constantFrom('is' as const, 'is_not' as const, 'contains' as const, 'matches' as const),
          values: fc.uniqueArray(fc.constantFrom(...(dimension === 'prop:plan' ? ['pro', 'free', '(none)'] : values(dimension))), { minLength: 1, maxLength: 2 }),
        }).map((f) => (f.op === 'matches' ? { ...f, values: f.values.map((v) => `${v.slice(0, 3)}*`) } : f.op === 'contains' ? { ...f, values: f.values.map((v) => v.slice(1, 4).toUpperCase()) } : f)),
      );
      const group: fc.Arbitrary<StatsSpec['group']> = fc.oneof(
        fc.constant({ by: 'none' as const }),
        fc.constantFrom('hour' as const, 'day' as const, 'week' as const, 'month' as const).map((interval) => ({ by: 'time' as const, interval })),
        fc.record({
          by: fc.constant('dimension' as const),
          dimension: fc.constantFrom(...dimensions),
          sort: fc.constantFrom('visitors' as const, 'visits' as const, 'pageviews' as const, 'events' as const, 'views_per_visit' as const, 'bounce_rate' as const, 'visit_duration' as const),
          limit: fc.integer({ min: 1, max: 8 }),
          offset: fc.integer({ min: 0, max: 4 }),
        }),
      );
      const day = fc.integer({ min: 23, max: 31 }).map((d) => `2026-03-${d}`);
      await fc.assert(
        fc.asyncProperty(day, fc.integer({ min: 0, max: 4 }), fc.array(filter, { maxLength: 2 }), group, async (from, span, filters, g) => {
          const to = `2026-03-${Math.min(31, Number(from.slice(8)) + span)}`;
          const spec: StatsSpec = { site: site.id, ...rangeOf(from, to, site.timezone), filters, group: g };
          expect(same(await store.stats.query(spec)), JSON.stringify(spec)).toEqual(same(expected(spec)));
        }),
        { numRuns: 40, seed: 20261123 },
      );
    });

    it('count funnels and Web Vitals p75 as the reference does', async () => {
      const store = await loaded();
      const funnels = [
        [{ kind: 'page' as const, match: '/' }, { kind: 'page' as const, match: '/pricing' }, { kind: 'event' as const, match: 'signup' }],
        [{ kind: 'page' as const, match: '/blog/*' }, { kind: 'page' as const, match: '/blog/*' }],
        // An event literally named "$name" (there is none).
        [{ kind: 'page' as const, match: '/' }, { kind: 'event' as const, match: '$name' }],
      ];
      for (const spec of [specs[0]!, specs[5]!, specs[6]!]) {
        for (const steps of funnels) expect(await store.stats.funnel(spec, steps), JSON.stringify(spec.filters)).toEqual(referenceFunnel(rows, spec, steps));
        const want = referenceVitals(rows, spec);
        const got = await store.stats.vitals(spec, 100, 0);
        const pages = [...want.keys()].filter((p) => p !== '');
        expect(got.every((r) => r.total === pages.length)).toBe(true);
        const values = (r: VitalRow) => want.get(r.page)?.get(r.metric) ?? [];
        expect(got.map((r) => [r.page, r.metric, r.n])).toEqual(got.map((r) => [r.page, r.metric, values(r).length]));
        for (const r of got) expect(r.p75).toBeCloseTo(p75(values(r)), 9);
        expect(new Set(got.map((r) => r.page))).toEqual(new Set(want.keys()));
      }
    });

    it('answer realtime questions and export raw events in order', async () => {
      const store = await loaded();
      const since = Date.UTC(2026, 2, 28, 9);
      const recent = rows.filter((e) => e.ts >= since);
      const active = recent.filter((e) => e.name !== 'engagement' && e.name !== 'vital');
      const now = await store.stats.realtime(site.id, since, { pages: 3, recent: 4 });
      expect(now.visitors).toBe(new Set(active.map((e) => e.visitor)).size);
      expect(now.pageviews).toBe(recent.filter((e) => e.name === 'pageview').length);
      const onPage = new Map<string, string>();
      for (const e of [...recent].sort((a, b) => a.ts - b.ts)) if (e.name === 'pageview') onPage.set(e.visitor, e.pathname);
      const counts = new Map<string, number>();
      for (const page of onPage.values()) counts.set(page, (counts.get(page) ?? 0) + 1);
      expect(now.pages).toEqual([...counts].map(([page, visitors]) => ({ page, visitors })).sort((a, b) => b.visitors - a.visitors || (a.page < b.page ? -1 : 1)).slice(0, 3));
      const latest = [...active].sort((a, b) => b.ts - a.ts).slice(0, 4);
      expect(now.recent).toEqual(latest.map((e) => ({ ts: e.ts, name: e.name, page: e.pathname, country: e.country, source: e.source, device: e.device })));

      const from = Date.UTC(2026, 2, 26);
      const to = Date.UTC(2026, 2, 29, 12);
      const exported: StoredEvent[] = [];
      for await (const chunk of store.stats.exportEvents(site.id, from, to)) exported.push(...chunk);
      const inRange = rows.filter((e) => e.ts >= from && e.ts < to);
      expect(exported.length).toBe(inRange.length);
      expect(exported.map((e) => e.ts)).toEqual(inRange.map((e) => e.ts).sort((a, b) => a - b));
      const canonical = (e: StoredEvent) => JSON.stringify(Object.entries(e).sort(([a], [b]) => (a < b ? -1 : 1)));
      expect(new Set(exported.map(canonical))).toEqual(new Set(inRange.map(canonical)));
    });

    it.skipIf(harness.missing?.includes('rollups'))('answer the same once days are rolled up', async () => {
      const store = await loaded();
      const now = Date.UTC(2026, 2, 31, 12);
      const pending = await store.rollups.pending(site, now);
      expect(pending.length).toBeGreaterThanOrEqual(days);
      // The first days rolled, the last two not: rolled days and raw ones in one answer (a visit
      // over midnight between them included).
      for (const day of pending.slice(0, -2)) await store.rollups.roll(site, day, now);
      for (const spec of specs) expect(same(await store.stats.query(spec)), JSON.stringify(spec)).toEqual(same(expected(spec)));
      for (const day of pending.slice(-2)) await store.rollups.roll(site, day, now);
      expect(await store.rollups.pending(site, now)).toEqual([]);
      for (const spec of specs) expect(same(await store.stats.query(spec)), JSON.stringify(spec.group)).toEqual(same(expected(spec)));
      expect((await store.stats.queryMany(specs)).map(same)).toEqual(specs.map((s) => same(expected(s))));
    });

    it.skipIf(harness.missing?.includes('rollups'))('find and erase what was sent about one person, and roll their days up again', async () => {
      const store = await loaded();
      const now = Date.UTC(2026, 2, 31, 12);
      for (const day of await store.rollups.pending(site, now)) await store.rollups.roll(site, day, now);
      // A server SDK sent events about user 42 (a number) and "42" (a string), and one about 7.
      const base = rows.find((e) => e.name === 'pageview' && e.ts > Date.UTC(2026, 2, 27))!;
      const about = (n: number, user: unknown, extra: Partial<StoredEvent> = {}): StoredEvent => ({
        ...base,
        ts: base.ts + 1000 * n,
        name: 'order',
        props: JSON.stringify({ user_id: user, total: 10 * n }),
        ...extra,
      });
      const sent = [about(1, 42), about(2, '42'), about(3, 7), about(4, 42, { site: 'other' }), about(5, 420)];
      await store.events.append(sent);
      expect(await store.events.findByProp(site.id, 'user_id', '42')).toEqual([sent[0], sent[1]]);
      expect(await store.events.findByProp(site.id, 'user_id', 'nobody')).toEqual([]);
      expect(await store.rollups.pending(site, now)).toEqual(['2026-03-27']);
      for (const day of await store.rollups.pending(site, now)) await store.rollups.roll(site, day, now);
      const before = await store.stats.query(specOf({ by: 'none' }));
      expect(await store.events.deleteByProp(site.id, 'user_id', '42')).toBe(2);
      expect(await store.events.findByProp(site.id, 'user_id', '42')).toEqual([]);
      expect(await store.events.findByProp('other', 'user_id', '42')).toHaveLength(1);
      // The day they were on is rolled again without them.
      expect(await store.rollups.pending(site, now)).toEqual(['2026-03-27']);
      for (const day of await store.rollups.pending(site, now)) await store.rollups.roll(site, day, now);
      const after = await store.stats.query(specOf({ by: 'none' }));
      expect(after[0]!.events).toBe(before[0]!.events - 2);
      expect(same(after)).toEqual(same(referenceStats([...rows, sent[2]!, sent[4]!], specOf({ by: 'none' }))));
    });

    it.skipIf(harness.missing?.includes('rollups'))(
      'roll a day again, with the same rows, when late events arrive for it or the site changes time zone',
      async () => {
        const store = await loaded();
        const now = Date.UTC(2026, 2, 31, 12);
        const roll = async (s: Site) => {
          for (const day of await store.rollups.pending(s, now)) await store.rollups.roll(s, day, now);
        };
        await roll(site);
        const week = specOf({ by: 'dimension', dimension: 'source', sort: 'visitors', limit: 20, offset: 0 });
        const before = same(await store.stats.query(week));
        // Rolling a rolled day again changes nothing.
        await store.rollups.roll(site, '2026-03-27', now);
        expect(same(await store.stats.query(week))).toEqual(before);
        // A late pageview on 2026-03-27 (and one continuing a visit that started on 2026-03-26).
        const started = rows.find((e) => e.ts > Date.UTC(2026, 2, 26, 12) && e.name === 'pageview')!;
        const late = [
          { ...started, ts: Date.UTC(2026, 2, 27, 10), session: 987_654_321, visitor: 'f'.repeat(32), source: 'Late', pathname: '/late' },
          { ...started, ts: started.ts + 60_000, pathname: '/continued' },
        ];
        await store.events.append(late);
        await store.events.settle();
        expect(await store.rollups.pending(site, now)).toEqual(expect.arrayContaining(['2026-03-26', '2026-03-27']));
        await roll(site);
        const all = [...rows, ...late];
        const reference = referenceStats(all, { ...week, group: { by: 'none' } })[0]!;
        expect(same(await store.stats.query({ ...week, group: { by: 'none' } }))).toEqual(same([reference]));
        expect((await store.stats.query(week)).find((r) => r.key === 'Late')?.visitors).toBe(1);
        // Another time zone: every day is rolled again in it.
        const moved = { ...site, timezone: 'America/New_York' };
        expect((await store.rollups.pending(moved, now)).length).toBeGreaterThanOrEqual(days);
      },
    );

    it.skipIf(harness.missing?.includes('rollups'))(
      'answer a period that begins long before the site\'s first event, also when an event older than it arrives late',
      async () => {
        const store = await loaded();
        const now = Date.UTC(2026, 2, 31, 12);
        for (const day of await store.rollups.pending(site, now)) await store.rollups.roll(site, day, now);
        // A year up to the last day, by month, by day and in total; and a filter on one page.
        const year = (group: StatsSpec['group'], filters: StatsSpec['filters'] = []): StatsSpec => ({ ...specOf(group, filters), ...rangeOf('2025-04-01', '2026-03-30', site.timezone) });
        const asked = [
          year({ by: 'none' }),
          year({ by: 'time', interval: 'month' }),
          year({ by: 'time', interval: 'day' }),
          year({ by: 'dimension', dimension: 'country', sort: 'visitors', limit: 10, offset: 0 }),
          year({ by: 'none' }, [{ dimension: 'page', op: 'is', values: ['/pricing'] }]),
        ];
        const check = async (all: readonly StoredEvent[]) => {
          for (const spec of asked) expect(same(await store.stats.query(spec)), JSON.stringify(spec.group)).toEqual(same(expected(spec, all)));
          expect((await store.stats.queryMany(asked.slice(0, 4))).map(same)).toEqual(asked.slice(0, 4).map((s) => same(expected(s, all))));
        };
        await check(rows);
        // An event from before the first one (an import, a clock set wrong): counted at once,
        // before its day is rolled up, and after.
        const first = rows.reduce((a, b) => (a.ts <= b.ts ? a : b));
        const older = { ...first, ts: Date.UTC(2025, 11, 24, 15), session: 123_456_789, visitor: 'e'.repeat(32), pathname: '/pricing', name: 'pageview' };
        await store.events.append([older]);
        await store.events.settle();
        await check([...rows, older]);
        expect(await store.rollups.pending(site, now)).toContain('2025-12-24');
        for (const day of await store.rollups.pending(site, now)) await store.rollups.roll(site, day, now);
        await check([...rows, older]);
      },
    );

    it.skipIf(harness.missing?.includes('rollups'))('purge a site\'s rolled-up days with it, and no other site\'s', async () => {
      const store = await loaded();
      const other: Site = { ...site, id: 'other-shop' };
      await store.sites.create(other);
      await store.events.append(rows.slice(0, 2_000).map((e) => ({ ...e, site: other.id })));
      await store.events.settle();
      const now = Date.UTC(2026, 2, 31, 12);
      const pending = await store.rollups.pending(site, now);
      for (const s of [site, other]) for (const day of await store.rollups.pending(s, now)) await store.rollups.roll(s, day, now);
      const week = specOf({ by: 'dimension', dimension: 'source', sort: 'visitors', limit: 20, offset: 0 });
      const otherBefore = same(await store.stats.query({ ...week, site: other.id }));
      expect(await store.sites.purge(site.id)).toBe(true);
      // A new site under the same id starts from nothing: no day of the old one counts as rolled.
      await store.sites.create(site);
      expect(await store.rollups.pending(site, now)).toEqual([]);
      for (const spec of [week, specOf({ by: 'time', interval: 'day' }), specOf({ by: 'none' })]) {
        expect(await store.stats.query(spec)).toEqual(await store.stats.query({ ...spec, site: 'never-existed' }));
      }
      await store.events.bulkInsert(rows);
      expect(await store.rollups.pending(site, now)).toEqual(pending);
      expect(same(await store.stats.query(week))).toEqual(same(expected(week)));
      expect(same(await store.stats.query({ ...week, site: other.id }))).toEqual(otherBefore);
      expect(await store.rollups.pending(other, now)).toEqual([]);
    });
  });
}
