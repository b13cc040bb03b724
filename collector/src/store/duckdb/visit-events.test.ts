/**
 * visit_events (rollups.ts, stats-sql.ts): the events of rolled days joined to their visits answer
 * what rollups cannot (a page containing a word, a prop, two filters, funnels, Web Vitals), with
 * the same numbers as raw events; they go with their events (GDPR deletion, retention, a purge).
 * To show which path answered, the raw events of the rolled days are removed behind the store's
 * back, in the database file, while it is closed.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Query } from '../../protocol/query.ts';
import { querySchema } from '../../protocol/query.ts';
import { synthesize } from '../../seed/synthetic.ts';
import { StatsService } from '../../stats/stats-service.ts';
import { afterThisTest, tempFolder } from '../../testing/after-each-test.ts';
import type { Site } from '../store.ts';
import { openDuckDbStore, type DuckDbStore } from './duckdb-store.ts';

const START = Date.UTC(2026, 4, 1);
const NOW = Date.UTC(2026, 4, 11, 12);
const site: Site = { id: 's', domains: ['example.com'], allowSubdomains: true, queryKeys: [], timezone: 'Europe/Paris', name: 'example.com', createdAt: START };

async function openStore(dataDir: string): Promise<DuckDbStore> {
  const store = await openDuckDbStore({ dataDir, loadIntervalMs: 3_600_000, filterRollupMinVisitors: 3 });
  afterThisTest(() => store.close());
  return store;
}

/** A store with 11 days of traffic, the 10 closed ones rolled up. */
async function rolledStore(): Promise<{ dir: string; store: DuckDbStore }> {
  const dir = await tempFolder('cairn-visit-events-');
  const store = await openStore(dir);
  await store.sites.create(site);
  const events = [...synthesize({ site: site.id, start: START, days: 11, visitorsPerDay: 40, seed: 11 })];
  // A visit from the last closed day into today (Paris: 23:50 on May 10, then 00:05 and 00:06):
  // its first step on a rolled day, the next ones in today's raw events.
  const visit = { ...events.find((e) => e.name === 'pageview')!, session: 777, visitor: 'e'.repeat(32), props: null };
  events.push(
    { ...visit, ts: Date.UTC(2026, 4, 10, 21, 50), pathname: '/' },
    { ...visit, ts: Date.UTC(2026, 4, 10, 22, 5), pathname: '/pricing' },
    { ...visit, ts: Date.UTC(2026, 4, 10, 22, 6), pathname: '/pricing', name: 'signup' },
  );
  await store.events.bulkInsert(events);
  for (const day of await store.rollups.pending(site, NOW)) await store.rollups.roll(site, day, NOW);
  return { dir, store };
}

/** Runs `fn` on the closed store's database file, then opens the store again. */
async function onTheFile<T>(dir: string, store: DuckDbStore, fn: (conn: DuckDBConnection) => Promise<T>): Promise<[T, DuckDbStore]> {
  await store.close();
  const instance = await DuckDBInstance.create(join(dir, 'cairn.duckdb'));
  const conn = await instance.connect();
  const result = await fn(conn);
  conn.closeSync();
  instance.closeSync();
  return [result, await openStore(dir)];
}

/** Runs SQL behind the store's back; the store opened again. */
const behindItsBack = async (dir: string, store: DuckDbStore, sql: string) => (await onTheFile(dir, store, (conn) => conn.run(sql)))[1];

/** A count read from the closed store's database file, and the store opened again. */
const countBehind = (dir: string, store: DuckDbStore, sql: string) => onTheFile(dir, store, async (conn) => Number((await conn.runAndReadAll(sql)).getRows()[0]![0]));

const q = (extra: Record<string, unknown>) => querySchema.parse({ period: 'custom', from: '2026-05-01', to: '2026-05-11', limit: 100, ...extra }) as Query;
/** What rollups cannot answer: several values, a word in a page, a prop, two filters, a visit's entry page with another. */
const QUERIES = [
  q({ filters: [{ dimension: 'page', op: 'contains', values: ['PRIC', 'blog'] }] }),
  q({ filters: [{ dimension: 'prop:plan', op: 'is', values: ['pro'] }] }),
  q({ filters: [{ dimension: 'country', op: 'is', values: ['US'] }, { dimension: 'device', op: 'is', values: ['mobile'] }] }),
  q({ filters: [{ dimension: 'entry_page', op: 'is', values: ['/'] }, { dimension: 'page', op: 'is_not', values: ['/'] }], interval: 'hour', period: 'custom', from: '2026-05-04', to: '2026-05-05' }),
  q({ filters: [{ dimension: 'source', op: 'matches', values: ['*o*'] }], compare: 'previous', from: '2026-05-06' }),
];
const STEPS = [
  { kind: 'page' as const, match: '/' },
  { kind: 'page' as const, match: '/pricing' },
  { kind: 'event' as const, match: 'signup' },
];

async function answers(store: DuckDbStore) {
  const service = new StatsService(store, () => NOW);
  return Promise.all([
    ...QUERIES.map((query) => service.dashboard(site, query, ['page', 'source', 'entry_page', 'country', 'prop:plan'])),
    service.funnel(site, STEPS, q({})),
    service.funnel(site, STEPS, q({ filters: [{ dimension: 'device', op: 'is', values: ['desktop'] }] })),
    service.vitals(site, q({})),
  ]);
}

describe('visit_events', () => {
  it('answer the rolled days of what rollups cannot answer, as raw events did', async () => {
    const { dir, store } = await rolledStore();
    // The raw answers: the days marked not kept, so raw events are read.
    const fromRaw = await behindItsBack(dir, store, 'UPDATE rollup_days SET visit_events = false');
    const want = await answers(fromRaw);
    expect(want.slice(0, QUERIES.length).every((d) => 'summary' in d && d.summary!.metrics.visits > 0)).toBe(true);
    expect(want[QUERIES.length]).toMatchObject({ visits: expect.any(Number) });
    const kept = await behindItsBack(dir, fromRaw, 'UPDATE rollup_days SET visit_events = true');
    expect(await answers(kept)).toEqual(want);
    // Raw events of the rolled days but the last go (up to the end of the site's May 9, 22:00
    // UTC; today's raw part rebuilds its visits from the day before it too): the answers stay.
    const rawGone = await behindItsBack(dir, kept, `DELETE FROM events WHERE ts < '2026-05-09 22:00:00'`);
    expect(await answers(rawGone)).toEqual(want);
  });

  it('go with their events: a GDPR deletion by prop at once, retention', async () => {
    const { dir, store } = await rolledStore();
    const copies = `SELECT count(*) FROM visit_events WHERE json_extract_string(props, '$.plan') = 'pro'`;
    const [n, reopened] = await countBehind(dir, store, copies);
    expect(n).toBeGreaterThan(0);
    expect(await reopened.events.deleteByProp(site.id, 'plan', 'pro')).toBeGreaterThan(0);
    // Not when the days concerned are rolled again: now.
    const [left, again] = await countBehind(dir, reopened, copies);
    expect(left).toBe(0);
    await again.events.deleteBefore(site.id, Date.UTC(2026, 4, 6));
    const [old] = await countBehind(dir, again, `SELECT count(*) FROM visit_events WHERE ts < '2026-05-06'`);
    expect(old).toBe(0);
  });
});

