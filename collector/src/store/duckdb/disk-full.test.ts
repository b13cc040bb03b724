/**
 * The embedded store on a disk that fills up: appends are refused before the disk can no longer
 * take the loads they need, and a database DuckDB invalidated on a failed checkpoint is opened
 * again in place, with every acknowledged event loaded exactly once. The first part reads a
 * fake free-space figure; the second fills a real filesystem (a small tmpfs, which needs root).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { afterThisTest, tempFolder } from '../../testing/after-each-test.ts';
import { contractEvent } from '../contract.suite.ts';
import { StoreError, type StoredEvent } from '../store.ts';
import { mountSmallDisk, smallDiskProblem } from '../../testing/small-disk.ts';
import { openDuckDbStore, type DiskState, type DuckDbStore, type DuckDbStoreOptions } from './duckdb-store.ts';

const MiB = 2 ** 20;
const NO_TIMER = 3_600_000;


async function openStore(dataDir: string, options: Partial<DuckDbStoreOptions> = {}): Promise<DuckDbStore> {
  const store = await openDuckDbStore({ dataDir, loadIntervalMs: NO_TIMER, ...options });
  afterThisTest(() => store.close());
  return store;
}

const rows = (from: number, n: number, pad = 0): StoredEvent[] =>
  Array.from({ length: n }, (_, i) => contractEvent(from + i, { clientId: `e${from + i}`, ...(pad ? { props: JSON.stringify({ pad: 'x'.repeat(pad) }) } : {}) }));

describe('admission on free disk space', () => {
  async function fakeDisk(options: Partial<DuckDbStoreOptions> = {}) {
    const dir = await tempFolder('cairn-admission-');
    const disk = { free: 1000 * MiB };
    const states: DiskState[] = [];
    const store = await openStore(dir, {
      minFreeBytes: 64 * MiB,
      statfs: async () => ({ bavail: disk.free / 4096, bsize: 4096 }),
      onDiskSpace: (s) => states.push(s),
      ...options,
    });
    return { store, disk, states };
  }

  it('refuses appends while free space is below the reserve plus twice the journal, and takes them once space returns', async () => {
    const { store, disk, states } = await fakeDisk();
    await store.events.append(rows(0, 100));
    const pending = store.journal.pendingBytes;
    expect(pending).toBeGreaterThan(0);

    // Just enough: the reserve and twice what waits.
    disk.free = 64 * MiB + 2 * pending;
    expect((await store.diskSpace()).low).toBe(false);
    // A byte less: refused before anything is written, with a code the ingest path knows.
    disk.free -= 1;
    expect(await store.diskSpace()).toEqual({ low: true, free: disk.free, needed: 64 * MiB + 2 * pending });
    const refused = await store.events.append(rows(100, 1)).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(StoreError);
    expect(refused).toMatchObject({ code: 'no_space' });
    expect(store.journal.pendingBytes).toBe(pending);
    expect(await store.health()).toMatchObject({ ok: false, accepting: false, reason: 'disk_full', pendingEvents: 100 });

    // Back at the line is not enough (no flapping): a quarter of the reserve more is.
    disk.free = 64 * MiB + 2 * pending;
    expect((await store.diskSpace()).low).toBe(true);
    disk.free = 64 * MiB + 2 * pending + 16 * MiB;
    expect((await store.diskSpace()).low).toBe(false);
    await store.events.append(rows(100, 1));
    expect(states.map((s) => s.low)).toEqual([true, false]);
    expect(await store.health()).toMatchObject({ ok: true, accepting: true, pendingEvents: 101 });
  });

  it('needs less once the journal is loaded', async () => {
    const { store, disk } = await fakeDisk();
    // More than a quarter of the reserve waits, so that loading it is what frees the way.
    await store.events.append(rows(0, 8000, 2200));
    expect(store.journal.pendingBytes).toBeGreaterThan(16 * MiB);
    disk.free = 64 * MiB + store.journal.pendingBytes;
    expect((await store.diskSpace()).low).toBe(true);
    await store.settle();
    expect(store.journal.pendingBytes).toBe(0);
    expect(await store.diskSpace()).toMatchObject({ low: false, needed: 64 * MiB });
    expect((await store.health()).pendingEvents).toBe(0);
  });
});

const problem = smallDiskProblem();
if (problem && process.env.CI) throw new Error(`disk-full tests cannot run in CI: ${problem}`);

describe.skipIf(problem !== null)(`a real disk that fills up${problem ? ` (SKIPPED: ${problem})` : ''}`, () => {
  it('opens a database DuckDB invalidated on a failed checkpoint again, and loads every event exactly once', async () => {
    const disk = await mountSmallDisk(160);
    afterThisTest(() => disk.unmount());
    const loadErrors: string[] = [];
    // No reserve: this test wants DuckDB itself to meet the full disk.
    const store = await openStore(join(disk.dir, 'data'), { minFreeBytes: 0, onLoadError: (err) => loadErrors.push(err.message) });
    // Less than a row group (122,880 rows: those skip the write-ahead log) and more than
    // DuckDB's 16 MiB checkpoint threshold, so that the commit that succeeds checkpoints.
    const n = 60_000;
    for (let i = 0; i < n; i += 5000) await store.events.append(rows(i, 5000, 200));
    expect(store.journal.pendingBytes).toBeGreaterThan(24 * MiB);

    // Full, then a little room at a time: each load fails until its log fits, and then the disk
    // has less room than the checkpoint after it needs.
    await disk.fill(0);
    let invalidated = false;
    for (let step = 0; step < 200 && !invalidated; step++) {
      await disk.drain(256 * 1024);
      const err = await store.settle().then(
        () => null,
        (e: unknown) => e as Error,
      );
      if (!err) break;
      invalidated = /FATAL|invalidated/.test(err.message);
    }
    expect(invalidated, `DuckDB should have failed a checkpoint; load errors: ${loadErrors.slice(-3).join(' | ')}`).toBe(true);
    // The root cause is what health names; the store's own words are in the detail.
    expect(await store.health()).toMatchObject({ ok: false, accepting: false, reason: 'disk_full', detail: expect.stringMatching(/checkpoint|invalidated/) });

    // Space returns: the next load opens the database again by itself, without a restart.
    await disk.drain();
    await store.settle();
    expect(await store.health()).toMatchObject({ ok: true, pendingEvents: 0 });
    const stored = await store.events.list('site-a');
    const ids = new Set(stored.map((r) => r.clientId));
    expect(stored.length).toBe(n);
    expect(ids.size).toBe(n);
    // And it goes on taking and loading events.
    await store.events.append(rows(n, 10));
    await store.settle();
    expect((await store.events.list('site-a')).length).toBe(n + 10);
  });
});
