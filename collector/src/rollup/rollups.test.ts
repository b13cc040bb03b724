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
  store = await openDuckDbStore({ dataDir: dir, loadIntervalMs: 3_600_000 });
  await store.sites.create(site);
  sites = new SiteDirectory(store);
  await sites.reload();
  await store.events.bulkInsert(synthesize({ site: site.id, start: START, days: 11, visitorsPerDay: 30, seed: 7 }));
});
afterEach(() => store.close());

const job = () => new RollupJob({ store, sites, log: createLogger('silent'), now: () => NOW });
const rollupRows = async () => JSON.stringify(await store.rollupRows(site.id));
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
    // Filtered queries read raw events: they see the gap.
    const filtered = await service.summary(site, q({ filters: [{ dimension: 'device', op: 'is_not', values: ['nothing'] }] }));
    expect(filtered.metrics.pageviews).toBeLessThan(before.metrics.pageviews);
  });

  it('are rolled up again when the site changes time zone', async () => {
    await job().run();
    const moved = { ...site, timezone: 'America/Los_Angeles' };
    expect((await store.rollups.pending(moved, NOW)).length).toBeGreaterThan(8);
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
