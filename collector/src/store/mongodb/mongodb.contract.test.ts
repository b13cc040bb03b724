/**
 * The Store contract on the MongoDB adapter: every document it builds runs through mingo (an
 * in-process MongoDB query engine), and, when MONGODB_URL names a server, through the official
 * driver against it. Without MONGODB_URL the real-server run is skipped, and says why.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeStoreContract } from '../contract.suite.ts';
import { synthesize } from '../../seed/synthetic.ts';
import { StoreError, type Site, type Store } from '../store.ts';
import { DriverExecutor } from './driver.ts';
import { MingoExecutor } from './mingo-executor.ts';
import { openMongoStore } from './mongodb-store.ts';
import { C, SCHEMA_VERSION } from './queries.ts';

const executors = new WeakMap<Store, MingoExecutor>();
const openOn = async (executor: MingoExecutor) => {
  const store = await openMongoStore({ executor, location: 'mingo (in-process)' });
  executors.set(store, executor);
  return store;
};

describeStoreContract('mongodb through mingo', {
  open: () => openOn(new MingoExecutor()),
  reopen: async (store) => {
    const executor = executors.get(store)!;
    await store.close();
    return openOn(executor.reconnect());
  },
});

const url = process.env.MONGODB_URL;
if (url) {
  /** Each store gets its own database on the server, dropped by nobody: name them clearly. */
  const dbUrl = () => url.replace(/^(mongodb(?:\+srv)?:\/\/[^/?]*)(\/[^?]*)?/, `$1/cairn-contract-${randomBytes(4).toString('hex')}`);
  const urls = new WeakMap<Store, string>();
  const openAt = async (u: string) => {
    const store = await openMongoStore({ executor: await DriverExecutor.connect(u), location: 'MONGODB_URL' });
    urls.set(store, u);
    return store;
  };
  describeStoreContract('mongodb on MONGODB_URL', {
    open: () => openAt(dbUrl()),
    reopen: async (store) => {
      await store.close();
      return openAt(urls.get(store)!);
    },
  });
} else {
  describe('mongodb on a real server', () => {
    it.skip('skipped: MONGODB_URL is not set (no mongod on this machine); the same suite ran through mingo above', () => {});
  });
}

describe('mongodb adapter', () => {
  it('refuses a database written by a newer Cairn, and names both versions', async () => {
    const executor = new MingoExecutor();
    await (await openMongoStore({ executor, location: 'mingo' })).close();
    const next = executor.reconnect();
    await next.updateOne('meta', { _id: 'schema' }, { $set: { version: SCHEMA_VERSION + 1 } });
    const err = await openMongoStore({ executor: next.reconnect(), location: 'mingo' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).message).toContain(`newer Cairn (schema ${SCHEMA_VERSION + 1}, this one knows ${SCHEMA_VERSION})`);
  });

  it('creates its indexes idempotently', async () => {
    const executor = new MingoExecutor();
    await (await openMongoStore({ executor, location: 'mingo' })).close();
    await expect(openMongoStore({ executor: executor.reconnect(), location: 'mingo' })).resolves.toBeDefined();
  });

  it('keeps one salt per day when several collectors ask for a new day at once', async () => {
    const executor = new MingoExecutor();
    const stores = await Promise.all([0, 1, 2].map(() => openMongoStore({ executor: executor.reconnect(), location: 'mingo' })));
    const salts = await Promise.all(stores.map((s) => s.salts.ensure('2026-11-23', randomBytes(32))));
    expect(new Set(salts.map((s) => Buffer.from(s).toString('hex'))).size).toBe(1);
  });

  it('keeps one value per meta name when several collectors ask for it at once', async () => {
    const executor = new MingoExecutor();
    const stores = await Promise.all([0, 1, 2].map(() => openMongoStore({ executor: executor.reconnect(), location: 'mingo' })));
    const values = await Promise.all(stores.map((s, i) => s.meta.ensure('token_secret', `candidate ${i}`)));
    expect(new Set(values).size).toBe(1);
    expect(await stores[2]!.meta.ensure('token_secret', 'late')).toBe(values[0]);
  });

  it('upgrades a layout 1 database: a site\'s keyHash becomes a key, sites get a name, with two collectors at once', async () => {
    const executor = new MingoExecutor();
    await (await openMongoStore({ executor, location: 'mingo' })).close();
    const old = executor.reconnect();
    await old.updateOne('meta', { _id: 'schema' }, { $set: { version: 1 } });
    const hash = 'ab'.repeat(32);
    const layout1 = (id: string, keyHash: string, domains: string[], createdAt: number) =>
      ({ _id: id, domains, allowSubdomains: true, queryKeys: [], timezone: 'UTC', keyHash, createdAt: new Date(createdAt), retentionMonths: 25, synthetic: false });
    await old.insertMany('sites', [layout1('s1', hash, ['example.com', 'example.org'], 1_000), layout1('s2', '', [], 2_000)]);
    const [store] = await Promise.all([0, 1].map(() => openMongoStore({ executor: old.reconnect(), location: 'mingo' })));
    const [key] = await store!.keys.list('s1');
    expect(key).toEqual({ id: expect.stringMatching(/^k_[\w-]{12}$/), site: 's1', name: 'Site key', hash, last4: '', createdAt: 1_000, revokedAt: null });
    expect(await store!.keys.list('s1')).toHaveLength(1);
    expect(await store!.keys.list('s2')).toEqual([]);
    expect((await store!.sites.list()).map((s) => [s.id, s.name, s.deletedAt])).toEqual([
      ['s1', 'example.com', null],
      ['s2', 's2', null],
    ]);
    expect(await old.find('sites', { keyHash: { $exists: true } })).toEqual([]);
    expect((await old.find('meta', { _id: 'schema' }))[0]!.version).toBe(SCHEMA_VERSION);
    const again = await openMongoStore({ executor: old.reconnect(), location: 'mingo' });
    expect(await again.keys.list('s1')).toEqual([key]);
  });

  it('upgrades a layout 2 database: bot counts become drop counts, once, with two collectors at once', async () => {
    const executor = new MingoExecutor();
    await (await openMongoStore({ executor, location: 'mingo' })).close();
    const old = executor.reconnect();
    await old.updateOne('meta', { _id: 'schema' }, { $set: { version: 2 } });
    await old.insertMany('bot_counts', [
      { _id: { site: 's1', day: '2026-03-10', reason: 'headless' }, count: 3 },
      { _id: { site: 's1', day: '2026-03-11', reason: 'bot' }, count: 1 },
    ]);
    const [store] = await Promise.all([0, 1].map(() => openMongoStore({ executor: old.reconnect(), location: 'mingo' })));
    const moved = [
      { site: 's1', day: '2026-03-10', reason: 'headless', count: 3 },
      { site: 's1', day: '2026-03-11', reason: 'bot', count: 1 },
    ];
    expect(await store!.dropCounts.list('s1')).toEqual(moved);
    expect(await old.find('bot_counts', {})).toEqual([]);
    expect((await old.find('meta', { _id: 'schema' }))[0]!.version).toBe(SCHEMA_VERSION);
    const again = await openMongoStore({ executor: old.reconnect(), location: 'mingo' });
    expect(await again.dropCounts.list('s1')).toEqual(moved);
  });

  it('purges a site from every collection, a rollup lease included', async () => {
    const executor = new MingoExecutor();
    const store = await openMongoStore({ executor, location: 'mingo' });
    const site: Site = { id: 's.*', name: 'Shop', domains: ['example.com'], allowSubdomains: true, queryKeys: [], timezone: 'UTC', createdAt: 0 };
    await store.sites.create(site);
    await store.sites.create({ ...site, id: 's' });
    const rows = [...synthesize({ site: site.id, start: Date.UTC(2026, 10, 20), days: 2, visitorsPerDay: 5, seed: 3 })];
    await store.events.append([...rows, ...rows.map((e) => ({ ...e, site: 's' }))]);
    const now = Date.UTC(2026, 10, 23, 12);
    for (const day of await store.rollups.pending(site, now)) await store.rollups.roll(site, day, now);
    await store.goals.create(site.id, { id: 'g', name: 'Signup', kind: 'event', match: 'signup' });
    await store.keys.create({ id: 'k_1', site: site.id, name: 'WordPress', hash: 'ab'.repeat(32), last4: 'abcd', createdAt: 0, revokedAt: null });
    await store.dropCounts.add([{ site: site.id, day: '2026-11-20', reason: 'ua', count: 1 }]);
    // Leases of a site whose id reads as a pattern, and of the site it would match.
    await executor.insertMany('leases', [{ _id: `rollup:${site.id}:2026-11-22`, owner: 'x' }, { _id: 'rollup:s:2026-11-22', owner: 'x' }, { _id: 'rollup:sXX:2026-11-22', owner: 'x' }]);
    expect(await store.sites.purge(site.id)).toBe(true);
    const of = { $or: [{ _id: site.id }, { site: site.id }, { '_id.site': site.id }, { _id: `rollup:${site.id}:2026-11-22` }] };
    for (const collection of Object.values(C)) expect(await executor.find(collection, of), collection).toEqual([]);
    expect((await executor.find('leases', {})).map((l) => l._id)).toEqual(['rollup:s:2026-11-22', 'rollup:sXX:2026-11-22']);
    expect(await store.events.list('s')).toHaveLength(rows.length);
  });

  it('rolls a day under a lease: not while another collector holds it, and keeps one version of it', async () => {
    const executor = new MingoExecutor();
    const store = await openMongoStore({ executor, location: 'mingo' });
    const site: Site = { id: 's', name: 'example.com', domains: ['example.com'], allowSubdomains: true, queryKeys: [], timezone: 'UTC', createdAt: 0 };
    await store.sites.create(site);
    await store.events.append([...synthesize({ site: 's', start: Date.UTC(2026, 10, 20), days: 2, visitorsPerDay: 10, seed: 3 })]);
    const now = Date.UTC(2026, 10, 23, 12);
    const lease = { _id: 'rollup:s:2026-11-20', owner: 'another collector' };
    await executor.insertMany('leases', [{ ...lease, expiresAt: new Date(now + 60_000) }]);
    await store.rollups.roll(site, '2026-11-20', now);
    expect(await store.rollups.pending(site, now)).toEqual(['2026-11-20', '2026-11-21', '2026-11-22']);
    // Its lease expired (that collector died): this one takes over.
    await store.rollups.roll(site, '2026-11-20', now + 120_000);
    await store.rollups.roll(site, '2026-11-20', now + 180_000);
    expect(await store.rollups.pending(site, now)).toEqual(['2026-11-21', '2026-11-22']);
    const versions = await executor.aggregate('rollups', [{ $match: { day: '2026-11-20' } }, { $group: { _id: '$v' } }]);
    expect(versions).toHaveLength(1);
    expect(await executor.find('leases', { owner: { $ne: 'another collector' } })).toEqual([]);
  });

  it('exports in chunks that resume after the last event, ties in the same millisecond included', async () => {
    const store = await openMongoStore({ executor: new MingoExecutor(), location: 'mingo', exportChunk: 7 });
    const rows = [...synthesize({ site: 's', start: Date.UTC(2026, 10, 20), days: 1, visitorsPerDay: 5, seed: 4 })];
    // Ten events in one millisecond: chunks of 7 end inside them.
    const tied = rows.slice(0, 10).map((e, i) => ({ ...e, ts: rows[0]!.ts, clientId: `tie-${i}` }));
    await store.events.append([...tied, ...rows.slice(10)]);
    const chunks: number[] = [];
    const out: string[] = [];
    for await (const chunk of store.stats.exportEvents('s', 0, Date.UTC(2027, 0, 1))) {
      chunks.push(chunk.length);
      out.push(...chunk.map((e) => JSON.stringify(e)));
    }
    expect(chunks.every((n) => n <= 7)).toBe(true);
    expect(chunks.length).toBeGreaterThan(3);
    expect(out).toEqual((await store.events.list('s')).map((e) => JSON.stringify(e)));
  });
});
