/**
 * The embedded store on real files and a real DuckDB, beyond the Store contract every adapter
 * meets (contract.suite.ts, run on this store by duckdb.contract.test.ts): rows survive restarts
 * and crashes exactly once through the journal, salts leave the disk, purged sites leave every
 * table (schema upgrades: migrate.test.ts). A crash is simulated without a child process by
 * copying the data directory while the store is open: that is what SIGKILL leaves on disk (the
 * page cache survives the process).
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { randomBytes } from 'node:crypto';
import { cp, readdir, readFile, rm, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { afterThisTest, tempFolder } from '../../testing/after-each-test.ts';
import { withOneFreeThread } from '../../testing/one-free-thread.ts';
import { contractEvent } from '../contract.suite.ts';
import { StoreError, type StoredEvent } from '../store.ts';
import { openDuckDbStore, type DuckDbStore, type DuckDbStoreOptions } from './duckdb-store.ts';
import { readMeta } from './test-files.ts';

const SEGMENT_BYTES = 64 * 1024;
/** Loads only when a test settles or closes, unless it asks for the background loader. */
const NO_TIMER = 3_600_000;
const T0 = Date.UTC(2026, 0, 31, 23, 59, 59, 999);

const tempDir = () => tempFolder('cairn-store-');

async function openStore(dataDir: string, options: Partial<DuckDbStoreOptions> = {}): Promise<DuckDbStore> {
  const store = await openDuckDbStore({ dataDir, segmentBytes: SEGMENT_BYTES, loadIntervalMs: NO_TIMER, ...options });
  afterThisTest(() => store.close());
  return store;
}

/**
 * A copy of a store's data directory (or of `dir` in it) as it is on disk right now, as a crash
 * would leave it. It waits for the background spare file, whose rename would race the copy.
 */
async function crashImage(store: DuckDbStore, dir = store.dataDir): Promise<string> {
  await store.journal.spareSettled();
  const copy = join(await tempDir(), 'data');
  await cp(dir, copy, { recursive: true });
  return copy;
}

/** An ordinary pageview with every field set (the contract suite's). */
const event = contractEvent;

const clientIdsOf = (rows: readonly StoredEvent[]) => rows.map((r) => r.clientId);


describe('the engine', () => {
  it('runs DuckDB with the memory limit and threads it is given, and says so in its health', async () => {
    const store = await openStore(await tempDir(), { memoryLimit: '256MB', threads: 1 });
    // DuckDB writes its limit in binary units: 256 MB is 244.1 MiB.
    expect((await store.health()).engine).toEqual({ memoryLimit: '244.1 MiB', threads: 1 });
  });
});

describe('events', () => {
  it('keeps settled rows across close and reopen', async () => {
    const dataDir = await tempDir();
    const first = await openStore(dataDir);
    const rows = [event(1), event(2), event(3)];
    await first.events.append(rows);
    await first.events.settle();
    await first.close();
    const second = await openStore(dataDir);
    expect(await second.events.list('site-a')).toEqual(rows);
  });

  it('loads rows appended but not settled when closed', async () => {
    const dataDir = await tempDir();
    const first = await openStore(dataDir);
    const rows = [event(1), event(2)];
    await first.events.append(rows.slice(0, 1));
    await first.events.append(rows.slice(1));
    expect((await first.health()).pendingEvents).toBe(2);
    await first.close();
    const second = await openStore(dataDir);
    expect(await second.events.list('site-a')).toEqual(rows);
  });

  it('rejects appends after close', async () => {
    const store = await openStore(await tempDir());
    await store.close();
    await expect(store.events.append([event(1)])).rejects.toBeInstanceOf(StoreError);
  });

  it('loads many segments in order, losing and duplicating nothing', async () => {
    const dataDir = await tempDir();
    // The background loader runs between appends, as it does under traffic.
    const store = await openStore(dataDir, { loadIntervalMs: 5 });
    const rows = Array.from({ length: 1_500 }, (_, i) => event(i, { ts: T0, clientId: `c-${String(i).padStart(4, '0')}` }));
    for (let i = 0; i < rows.length; i += 10) await store.events.append(rows.slice(i, i + 10));
    await store.events.settle();
    // Same timestamp everywhere: list() orders by load order, which must be append order.
    const listed = await store.events.list('site-a');
    expect(listed).toHaveLength(rows.length);
    expect(clientIdsOf(listed)).toEqual(clientIdsOf(rows));
    await store.close();
    // 1,500 rows of ≈ 700 bytes fill several 64 KiB segments.
    const mark = (await readMeta(join(dataDir, 'cairn.duckdb'), 'journal_mark')) ?? '';
    expect(Number(mark.split(':')[0])).toBeGreaterThanOrEqual(10);
  });
});

describe('events after a crash', () => {
  it('loads rows acknowledged but not yet settled exactly once', async () => {
    const dataDir = await tempDir();
    const store = await openStore(dataDir);
    const settled = [event(1), event(2)];
    await store.events.append(settled);
    await store.events.settle();
    const acknowledged = [event(3), event(4), event(5)];
    await store.events.append(acknowledged.slice(0, 2));
    await store.events.append(acknowledged.slice(2));
    const image = await crashImage(store);
    const recovered = await openStore(image);
    expect(await recovered.events.list('site-a')).toEqual([...settled, ...acknowledged]);
    // And again: the first recovery must have recorded what it loaded.
    await recovered.close();
    const again = await openStore(image);
    expect(await again.events.list('site-a')).toEqual([...settled, ...acknowledged]);
  });

  it('loads nothing twice after a crash between a load and the recycling of its segment', async () => {
    const dataDir = await tempDir();
    const store = await openStore(dataDir);
    const rows = [event(1), event(2), event(3)];
    await store.events.append(rows.slice(0, 2));
    await store.events.settle();
    await store.events.append(rows.slice(2));
    // The journal still holding the segment, with a database that has already loaded it.
    const journalBefore = await crashImage(store, join(dataDir, 'journal'));
    await store.events.settle();
    const image = await crashImage(store);
    await rm(join(image, 'journal'), { recursive: true });
    await cp(journalBefore, join(image, 'journal'), { recursive: true });
    expect((await readdir(join(image, 'journal'))).filter((n) => /^\d+\.ndjson$/.test(n))).not.toEqual([]);
    const recovered = await openStore(image);
    expect(await recovered.events.list('site-a')).toEqual(rows);
  });

  // A segment sealed because it filled up must be loaded before the next one, even when the next
  // one's fdatasync ends first; otherwise the mark jumps past it and a crash loses it.
  it('never loses acknowledged rows when a full segment and the next one finish syncing out of order', async () => {
    const dataDir = await tempDir();
    const store = await openStore(dataDir);
    await store.journal.spareSettled();
    const small = [event(1), event(2), event(3)];
    const big = event(4, { props: JSON.stringify({ blob: 'x'.repeat(SEGMENT_BYTES - 2_000) }) });
    await withOneFreeThread(async () => {
      // Three appends in segment 1 need two rounds of fdatasync; the big row rolls over to segment 2.
      const acks = [...small.map((r) => store.events.append([r])), store.events.append([big])];
      await store.events.settle();
      await Promise.all(acks);
    });
    const image = await crashImage(store);
    const recovered = await openStore(image);
    expect(clientIdsOf(await recovered.events.list('site-a'))).toEqual(clientIdsOf([...small, big]));
  });
});

describe('events on a failing disk', () => {
  it('rejects an append the disk refuses with a StoreError and keeps every other row', async () => {
    const dataDir = await tempDir();
    const store = await openStore(dataDir);
    await store.events.append([event(1)]);
    await store.events.settle();
    expect(await store.journal.spareSettled()).toBe(true);
    await rm(store.journal.sparePath);
    await symlink('/dev/full', store.journal.sparePath);
    // The next segment is made from the spare.
    await store.journal.rotate();
    const failed = await store.events.append([event(2)]).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(StoreError);
    expect((failed as StoreError).operation).toBe('events.append');
    await store.events.append([event(3)]);
    await store.events.settle();
    expect(clientIdsOf(await store.events.list('site-a'))).toEqual(['c-1', 'c-3']);
    await store.close();
    const reopened = await openStore(dataDir);
    expect(clientIdsOf(await reopened.events.list('site-a'))).toEqual(['c-1', 'c-3']);
  });
});

describe('events the loader cannot read', () => {
  // The wire schema keeps such rows out (w ≤ 65 535, no lone surrogates); if one gets through
  // anyway, it is set aside in rejected/ and everything else loads.
  it.each([
    ['a screen width above 65 535', { screenWidth: 70_000 }],
    ['text holding a lone surrogate', { clientId: 'id-\ud800' }],
  ])('sets aside a row with %s, reports it, and loads the rest', async (_name, bad) => {
    const dataDir = await tempDir();
    const rejected: [number, string][] = [];
    const store = await openStore(dataDir, { onRejected: (lines, file) => rejected.push([lines, file]) });
    await store.events.append([event(1), event(2, bad as Partial<StoredEvent>), event(3)]);
    await store.events.append([event(4)]);
    await store.events.settle();
    expect(clientIdsOf(await store.events.list('site-a'))).toEqual(['c-1', 'c-3', 'c-4']);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]![0]).toBe(1);
    const kept = (await readFile(rejected[0]![1], 'utf8')).trim().split('\n');
    expect(kept).toHaveLength(1);
    expect(kept[0]).toContain('"pathname":"/posts/2"');
  });

  it('loads several segments together, and when one holds a refused row sets aside that row only', async () => {
    const dataDir = await tempDir();
    const rejected: number[] = [];
    const store = await openStore(dataDir, { onRejected: (lines) => rejected.push(lines) });
    // ≈ 500 B a row and 64 KiB segments: the rows span several segments, loaded by one settle().
    const ids = Array.from({ length: 400 }, (_, i) => i + 1);
    for (let i = 0; i < ids.length; i += 20) await store.events.append(ids.slice(i, i + 20).map((n) => event(n, n === 250 ? { screenWidth: 70_000 } : {})));
    expect((await readdir(join(dataDir, 'journal'))).filter((f) => f.endsWith('.ndjson') && f !== 'spare.ndjson').length).toBeGreaterThan(2);
    await store.events.settle();
    const want = ids.filter((n) => n !== 250).map((n) => `c-${n}`);
    expect(clientIdsOf(await store.events.list('site-a'))).toEqual(want);
    expect(rejected).toEqual([1]);
    await store.close();
    const reopened = await openStore(dataDir);
    expect(clientIdsOf(await reopened.events.list('site-a'))).toEqual(want);
  });

  it('opens a data directory whose journal holds an unloadable row', async () => {
    const dataDir = await tempDir();
    const store = await openStore(dataDir);
    await store.events.append([event(1, { screenWidth: 70_000 }), event(2)]);
    await store.close();
    const reopened = await openStore(dataDir);
    expect(clientIdsOf(await reopened.events.list('site-a'))).toEqual(['c-2']);
    expect(await readdir(join(dataDir, 'rejected'))).toHaveLength(1);
  });
});

describe('rolled-up days made dirty by loaded events', () => {
  // New York: local midnight is 05:00 UTC in winter.
  const site = { id: 'site-a', name: 'Shop', domains: ['example.com'], allowSubdomains: false, queryKeys: [], timezone: 'America/New_York', createdAt: Date.UTC(2026, 0, 1) };
  const local = (day: number, h: number, m: number) => Date.UTC(2026, 0, day, h + 5, m);
  const now = local(25, 12, 0);

  /** A store whose January 10–24 are rolled up (one visit a day) and clean. */
  async function rolledStore(): Promise<DuckDbStore> {
    const store = await openStore(await tempDir());
    await store.sites.create(site);
    const rows = [];
    for (let day = 10; day <= 24; day++) rows.push(event(day, { ts: local(day, 12, 0), session: day }));
    // Visit 99 starts at 23:00 on the 24th, the last rolled day, and goes on past midnight.
    for (const [i, [day, h, m]] of [[24, 23, 0], [24, 23, 20], [24, 23, 40], [25, 0, 0], [25, 0, 20]].entries()) {
      rows.push(event(990 + i, { ts: local(day!, h!, m!), session: 99, visitor: event(99).visitor }));
    }
    await store.events.append(rows);
    await store.events.settle();
    for (const day of await store.rollups.pending(site, now)) await store.rollups.roll(site, day, now);
    expect(await store.rollups.pending(site, now)).toEqual([]);
    return store;
  }

  it('marks the day an event happened on, in the site\'s time zone', async () => {
    const store = await rolledStore();
    // 23:59 on the 17th in New York is 04:59 UTC on the 18th.
    await store.events.append([event(1, { ts: local(17, 23, 59), session: 5000 }), event(2, { ts: local(21, 0, 0), session: 5001 })]);
    await store.events.settle();
    expect(await store.rollups.pending(site, now)).toEqual(['2026-01-17', '2026-01-21']);
  });

  it('marks the day a visit started on when the visit goes on past midnight', async () => {
    const store = await rolledStore();
    // Another event of visit 99, today, more than an hour after it started: the 24th's numbers for
    // that visit change (its duration).
    await store.events.append([event(101, { ts: local(25, 0, 50), session: 99, visitor: event(99).visitor, name: 'engagement' })]);
    await store.events.settle();
    expect(await store.rollups.pending(site, now)).toEqual(['2026-01-24']);
  });

  it('marks no earlier day for an event of a visit that started on its own day', async () => {
    const store = await rolledStore();
    await store.events.append([event(102, { ts: local(24, 12, 30), session: 24, visitor: event(24).visitor })]);
    await store.events.settle();
    expect(await store.rollups.pending(site, now)).toEqual(['2026-01-24']);
    // Today's events change no rolled day (today is never rolled).
    await store.events.append([event(103, { ts: local(25, 9, 0), session: 7000 })]);
    await store.events.settle();
    expect(await store.rollups.pending(site, now)).toEqual(['2026-01-24']);
  });
});

describe('sites', () => {
  it('purges a site from every table with a site column, events still journaled included', async () => {
    const dataDir = await tempDir();
    const store = await openStore(dataDir);
    const site = { id: 'site-a', name: 'Shop', domains: ['example.com'], allowSubdomains: true, queryKeys: [], timezone: 'UTC', createdAt: T0 };
    await store.sites.create(site);
    await store.events.append([event(1), event(2)]);
    await store.events.settle();
    const now = T0 + 2 * 86_400_000;
    for (const day of await store.rollups.pending(site, now)) await store.rollups.roll(site, day, now);
    await store.events.append([event(3)]);
    await store.goals.create('site-a', { id: 'g', name: 'Signup', kind: 'event', match: 'signup' });
    await store.keys.create({ id: 'k_1', site: 'site-a', name: 'WordPress', hash: 'ab'.repeat(32), last4: 'abcd', createdAt: T0, revokedAt: null });
    await store.dropCounts.add([{ site: 'site-a', day: '2026-02-01', reason: 'ua', count: 1 }]);
    expect(await store.sites.purge('site-a')).toBe(true);
    await store.close();

    // Every table naming a site, so that one added later and forgotten by the purge fails here.
    const instance = await DuckDBInstance.create(join(dataDir, 'cairn.duckdb'));
    try {
      const conn = await instance.connect();
      const tables = (await conn.runAndReadAll(`SELECT table_name FROM information_schema.columns WHERE column_name = 'site'`)).getRows().map((r) => String(r[0]));
      expect(tables.sort()).toEqual(['drop_counts', 'events', 'filter_rollups', 'goals', 'rollup_days', 'rollups', 'site_keys', 'visit_events']);
      for (const table of tables) expect((await conn.runAndReadAll(`SELECT * FROM ${table} WHERE site = 'site-a'`)).getRows(), table).toEqual([]);
      expect((await conn.runAndReadAll(`SELECT * FROM sites`)).getRows()).toEqual([]);
      conn.closeSync();
    } finally {
      instance.closeSync();
    }
  });
});

describe('salts', () => {
  it('destroys older days so that their bytes leave the data directory', async () => {
    const dataDir = await tempDir();
    const store = await openStore(dataDir);
    const old = [randomBytes(32), randomBytes(32)];
    const kept = randomBytes(32);
    await store.salts.ensure('2026-03-09', old[1]!);
    await store.salts.ensure('2026-03-08', old[0]!);
    await store.salts.ensure('2026-03-10', kept);
    expect(await store.salts.days()).toEqual(['2026-03-08', '2026-03-09', '2026-03-10']);
    expect(await store.salts.destroyBefore('2026-03-10')).toBe(2);
    expect(await store.salts.destroyBefore('2026-03-10')).toBe(0);
    expect(await store.salts.days()).toEqual(['2026-03-10']);
    await store.close();

    const files = await filesUnder(dataDir);
    const found = (salt: Buffer) =>
      [salt, Buffer.from(salt.toString('base64')), Buffer.from(salt.toString('base64url')), Buffer.from(salt.toString('hex'))].some(
        (needle) => files.some((bytes) => bytes.includes(needle)),
      );
    // The kept salt is found, so the search would find the others if they were still there.
    expect(found(kept)).toBe(true);
    expect(found(old[0]!)).toBe(false);
    expect(found(old[1]!)).toBe(false);
  });
});

/** The bytes of every file under `dir`. */
async function filesUnder(dir: string): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const name of await readdir(dir, { recursive: true })) {
    const path = join(dir, name);
    if ((await stat(path)).isFile()) out.push(await readFile(path));
  }
  return out;
}
