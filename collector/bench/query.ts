/**
 * `npm run bench:query`: a full dashboard load (summary + time series + pages, sources,
 * countries, devices, browsers and OS breakdowns) on 10 M events (30 days, 3 sites) in a fresh
 * embedded store, unfiltered and with a page filter, cold and warm (p50/p95): through the
 * dashboard call (`GET /api/stats/:site/dashboard`), and as eight separate calls for comparison.
 *
 * BENCH_EVENTS (default 10,000,000) and BENCH_RUNS (default 10) change the size and repetitions;
 * `-- --store mongodb://host/db` runs it on MongoDB (a database of its own: it writes the events).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Query } from '../src/protocol/query.ts';
import { querySchema } from '../src/protocol/query.ts';
import { StatsService } from '../src/stats/stats-service.ts';
import { openStore } from '../src/store/open-store.ts';
import type { Site } from '../src/store/store.ts';
import { synthesize } from '../src/seed/synthetic.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const DAYS = 30;
const BREAKDOWNS = ['page', 'source', 'country', 'device', 'browser', 'os'] as const;
const NOW = Date.UTC(2026, 9, 31, 18);
const START = NOW - DAYS * 86_400_000 - 18 * 3_600_000;
/** A site's traffic: DAYS days and today up to NOW (18:00 UTC). */
function* traffic(site: string, visitorsPerDay: number, seed: number) {
  for (const e of synthesize({ site, start: START, days: DAYS + 1, visitorsPerDay, seed })) if (e.ts <= NOW) yield e;
}
// How many visitors a day make EVENTS events over 3 sites: count a small sample.
let sample = 0;
for (const _ of traffic('sample', 100, 1)) sample++;
const visitorsPerDay = Math.round((100 * EVENTS) / 3 / sample);

// `-- --store mongodb://…` runs against that database instead of a fresh embedded store.
const { values: args } = parseArgs({ options: { store: { type: 'string' } } });
const dataDir = await mkdtemp(join(tmpdir(), 'cairn-bench-query-'));
const store = await openStore({ store: args.store ?? 'duckdb', dataDir, loadIntervalMs: 1000 });
const sites: Site[] = ['UTC', 'Europe/Berlin', 'America/New_York'].map((timezone, i) => ({
  id: `bench-${i}`,
  domains: ['example.com'],
  allowSubdomains: true,
  queryKeys: [],
  timezone,
  name: `bench-${i}`,
  createdAt: START,
}));

let total = 0;
const t0 = performance.now();
for (const [i, site] of sites.entries()) {
  await store.sites.create(site);
  total += await store.events.bulkInsert(traffic(site.id, visitorsPerDay, i + 1), (n) =>
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
  await measure('raw events only: 8 separate calls, 30 days, unfiltered', q(), true),
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
/**
 * One dashboard load: `GET /dashboard` (one call, the raw events read once), or its eight
 * endpoints called together (`separate`), as a client without the dashboard endpoint would.
 */
async function dashboard(query: Query, separate = false): Promise<number> {
  const t = performance.now();
  if (separate) {
    await Promise.all([service.summary(site, query), service.timeseries(site, query), ...BREAKDOWNS.map((d) => service.breakdown(site, d, query))]);
  } else await service.dashboard(site, query, BREAKDOWNS);
  return performance.now() - t;
}

function pct(xs: number[], p: number): number {
  return [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
}
async function measure(name: string, query: Query, separate = false) {
  const cold = await dashboard(query, separate);
  const warm: number[] = [];
  for (let i = 0; i < RUNS; i++) warm.push(await dashboard(query, separate));
  return { name, cold, p50: pct(warm, 50), p95: pct(warm, 95) };
}

// Ingest-to-query lag: events appended through the journal (as /api/event does) until a query
// counts them, with the loader's default 1 s interval.
const before = (await service.summary(site, q({ period: 'today' }))).metrics.pageviews;
const fresh = [...traffic(site.id, 50, 99)].filter((e) => e.ts > NOW - 3_600_000 && e.name === 'pageview').map((e) => ({ ...e, session: e.session + 1 }));
const l0 = performance.now();
await store.events.append(fresh);
while ((await service.summary(site, q({ period: 'today' }))).metrics.pageviews < before + fresh.length) await new Promise((r) => setTimeout(r, 20));
const lagMs = performance.now() - l0;

const pricing = q({ filters: [{ dimension: 'page', op: 'is', values: ['/pricing'] }] });
const rows = [
  await measure('full dashboard, 30 days, unfiltered', q()),
  await measure('full dashboard, 30 days, page filter', pricing),
  ...raw,
  await measure('8 separate calls, 30 days, unfiltered', q(), true),
  await measure('8 separate calls, 30 days, page filter', pricing, true),
];
await store.close();
await rm(dataDir, { recursive: true, force: true });

const ms = (n: number) => `${Math.round(n)}`;
console.log(`\nQuery benchmark: ${total.toLocaleString('en-US')} events (${DAYS} days, 3 sites; one site of ${Math.round(total / 3).toLocaleString('en-US')} queried), ${RUNS} warm runs, ${process.version}, on ${store.location}`);
console.log(`seeded in ${seedSeconds.toFixed(1)} s (${Math.round(total / seedSeconds).toLocaleString('en-US')} events/s)`);
console.log(`rolled up ${rolledDays} days in ${rollSeconds.toFixed(1)} s (${Math.round((rollSeconds * 1000) / rolledDays)} ms per site-day)`);
console.log(`ingest-to-query lag: ${Math.round(lagMs)} ms for ${fresh.length} events appended to the journal until a query counts them (the loader runs every 1 s)`);
console.log('ingest-to-rollup lag: a day reaches the rollups once closed (35 min after local midnight), at the next rollup run (every minute), plus the time to roll it (above)\n');
console.log('| dashboard | cold ms | p50 ms | p95 ms | target p50 |');
console.log('|---|---:|---:|---:|---:|');
const targets = [150, 500];
rows.forEach((r, i) => console.log(`| ${r.name}${i >= 2 && i < 4 ? ' (reference)' : ''} | ${ms(r.cold)} | ${ms(r.p50)} | ${ms(r.p95)} | ${targets[i] ?? '–'} |`));
console.log(`\nrollups vs raw events, unfiltered dashboard: ${(rows[2]!.p50 / rows[0]!.p50).toFixed(1)}× faster`);
