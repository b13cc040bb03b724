/**
 * Every number the stats service returns equals the plain-TypeScript reference over the same raw
 * events, for random queries: periods × time zones (with DST changes) × filters × comparisons ×
 * breakdowns, on synthetic traffic plus hand-made edge cases (midnights, late events).
 */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIMENSIONS, METRICS, querySchema, VITALS, type Filter, type Query, type Vital } from '../protocol/query.ts';
import { openDuckDbStore, type DuckDbStore } from '../store/duckdb/duckdb-store.ts';
import type { Site, StatsSpec, StoredEvent } from '../store/store.ts';
import { tempDir } from '../testing/harness.ts';
import { p75, referenceFunnel, referenceStats, referenceVitals } from '../testing/stats-reference.ts';
import { synthesize } from '../seed/synthetic.ts';
import { comparisonOf, resolvePeriod } from './period.ts';
import type { Range } from '../time.ts';
import { EMPTY, metricsOf, StatsService } from './stats-service.ts';

const START = Date.UTC(2026, 1, 24); // 2026-02-24: US, EU and Lord Howe DST changes follow
const DAYS = 46;
const NOW = Date.UTC(2026, 3, 10, 15); // the service's "now": inside the data
const ZONES = ['UTC', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Europe/Berlin'];

let store: DuckDbStore;
let service: StatsService;
const events: StoredEvent[] = [];
const sites: Site[] = [];

/** Edge cases: visits around local and UTC midnights and DST changes, a visit spanning days. */
function edges(site: Site, n: number): StoredEvent[] {
  const base = [...synthesize({ site: site.id, start: START, days: 1, visitorsPerDay: 1, seed: 999 + n })][0]!;
  const out: StoredEvent[] = [];
  const at = (iso: string, name: string, session: number, extra: Partial<StoredEvent> = {}) =>
    out.push({ ...base, ts: DateTime.fromISO(iso, { zone: site.timezone }).toMillis() + out.length, name, session, visitor: `e${n}${session}`.padEnd(32, '0'), ...extra });
  // A visit from 23:50 to 00:20 local on the night of a DST change.
  at('2026-03-07T23:50', 'pageview', 7001, { pathname: '/night', source: 'Night', medium: 'referral' });
  at('2026-03-08T00:20', 'pageview', 7001, { pathname: '/after-midnight', source: null, medium: 'internal' });
  at('2026-03-08T00:21', 'engagement', 7001, { engagedMs: 61_000, scrollDepth: 40 });
  // Events at the very first and last millisecond of a local day.
  at('2026-03-29T00:00:00.000', 'pageview', 7002, { pathname: '/first-ms' });
  at('2026-03-29T23:59:59.990', 'pageview', 7003, { pathname: '/last-ms' });
  // The repeated hour of a fall-back change (Lord Howe: 2026-04-05 02:00 → 01:30).
  at('2026-04-05T01:40', 'pageview', 7004, { pathname: '/repeated-hour' });
  at('2026-04-05T01:45', 'signup', 7004, { props: JSON.stringify({ plan: 'pro', seats: 3, trial: true }) });
  // Web Vitals of one page, and a funnel walked twice in one visit (/pricing, signup, /pricing, signup).
  at('2026-03-10T10:00', 'pageview', 7005, { pathname: '/pricing' });
  at('2026-03-10T10:00:01', 'vital', 7005, { pathname: '/pricing', props: JSON.stringify({ metric: 'CLS', value: 0.105 }) });
  at('2026-03-10T10:00:02', 'vital', 7005, { pathname: '/pricing', props: JSON.stringify({ metric: 'INP', value: 180 }) });
  at('2026-03-10T10:01', 'signup', 7005, { pathname: '/pricing', props: JSON.stringify({ plan: 'free' }) });
  at('2026-03-10T10:02', 'pageview', 7005, { pathname: '/pricing' });
  at('2026-03-10T10:03', 'signup', 7005, { pathname: '/pricing', props: JSON.stringify({ plan: 'pro' }) });
  // A visit without a pageview (a server-side event): entry and exit page '(none)'.
  at('2026-03-12T09:00', 'signup', 7006, { pathname: '/api/hook', source: 'Newsletter', props: JSON.stringify({ plan: 'pro' }) });
  return out;
}

beforeAll(async () => {
  // Pages of 2 visitors a day get page rollups: popular pages have them most days, others on some
  // days only (read raw), so both paths and their mixes are compared.
  store = await openDuckDbStore({ dataDir: await tempDir('cairn-oracle-'), loadIntervalMs: 3_600_000, filterRollupMinVisitors: 2 });
  service = new StatsService(store, () => NOW);
  for (const [n, tz] of ZONES.entries()) {
    const site: Site = { id: `site-${n}`, domains: ['example.com'], allowSubdomains: true, queryKeys: [], timezone: tz, name: 'example.com', createdAt: START };
    await store.sites.create(site);
    sites.push(site);
    const offset = DateTime.fromMillis(START, { zone: tz }).offset / 60;
    const rows = [...synthesize({ site: site.id, start: START, days: DAYS, visitorsPerDay: 25, seed: n + 1, utcOffsetHours: offset, pages: 40 }), ...edges(site, n)];
    // Late events: written after the rest, as a server SDK or a slow journal would.
    const late = rows.filter((_, i) => i % 97 === 0);
    const onTime = rows.filter((_, i) => i % 97 !== 0);
    for (let i = 0; i < onTime.length; i += 5000) await store.events.append(onTime.slice(i, i + 5000));
    await store.events.settle();
    await store.events.append(late);
    await store.events.settle();
    events.push(...onTime, ...late);
  }
}, 120_000);
afterAll(() => store?.close());

/** Values that occur in the data, per dimension (plus one that never does). */
function valuesOf(dimension: string): string[] {
  const seen = new Set<string>(['(none)', 'no-such-value']);
  for (const e of events.slice(0, 4000)) {
    const v = { page: e.pathname, country: e.country, device: e.device, browser: e.browser, os: e.os, event: e.name, source: e.source, referrer: e.referrer, utm_source: e.utmSource, entry_page: e.pathname, exit_page: e.pathname }[dimension];
    if (v) seen.add(v);
  }
  return [...seen];
}

const filterArb: fc.Arbitrary<Filter> = fc
  .constantFrom('page', 'entry_page', 'exit_page', 'source', 'country', 'device', 'browser', 'os', 'event', 'utm_source', 'prop:plan')
  .chain((dimension) =>
    fc.record({
      dimension: fc.constant(dimension as Filter['dimension']),
      op: fc.constantFrom('is' as const, 'is_not' as const, 'contains' as const, 'matches' as const),
      values: fc.uniqueArray(fc.constantFrom(...(dimension === 'prop:plan' ? ['pro', 'free', '(none)'] : valuesOf(dimension)).map((v) => v.slice(0, 6))), {
        minLength: 1,
        maxLength: 3,
      }),
    }),
  )
  // A pattern: a value cut short and followed by `*`, or `*` and its end.
  .map((f) => (f.op === 'matches' ? { ...f, values: f.values.map((v, i) => (i % 2 ? `*${v.slice(2)}` : `${v.slice(0, 4)}*`)) } : f));

const dateArb = fc.integer({ min: 0, max: DAYS + 3 }).map((d) => new Date(START + (d - 2) * 86_400_000).toISOString().slice(0, 10));

const queryArb: fc.Arbitrary<Query> = fc
  .record({
    period: fc.constantFrom('today', 'day', '7d', '30d', 'month', '12mo', 'custom'),
    date: dateArb,
    from: dateArb,
    span: fc.integer({ min: 0, max: 20 }),
    interval: fc.option(fc.constantFrom('hour', 'day', 'week', 'month'), { nil: undefined }),
    compare: fc.option(fc.constantFrom('previous', 'year'), { nil: undefined }),
    filters: fc.array(filterArb, { maxLength: 2 }),
    sort: fc.constantFrom(...METRICS),
    limit: fc.integer({ min: 1, max: 15 }),
    page: fc.integer({ min: 1, max: 3 }),
  })
  .map(({ span, from, ...q }) => {
    const to = new Date(Date.parse(from) + span * 86_400_000).toISOString().slice(0, 10);
    // Hourly series over months would be huge; the API allows it, the test keeps it small.
    const interval = q.interval === 'hour' && !['today', 'day'].includes(q.period) ? 'day' : q.interval;
    return querySchema.parse({ ...q, interval, from, to }) as Query;
  });

/**
 * Queries filtered on one value of one dimension (what filter rollups answer): a page, popular or
 * not, a country, a device, an event name…, or a value that never occurs; half of them over the
 * last 30 days (most of them rolled up, today not). On a country, device, browser or OS, a third
 * are `is not` the value (filter rollups answer those by subtraction).
 */
const oneValueQueryArb: fc.Arbitrary<Query> = fc
  .tuple(
    queryArb,
    fc.oneof(
      fc.constantFrom('/', '/pricing', '/about', '/blog/post-12', '/blog/post-39', '/no-such-page').map((v) => ['page', v] as const),
      fc
        .constantFrom('source', 'utm_source', 'country', 'device', 'browser', 'os', 'event', 'entry_page')
        .chain((d) => fc.constantFrom(...valuesOf(d)).map((v) => [d, v] as const)),
    ),
    fc.boolean(),
    fc.integer({ min: 0, max: 2 }),
  )
  .map(([q, [dimension, value], recent, not]) => {
    const op = not === 0 && ['country', 'device', 'browser', 'os'].includes(dimension) ? ('is_not' as const) : ('is' as const);
    return { ...q, ...(recent ? { period: '30d' as const } : {}), filters: [{ dimension, op, values: [value] }] };
  });

function specOf(site: Site, r: Range, q: Query, group: StatsSpec['group']): StatsSpec {
  return { site: site.id, tz: site.timezone, from: r.from, to: r.to, startUtc: r.startUtc, endUtc: r.endUtc, filters: q.filters, group };
}

const sortValue = (r: ReturnType<typeof referenceStats>[number], metric: string): number | null => {
  const ratio = (x: number) => (r.visits > 0 ? x / r.visits : null);
  const map: Record<string, number | null> = {
    visitors: r.visitors,
    visits: r.visits,
    pageviews: r.pageviews,
    events: r.events,
    views_per_visit: ratio(r.visit_pageviews),
    bounce_rate: ratio(r.bounces),
    visit_duration: ratio(r.duration),
  };
  return map[metric]!;
};

/** Checks summaries, time series and breakdowns against the reference on `runs` random queries each. */
/** Queries the random ones might miss: visits without pageviews, found by their '(none)' entry page. */
const EXAMPLES: [number, Query][] = [0, 1, 2, 3, 4].flatMap((i) =>
  [
    [{ dimension: 'entry_page', op: 'is', values: ['(none)'] }],
    [{ dimension: 'exit_page', op: 'contains', values: ['non'] }],
    [{ dimension: 'entry_page', op: 'is_not', values: ['/'] }, { dimension: 'source', op: 'matches', values: ['News*'] }],
  ].map((filters): [number, Query] => [i, querySchema.parse({ period: 'month', date: '2026-03-12', filters }) as Query]),
);

async function checkAll(runs: number, queries = queryArb): Promise<void> {
  {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...sites.keys()), queries, async (i, q) => {
        const site = sites[i]!;
        const { range } = resolvePeriod(q, site.timezone, NOW);
        const got = await service.summary(site, q);
        const want = referenceStats(events, specOf(site, range, q, { by: 'none' }))[0];
        expect(got.metrics).toEqual(metricsOf(want ?? EMPTY));
        if (q.compare) {
          const c = comparisonOf(range, q);
          expect(got.comparison!.period).toEqual({ from: c.from, to: c.to, timezone: site.timezone });
          const before = referenceStats(events, specOf(site, c, q, { by: 'none' }))[0];
          expect(got.comparison!.metrics).toEqual(metricsOf(before ?? EMPTY));
        }
      }),
      { numRuns: runs, examples: EXAMPLES },
    );
  }
  {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...sites.keys()), queries, async (i, q) => {
        const site = sites[i]!;
        const { range, interval } = resolvePeriod(q, site.timezone, NOW);
        const got = await service.timeseries(site, q);
        const want = new Map(referenceStats(events, specOf(site, range, q, { by: 'time', interval })).map((r) => [r.key, metricsOf(r)]));
        const nonEmpty = got.series.filter((b) => b.visitors + b.visits + b.pageviews + b.events > 0);
        expect(Object.fromEntries(nonEmpty.map(({ bucket, ...m }) => [bucket, m]))).toEqual(
          Object.fromEntries([...want].filter(([, m]) => m.visitors + m.visits + m.pageviews + m.events > 0)),
        );
        // Buckets are consecutive and unique.
        expect(new Set(got.series.map((b) => b.bucket)).size).toBe(got.series.length);
      }),
      { numRuns: runs },
    );
  }
  {
    const dimensions = [...DIMENSIONS, 'prop:plan', 'prop:seats'] as const;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...sites.keys()), fc.constantFrom(...dimensions), queries, fc.boolean(), async (i, dimension, q, few) => {
        const site = sites[i]!;
        const { range } = resolvePeriod(q, site.timezone, NOW);
        // `few`: a comparison reads 2 values of the earlier period at once, and asks for the rest by filter.
        const got = await (few ? new StatsService(store, () => NOW, { comparedValues: 2 }) : service).breakdown(site, dimension, q);
        const all = referenceStats(events, specOf(site, range, q, { by: 'dimension', dimension, sort: q.sort, limit: 1e9, offset: 0 }));
        all.sort((a, b) => {
          const [x, y] = [sortValue(a, q.sort), sortValue(b, q.sort)];
          if (x !== y) return y === null ? -1 : x === null ? 1 : y - x;
          return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
        });
        const page = all.slice((q.page - 1) * q.limit, q.page * q.limit);
        expect(got.rows).toEqual(page.map((r) => ({ value: r.key, ...metricsOf(r) })));
        expect(got.total).toBe(page.length > 0 ? all.length : got.total);
        if (q.compare && page.length > 0) {
          // The same values in the earlier period, whatever their rank then.
          const c = comparisonOf(range, q);
          const then = new Map(referenceStats(events, specOf(site, c, q, { by: 'dimension', dimension, sort: q.sort, limit: 1e9, offset: 0 })).map((r) => [r.key, r]));
          expect(got.comparison!.rows).toEqual(page.map((r) => ({ value: r.key, ...metricsOf(then.get(r.key) ?? EMPTY) })));
        }
      }),
      {
        numRuns: runs,
        // Compared with the week before: values ranked past the first two then are asked for by filter.
        examples: (['page', 'country', 'source'] as const).map((d, n): [number, (typeof dimensions)[number], Query, boolean] => [
          n,
          d,
          querySchema.parse({ period: '7d', compare: 'previous', sort: 'pageviews', limit: 8, page: 1 }) as Query,
          true,
        ]),
      },
    );
  }
}

const stepArb = fc.oneof(
  fc.record({ kind: fc.constant('page' as const), match: fc.constantFrom('/', '/pricing', '/blog/*', '/*s*', '/docs', '/no-such-page') }),
  fc.record({ kind: fc.constant('event' as const), match: fc.constantFrom('signup', 'pageview', 'no-such-event') }),
);

/** Checks funnels and Web Vitals against the reference on `runs` random queries each. */
async function checkFunnelsAndVitals(runs: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...sites.keys()), fc.array(stepArb, { minLength: 2, maxLength: 4 }), queryArb, async (i, steps, q) => {
      const site = sites[i]!;
      const { range } = resolvePeriod(q, site.timezone, NOW);
      const got = await service.funnel(site, steps, q);
      const want = referenceFunnel(events, specOf(site, range, q, { by: 'none' }), steps);
      expect({ visits: got.visits, steps: got.steps.map((s) => s.visits) }).toEqual(want);
      got.steps.forEach((s, k) => expect(s.dropoff).toBe((k === 0 ? want.visits : want.steps[k - 1]!) - want.steps[k]!));
    }),
    { numRuns: runs },
  );
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...sites.keys()), queryArb, async (i, q) => {
      const site = sites[i]!;
      const { range } = resolvePeriod(q, site.timezone, NOW);
      const got = await service.vitals(site, q);
      const want = referenceVitals(events, specOf(site, range, q, { by: 'none' }));
      const view = (m: Map<string, number[]> | undefined) =>
        Object.fromEntries(VITALS.map((v) => [v, m?.get(v) ? { p75: p75(m.get(v)!), n: m.get(v)!.length } : null]));
      const close = (got: Record<Vital, { p75: number; n: number } | null>, want: Record<string, { p75: number; n: number } | null>) => {
        for (const v of VITALS) {
          expect(got[v]?.n, v).toBe(want[v]?.n);
          if (want[v]) expect(got[v]!.p75).toBeCloseTo(want[v].p75, 2);
        }
      };
      close(got.overall, view(want.get('')));
      const pages = [...want.keys()]
        .filter((p) => p !== '')
        .map((page) => ({ page, n: [...want.get(page)!.values()].reduce((n, xs) => n + xs.length, 0) }))
        .sort((a, b) => b.n - a.n || (a.page < b.page ? -1 : 1));
      expect(got.total).toBe(got.pages.length > 0 ? pages.length : got.total);
      expect(got.pages.map((p) => p.page)).toEqual(pages.slice((q.page - 1) * q.limit, q.page * q.limit).map((p) => p.page));
      for (const p of got.pages) close(p, view(want.get(p.page)));
    }),
    { numRuns: runs },
  );
}

/** A dashboard (one shared read) answers exactly what its endpoints answer one by one. */
async function checkDashboards(runs: number, queries = queryArb): Promise<void> {
  const dimensions = fc.uniqueArray(fc.constantFrom(...DIMENSIONS, 'prop:plan' as const), { minLength: 1, maxLength: 5 });
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...sites.keys()), dimensions, queries, async (i, ds, q) => {
      const site = sites[i]!;
      const got = await service.dashboard(site, q, ds);
      expect(got.summary).toEqual(await service.summary(site, q));
      expect(got.timeseries).toEqual(await service.timeseries(site, q));
      for (const d of ds) expect(got.breakdowns[d], d).toEqual(await service.breakdown(site, d, q));
    }),
    {
      numRuns: runs,
      // Periods that end today, unfiltered: rolled-up days and today's raw events in one read.
      examples: (['7d', '30d', 'month'] as const).flatMap((period, n) =>
        [0, 1, 2, 3, 4].map((i): [number, (typeof DIMENSIONS)[number][], Query] => [
          i,
          ['page', 'source', 'entry_page', 'country'],
          querySchema.parse({ period, date: '2026-04-10', compare: n === 1 ? 'previous' : undefined, sort: n === 2 ? 'bounce_rate' : 'visitors', limit: 3, page: 1 + n }) as Query,
        ]),
      ).concat(
        // Periods of closed days only, unfiltered and on one page: rollups alone, in one statement.
        [undefined, '/'].map((page, n): [number, (typeof DIMENSIONS)[number][], Query] => [
          n,
          ['page', 'source', 'country', 'device'],
          querySchema.parse({ period: 'custom', from: '2026-03-20', to: '2026-04-05', interval: 'week', limit: 2, page: 2, filters: page ? [{ dimension: 'page', op: 'is', values: [page] }] : [] }) as Query,
        ]),
      ),
    },
  );
}

/** Time for the tests that roll up every day of every site (230 site-days, a day and its page rollup each). */
const ROLLING_MS = 180_000;

/** Rolls up every closed day of every site, as the job does. */
async function rollAll(): Promise<number> {
  let n = 0;
  for (const site of sites) {
    for (const day of await store.rollups.pending(site, NOW)) {
      await store.rollups.roll(site, day, NOW);
      n++;
    }
  }
  return n;
}

describe('stats equal the reference', () => {
  it('on raw events', async () => {
    await checkAll(40);
    await checkDashboards(25);
  });

  it('for funnels and Web Vitals', () => checkFunnelsAndVitals(40));

  it('with daily rollups for closed days (and raw events for today)', async () => {
    expect(await rollAll()).toBeGreaterThan(200);
    await checkAll(40);
    await checkDashboards(25);
    // Closed days' events kept with their visits (visit_events), today's raw.
    await checkFunnelsAndVitals(30);
  }, ROLLING_MS);

  it('filtered on one value of a dimension, with filter rollups for the days that have it', async () => {
    await rollAll();
    await checkAll(30, oneValueQueryArb);
    await checkDashboards(25, oneValueQueryArb);
  }, ROLLING_MS);

  it('after late events changed rolled-up days, before and after they are rolled up again', async () => {
    // A visit from a week ago gets a late event (a server SDK's), and a new visit arrives for that day.
    const old = events.find((e) => e.site === sites[1]!.id && e.ts > NOW - 8 * 86_400_000 && e.name === 'pageview')!;
    const late: StoredEvent[] = [
      { ...old, ts: old.ts + 1000, name: 'signup', props: JSON.stringify({ plan: 'pro' }) },
      { ...old, ts: old.ts + 5000, session: 424242, visitor: 'f'.repeat(32), pathname: '/late', name: 'pageview' },
    ];
    await store.events.append(late);
    await store.events.settle();
    events.push(...late);
    expect((await store.rollups.pending(sites[1]!, NOW)).length).toBeGreaterThan(0);
    await checkAll(25);
    await checkAll(15, oneValueQueryArb);
    await checkFunnelsAndVitals(10);
    expect(await rollAll()).toBeGreaterThan(0);
    await checkAll(25);
    await checkAll(15, oneValueQueryArb);
    await checkFunnelsAndVitals(10);
  }, ROLLING_MS);
});
