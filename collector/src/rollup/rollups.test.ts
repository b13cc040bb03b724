/** Rollups on a real embedded store: idempotent, atomic, resumable, used, and redone when needed. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Query } from '../protocol/query.ts';
import { querySchema } from '../protocol/query.ts';
import { createLogger } from '../logger.ts';
import { SiteDirectory } from '../sites/site-directory.ts';
import { StatsService } from '../stats/stats-service.ts';
import { openDuckDbStore, type DuckDbStore } from '../store/duckdb/duckdb-store.ts';
import type { Site } from '../store/store.ts';
import { tempDir } from '../testing/harness.ts';
import { synthesize } from '../seed/synthetic.ts';
import { rangeOf } from '../time.ts';
import { enforceRetention } from './retention.ts';
import { RollupJob } from './rollup-job.ts';

const START = Date.UTC(2026, 4, 1);
const NOW = Date.UTC(2026, 4, 11, 12);
const site: Site = { id: 's', domains: ['example.com'], allowSubdomains: true, queryKeys: [], timezone: 'Europe/Paris', name: 'example.com', createdAt: START };
let dir: string;
let store: DuckDbStore;
let sites: SiteDirectory;

beforeEach(async () => {
  dir = await tempDir('cairn-rollup-');
  store = await openDuckDbStore({ dataDir: dir, loadIntervalMs: 3_600_000, filterRollupMinVisitors: 3 });
  await store.sites.create(site);
  sites = new SiteDirectory(store);
  await sites.reload();
  await store.events.bulkInsert(synthesize({ site: site.id, start: START, days: 11, visitorsPerDay: 30, seed: 7 }));
});
afterEach(() => store.close());

const job = () => new RollupJob({ store, sites, log: createLogger('silent'), now: () => NOW });
const rollupRows = async () => JSON.stringify([await store.rollupRows(site.id), await store.filterRollupRows(site.id)]);
const q = (extra: Record<string, unknown>) => querySchema.parse({ period: 'custom', from: '2026-05-01', to: '2026-05-10', ...extra }) as Query;

describe('the rollup job', () => {
  it('rolls up every closed day, oldest first, and nothing twice', async () => {
    expect(await store.rollups.pending(site, NOW)).toEqual(['2026-05-01', '2026-05-02', '2026-05-03', '2026-05-04', '2026-05-05', '2026-05-06', '2026-05-07', '2026-05-08', '2026-05-09', '2026-05-10']);
    expect((await job().run()).days).toBe(10);
    expect(await store.rollups.pending(site, NOW)).toEqual([]);
    expect((await job().run()).days).toBe(0);
  });

  it('gives the same rollup when a day is rolled twice', async () => {
    await job().run();
    expect((await store.filterRollupRows(site.id)).length).toBeGreaterThan(100);
    const before = await rollupRows();
    await store.rollups.roll(site, '2026-05-04', NOW);
    await store.rollups.roll(site, '2026-05-04', NOW);
    expect(await rollupRows()).toBe(before);
  });

  it('resumes where it stopped after a crash', async () => {
    const first = job();
    let done = 0;
    await first.run(() => {
      if (++done === 4) void first.stop();
    });
    expect((await store.rollups.pending(site, NOW)).length).toBe(6);
    // The process goes away and comes back.
    await store.close();
    store = await openDuckDbStore({ dataDir: dir, loadIntervalMs: 3_600_000 });
    expect((await store.rollups.pending(site, NOW)).length).toBe(6);
    expect((await job().run()).days).toBe(6);
  });

  it('leaves the previous rollup whole when rolling a day again fails half way', async () => {
    await store.rollups.roll(site, '2026-05-03', NOW);
    const before = await rollupRows();
    // The statement that deletes the old rows runs, then the one computing the new ones fails.
    const broken = { ...site, timezone: 'Not/AZone' };
    await expect(store.rollups.roll(broken, '2026-05-03', NOW)).rejects.toThrow(/rollups\.roll/);
    expect(await rollupRows()).toBe(before);
    expect(await store.rollups.pending(site, NOW)).not.toContain('2026-05-03');
  });
});

describe('queries over rollups', () => {
  it('answer from rollups for closed days (raw events of those days are no longer read)', async () => {
    const service = new StatsService(store, () => NOW);
    const before = await service.summary(site, q({}));
    await job().run();
    expect((await service.summary(site, q({}))).metrics).toEqual(before.metrics);
    // As retention will: raw events of rolled days go, their numbers stay.
    expect(await store.events.deleteBefore(site.id, Date.UTC(2026, 4, 5))).toBeGreaterThan(100);
    expect((await service.summary(site, q({}))).metrics).toEqual(before.metrics);
    // Filtered queries that rollups cannot answer read raw events: they see the gap.
    const filtered = await service.summary(site, q({ filters: [{ dimension: 'page', op: 'is_not', values: ['nothing'] }] }));
    expect(filtered.metrics.pageviews).toBeLessThan(before.metrics.pageviews);
  });

  it('answer a year of a site younger than that from rollups too (the days before its first event hold nothing)', async () => {
    const service = new StatsService(store, () => NOW);
    const year = (interval?: string) => q({ period: '12mo', ...(interval ? { interval } : {}) });
    const before = await Promise.all([service.summary(site, year()), service.timeseries(site, year('month')), service.breakdown(site, 'country', year())]);
    await job().run();
    expect(await store.events.deleteBefore(site.id, Date.UTC(2026, 4, 5))).toBeGreaterThan(100);
    // Raw events of the closed days are gone: the year's numbers, by month and by country, stay.
    const after = await Promise.all([service.summary(site, year()), service.timeseries(site, year('month')), service.breakdown(site, 'country', year())]);
    expect(after).toEqual(before);
    expect(before[0].metrics.pageviews).toBeGreaterThan(100);
  });

  it('are rolled up again when the site changes time zone', async () => {
    await job().run();
    const moved = { ...site, timezone: 'America/Los_Angeles' };
    expect((await store.rollups.pending(moved, NOW)).length).toBeGreaterThan(8);
  });
});

describe('filter rollups', () => {
  const BREAKDOWNS = ['page', 'source', 'country', 'device', 'browser', 'os', 'exit_page'] as const;
  const onPage = (page: string) => q({ filters: [{ dimension: 'page', op: 'is', values: [page] }], limit: 100 });
  /** Pages of a day's `page` rollup with their visitors. */
  const pagesOf = async (day: string) =>
    new Map((await store.rollupRows(site.id)).filter((r) => r.day === day && r.dimension === 'page').map((r) => [String(r.value), Number(r.visitors)]));

  it.each([
    ['page', '/'],
    ['country', 'US'],
    ['device', 'desktop'],
    ['source', 'Google'],
    ['event', 'pageview'],
  ])('answer a filter on %s %s for the closed days that hold it (raw events of those days are no longer read)', async (dimension, value) => {
    const service = new StatsService(store, () => NOW);
    const query = q({ filters: [{ dimension, op: 'is', values: [value] }], limit: 100 });
    const before = await service.dashboard(site, query, BREAKDOWNS);
    await job().run();
    const popular = (await store.rollupRows(site.id)).some((r) => r.day === '2026-05-02' && r.dimension === dimension && r.value === value && Number(r.visitors) >= 3);
    expect(popular).toBe(true);
    expect(await service.dashboard(site, query, BREAKDOWNS)).toEqual(before);
    // Raw events of May 1–4 go: the filter-rollup parts stay, the exit page breakdown (not kept
    // under a filter) is read from raw events and loses them.
    expect(await store.events.deleteBefore(site.id, Date.UTC(2026, 4, 4, 22))).toBeGreaterThan(100);
    const after = await service.dashboard(site, query, BREAKDOWNS);
    expect({ ...after, breakdowns: { ...after.breakdowns, exit_page: null } }).toEqual({ ...before, breakdowns: { ...before.breakdowns, exit_page: null } });
    expect(after.breakdowns.exit_page).not.toEqual(before.breakdowns.exit_page);
  });

  it.each([
    ['country', ['US']],
    ['device', ['desktop', 'mobile']],
    ['browser', ['nothing']],
  ])('answer a filter on %s is not %j from the day’s sums less those of the values left out', async (dimension, values) => {
    const service = new StatsService(store, () => NOW);
    const query = q({ filters: [{ dimension, op: 'is_not', values }], limit: 100 });
    const before = await service.dashboard(site, query, BREAKDOWNS);
    const series = await service.timeseries(site, query);
    await job().run();
    // Each value left out is in the filter rollups of May 1–4, or has no events then (a rare value's days are read raw).
    const rows = await store.rollupRows(site.id);
    for (const day of ['2026-05-01', '2026-05-02', '2026-05-03', '2026-05-04']) {
      for (const value of values) expect(Number(rows.find((r) => r.day === day && r.dimension === dimension && r.value === value)?.visitors ?? 3)).toBeGreaterThanOrEqual(3);
    }
    expect(await service.dashboard(site, query, BREAKDOWNS)).toEqual(before);
    expect(await service.timeseries(site, query)).toEqual(series);
    // Raw events of May 1–4 go: the rolled-up parts stay (the exit page breakdown, not kept under a filter, is read raw).
    expect(await store.events.deleteBefore(site.id, Date.UTC(2026, 4, 4, 22))).toBeGreaterThan(100);
    const after = await service.dashboard(site, query, BREAKDOWNS);
    expect({ ...after, breakdowns: { ...after.breakdowns, exit_page: null } }).toEqual({ ...before, breakdowns: { ...before.breakdowns, exit_page: null } });
    expect(after.breakdowns.exit_page).not.toEqual(before.breakdowns.exit_page);
    expect(await service.timeseries(site, query)).toEqual(series);
    // Nothing left out of a breakdown by the filter's own dimension.
    expect(before.breakdowns[dimension]!.rows.map((r) => r.value)).not.toContain(values[0]);
  });

  it('answer a breakdown by a prop from rollups, but for a key with too many values in a day, read from raw events', async () => {
    await store.close();
    store = await openDuckDbStore({ dataDir: dir, loadIntervalMs: 3_600_000, filterRollupMinVisitors: 3, propRollupMaxValues: 2 });
    const service = new StatsService(store, () => NOW);
    const byProp = (key: string) => service.breakdown(site, `prop:${key}`, q({ limit: 100 }));
    // coupon: on one day only (every other day's events are under (none)).
    const [signup] = [...synthesize({ site: site.id, start: Date.UTC(2026, 4, 3, 9), days: 1, visitorsPerDay: 1, seed: 3 })];
    await store.events.bulkInsert([{ ...signup!, session: 99_999, name: 'signup', props: JSON.stringify({ coupon: 'SPRING' }), engagedMs: null, scrollDepth: null }]);
    // plan: pro or free (and none); value: a vital's number, one of many each day.
    const keys = ['plan', 'value', 'coupon'];
    const before = await Promise.all(keys.map(byProp));
    expect(before[1]!.total).toBeGreaterThan(20);
    expect(before[2]!.rows.map((r) => r.value)).toEqual(['(none)', 'SPRING']);
    await job().run();
    expect(await Promise.all(keys.map(byProp))).toEqual(before);
    expect((await store.rollupRows(site.id)).some((r) => r.dimension === 'prop:plan')).toBe(true);
    expect(await store.events.deleteBefore(site.id, Date.UTC(2026, 4, 4, 22))).toBeGreaterThan(100);
    const [plan, value, coupon] = await Promise.all(keys.map(byProp));
    expect(plan).toEqual(before[0]);
    expect(coupon).toEqual(before[2]);
    expect(value!.total).toBeLessThan(before[1]!.total);
  });

  it('leave out a page on the days it has fewer visitors than the threshold, which are then read from raw events', async () => {
    await job().run();
    // A page above the threshold on a day (May 2–9) and below it, but visited, the next.
    let found: { page: string; day: string; next: string } | undefined;
    for (let d = 2; d < 9 && !found; d++) {
      const [day, next] = [`2026-05-0${d}`, `2026-05-0${d + 1}`];
      const [above, below] = await Promise.all([pagesOf(day), pagesOf(next)]);
      const page = [...below].find(([p, n]) => n > 0 && n < 3 && (above.get(p) ?? 0) >= 3)?.[0];
      if (page) found = { page, day, next };
    }
    expect(found).toBeDefined();
    const { page, day, next } = found!;
    const rows = await store.filterRollupRows(site.id);
    expect(rows.some((r) => r.filter === 'page' && r.fvalue === page && r.day === day)).toBe(true);
    expect(rows.some((r) => r.filter === 'page' && r.fvalue === page && r.day === next)).toBe(false);
    const service = new StatsService(store, () => NOW);
    const query = querySchema.parse({ period: 'custom', from: day, to: next, filters: [{ dimension: 'page', op: 'is', values: [page] }] }) as Query;
    const before = await service.dashboard(site, query, BREAKDOWNS);
    // Without the raw events from `next` on, its numbers for the page are gone; `day`'s stay (filter rollups).
    const { startUtc } = rangeOf(next, next, site.timezone);
    expect(await store.events.deleteBefore(site.id, startUtc + 86_400_000)).toBeGreaterThan(100);
    const after = await service.dashboard(site, query, BREAKDOWNS);
    const bucket = (a: typeof before, d: string) => a.timeseries!.series.find((b) => b.bucket === d);
    expect(bucket(after, day)).toEqual(bucket(before, day));
    expect(bucket(before, next)!.pageviews).toBeGreaterThan(0);
    expect(bucket(after, next)!.pageviews).toBe(0);
  });

  it('are rolled again with their day when a late event arrives for it', async () => {
    const service = new StatsService(store, () => NOW);
    await job().run();
    const before = await service.dashboard(site, onPage('/'), ['country']);
    const [one] = await store.events.list(site.id, { limit: 1 });
    // A late pageview of / on May 3 (a new visit from Iceland).
    await store.events.append([{ ...one!, ts: Date.UTC(2026, 4, 3, 10), session: 77_777, visitor: 'a'.repeat(32), name: 'pageview', pathname: '/', country: 'IS', props: null }]);
    await store.events.settle();
    expect(await store.rollups.pending(site, NOW)).toEqual(['2026-05-03']);
    const iceland = (a: typeof before) => a.breakdowns.country!.rows.find((r) => r.value === 'IS')?.pageviews ?? 0;
    for (const when of ['dirty', 'rolled again']) {
      const now = await service.dashboard(site, onPage('/'), ['country']);
      expect(now.summary!.metrics.pageviews, when).toBe(before.summary!.metrics.pageviews + 1);
      expect(iceland(now), when).toBe(iceland(before) + 1);
      await job().run();
    }
    expect((await store.filterRollupRows(site.id)).some((r) => r.day === '2026-05-03' && r.filter === 'page' && r.fvalue === '/' && r.value === 'IS')).toBe(true);
  });
});

describe('retention', () => {
  it('deletes raw events past a site\'s retention, only once their days are rolled up, and keeps their numbers', async () => {
    const short = { ...site, retentionMonths: 0 };
    const directory = { list: () => [short] } as unknown as SiteDirectory;
    const log = createLogger('silent');
    const service = new StatsService(store, () => NOW);
    const before = await service.summary(short, q({}));
    // Nothing is rolled up yet: nothing may go.
    expect(await enforceRetention({ store, sites: directory, log, now: NOW })).toBe(0);
    await job().run();
    const deleted = await enforceRetention({ store, sites: directory, log, now: NOW });
    expect(deleted).toBeGreaterThan(1000);
    // Today's raw events (not rolled up) are still there; the rolled-up days answer from rollups.
    expect((await store.events.list(site.id)).every((e) => e.ts >= Date.UTC(2026, 4, 10, 22))).toBe(true);
    expect((await service.summary(short, q({}))).metrics).toEqual(before.metrics);
  });
});
