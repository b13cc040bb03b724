/**
 * Two collectors on one MongoDB database (through mingo): events sent to either are counted
 * once, each answers the same stats, and their rollup jobs roll each day once.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../testing/harness.ts';
import { referenceStats } from '../../testing/stats-reference.ts';
import { rangeOf } from '../../time.ts';
import { MingoExecutor } from './mingo-executor.ts';
import { openMongoStore } from './mongodb-store.ts';

const NOW = Date.UTC(2026, 10, 23, 12);
const db = new MingoExecutor();
const onDb = () => openMongoStore({ executor: db.reconnect(), location: 'mingo' });
let a: Harness;
let b: Harness;
beforeAll(async () => {
  a = await startHarness({ now: () => NOW, openStore: onDb });
  b = await startHarness({ now: () => NOW, openStore: onDb });
  // The site was added through a; b learns of it at its next upkeep (every minute).
  await b.collector.runMaintenance();
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
});

it('counts events sent to either collector once, and both answer the same', async () => {
  const visits = 12;
  for (let i = 0; i < visits; i++) {
    const h = i % 2 ? a : b;
    const ip = `203.0.113.${i + 1}`;
    expect((await h.post({ s: a.siteId, n: 'pageview', u: `https://example.com/p/${i % 3}`, id: `pv-${i}` }, { 'x-forwarded-for': ip })).status).toBe(202);
    expect((await h.post({ s: a.siteId, n: 'signup', u: `https://example.com/p/${i % 3}`, id: `su-${i}` }, { 'x-forwarded-for': ip })).status).toBe(202);
  }
  const stored = await a.stored(a.siteId);
  expect(stored.filter((e) => e.name === 'pageview')).toHaveLength(visits);

  const get = async (h: Harness, path: string) =>
    (await fetch(`${h.collector.url}/api/stats/${a.siteId}/${path}`, { headers: { authorization: `Bearer ${a.siteKey}` } })).json() as Promise<Record<string, unknown>>;
  const fromA = await get(a, 'dashboard?period=day&date=2026-11-23');
  expect(await get(b, 'dashboard?period=day&date=2026-11-23')).toEqual(fromA);
  const spec = { site: a.siteId, ...rangeOf('2026-11-23', '2026-11-23', 'UTC'), filters: [], group: { by: 'none' as const } };
  const [want] = referenceStats(stored, spec);
  expect((fromA.summary as { metrics: { visitors: number; pageviews: number } }).metrics).toMatchObject({ visitors: want!.visitors, pageviews: want!.pageviews });
});

it('rolls each closed day once when both collectors run their rollup jobs', async () => {
  const [pv] = await a.stored(a.siteId);
  // Yesterday's events (a server SDK may send them late), now closed for rollups.
  await a.collector.store.events.append([{ ...pv!, ts: NOW - 86_400_000, clientId: null }]);
  await Promise.all([a.collector.runMaintenance(), b.collector.runMaintenance()]);
  const site = a.collector.sites.get(a.siteId)!;
  expect(await a.collector.store.rollups.pending(site, NOW)).toEqual([]);
  const versions = await db.aggregate('rollups', [{ $match: { site: a.siteId } }, { $group: { _id: { day: '$day', v: '$v' } } }]);
  expect(versions.map((v) => (v._id as { day: string }).day).sort()).toEqual(['2026-11-22']);
});
