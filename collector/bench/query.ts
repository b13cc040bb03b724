/**
 * `npm run bench:query`: a full dashboard load (summary + time series + pages, sources,
 * countries, devices, browsers and OS breakdowns) on 10 M events (30 days, 3 sites) in a fresh
 * embedded store, unfiltered and with a page filter, cold and warm (p50/p95).
 *
 * BENCH_EVENTS (default 10,000,000) and BENCH_RUNS (default 10) change the size and repetitions.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Query } from '../src/protocol/query.ts';
import { querySchema } from '../src/protocol/query.ts';
import { StatsService } from '../src/stats/stats-service.ts';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.ts';
import type { Site } from '../src/store/store.ts';
import { synthesize } from '../src/seed/synthetic.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const DAYS = 30;
// About 7 events per visitor per day in the synthetic traffic.
const visitorsPerDay = Math.round(EVENTS / 3 / DAYS / 7);
const NOW = Date.UTC(2026, 9, 31, 18);
const START = NOW - DAYS * 86_400_000 - 18 * 3_600_000;

const dataDir = await mkdtemp(join(tmpdir(), 'cairn-bench-query-'));
const store = await openDuckDbStore({ dataDir, loadIntervalMs: 3_600_000 });
const sites: Site[] = ['UTC', 'Europe/Berlin', 'America/New_York'].map((timezone, i) => ({
  id: `bench-${i}`,
  domains: ['example.com'],
  allowSubdomains: true,
  queryKeys: [],
  timezone,
  keyHash: 'x',
  createdAt: START,
}));

let total = 0;
const t0 = performance.now();
for (const [i, site] of sites.entries()) {
  await store.sites.create(site);
  total += await store.events.bulkInsert(synthesize({ site: site.id, start: START, days: DAYS + 1, visitorsPerDay, seed: i + 1 }), (n) =>
    process.stderr.write(`\rseeding ${site.id}: ${n.toLocaleString('en-US')} events`),
  );
  process.stderr.write('\n');
}
const seedSeconds = (performance.now() - t0) / 1000;

const service = new StatsService(store, () => NOW);
const site = sites[1]!;
const q = (extra: Record<string, unknown> = {}) => querySchema.parse({ period: '30d', ...extra }) as Query;

// The reference: the same dashboards on raw events only, before any day is rolled up.
const raw = [
  await measure('raw events only: full dashboard, 30 days, unfiltered', q()),
];

const r0 = performance.now();
let rolledDays = 0;
for (const s of sites) {
  for (const day of await store.rollups.pending(s, NOW)) {
    await store.rollups.roll(s, day, NOW);
    rolledDays++;
    process.stderr.write(`\rrolling up: ${rolledDays} days`);
  }
}
process.stderr.write('\n');
const rollSeconds = (performance.now() - r0) / 1000;
/** One dashboard: what <cairn-dashboard> asks for when it opens. */
async function dashboard(query: Query): Promise<number> {
  const t = performance.now();
  await Promise.all([
    service.summary(site, query),
    service.timeseries(site, query),
    ...(['page', 'source', 'country', 'device', 'browser', 'os'] as const).map((d) => service.breakdown(site, d, query)),
  ]);
  return performance.now() - t;
}

function pct(xs: number[], p: number): number {
  return [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
}
async function measure(name: string, query: Query) {
  const cold = await dashboard(query);
  const warm: number[] = [];
  for (let i = 0; i < RUNS; i++) warm.push(await dashboard(query));
  return { name, cold, p50: pct(warm, 50), p95: pct(warm, 95) };
}

const rows = [
  await measure('full dashboard, 30 days, unfiltered', q()),
  await measure('full dashboard, 30 days, page filter', q({ filters: [{ dimension: 'page', op: 'is', values: ['/pricing'] }] })),
  ...raw,
];
await store.close();
await rm(dataDir, { recursive: true, force: true });

const ms = (n: number) => `${Math.round(n)}`;
console.log(`\nQuery benchmark: ${total.toLocaleString('en-US')} events (${DAYS} days, 3 sites; one site of ${Math.round(total / 3).toLocaleString('en-US')} queried), ${RUNS} warm runs, ${process.version}`);
console.log(`seeded in ${seedSeconds.toFixed(1)} s (${Math.round(total / seedSeconds).toLocaleString('en-US')} events/s)`);
console.log(`rolled up ${rolledDays} days in ${rollSeconds.toFixed(1)} s (${Math.round((rollSeconds * 1000) / rolledDays)} ms per site-day)`);
console.log('ingest-to-query lag: events are queryable once loaded from the journal (every 1 s); they reach rollups when their local day closes (35 min after midnight) plus the rollup job interval (1 min) plus the time to roll the day (above)\n');
console.log('| dashboard | cold ms | p50 ms | p95 ms | target p50 |');
console.log('|---|---:|---:|---:|---:|');
console.log(`| ${rows[0]!.name} | ${ms(rows[0]!.cold)} | ${ms(rows[0]!.p50)} | ${ms(rows[0]!.p95)} | 150 |`);
console.log(`| ${rows[1]!.name} | ${ms(rows[1]!.cold)} | ${ms(rows[1]!.p50)} | ${ms(rows[1]!.p95)} | 500 |`);
console.log(`| ${rows[2]!.name} (reference) | ${ms(rows[2]!.cold)} | ${ms(rows[2]!.p50)} | ${ms(rows[2]!.p95)} | – |`);
console.log(`\nrollups vs raw events, unfiltered: ${(rows[2]!.p50 / rows[0]!.p50).toFixed(1)}× faster`);
