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
import { SCHEMA_VERSION } from './queries.ts';

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

  it('rolls a day under a lease: not while another collector holds it, and keeps one version of it', async () => {
    const executor = new MingoExecutor();
    const store = await openMongoStore({ executor, location: 'mingo' });
    const site: Site = { id: 's', domains: ['example.com'], allowSubdomains: true, queryKeys: [], timezone: 'UTC', keyHash: 'x', createdAt: 0 };
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
