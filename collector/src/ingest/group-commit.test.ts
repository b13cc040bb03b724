import { setImmediate as nextTick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../store/store.ts';
import { GroupCommit } from './group-commit.ts';

const row = (name: string) => ({ name }) as StoredEvent;
const rows = (...names: string[]) => names.map(row);

/** A store append that records each group and settles when the test says so. */
function recordingStore() {
  const groups: string[][] = [];
  const pending: { resolve: () => void; reject: (err: Error) => void }[] = [];
  const append = (group: readonly StoredEvent[]) => {
    groups.push(group.map((r) => r.name));
    return new Promise<void>((resolve, reject) => pending.push({ resolve, reject }));
  };
  return { append, groups, pending };
}

/** Whether a promise has settled by the next turn of the event loop. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  await nextTick();
  return done;
}

describe('GroupCommit', () => {
  it('appends the rows of writes made in the same tick together, in order', async () => {
    const store = recordingStore();
    const gc = new GroupCommit(store.append, { maxRows: 100 });
    const a = gc.write(rows('a'));
    const b = gc.write(rows('b', 'c'));
    expect(store.groups).toEqual([]);
    await nextTick();
    expect(store.groups).toEqual([['a', 'b', 'c']]);
    expect(await settled(a)).toBe(false);
    store.pending[0]!.resolve();
    await expect(Promise.all([a, b])).resolves.toEqual([undefined, undefined]);
  });

  it('starts a new group on a later tick', async () => {
    const store = recordingStore();
    const gc = new GroupCommit(store.append, { maxRows: 100 });
    void gc.write(rows('a'));
    await nextTick();
    void gc.write(rows('b'));
    await nextTick();
    expect(store.groups).toEqual([['a'], ['b']]);
  });

  it('appends a full group at once, without waiting for the tick', () => {
    const store = recordingStore();
    const gc = new GroupCommit(store.append, { maxRows: 3 });
    void gc.write(rows('a', 'b'));
    void gc.write(rows('c'));
    void gc.write(rows('d'));
    expect(store.groups).toEqual([['a', 'b', 'c']]);
  });

  it('lets the write that crosses maxRows join the group it fills', () => {
    const store = recordingStore();
    const gc = new GroupCommit(store.append, { maxRows: 3 });
    void gc.write(rows('a', 'b'));
    void gc.write(rows('c', 'd'));
    expect(store.groups).toEqual([['a', 'b', 'c', 'd']]);
  });

  it('rejects exactly the writers of a failed group', async () => {
    const store = recordingStore();
    const gc = new GroupCommit(store.append, { maxRows: 100 });
    const a = gc.write(rows('a'));
    const b = gc.write(rows('b'));
    await nextTick();
    const c = gc.write(rows('c'));
    await nextTick();
    expect(store.groups).toEqual([['a', 'b'], ['c']]);
    const err = new Error('disk full');
    store.pending[0]!.reject(err);
    store.pending[1]!.resolve();
    await expect(a).rejects.toBe(err);
    await expect(b).rejects.toBe(err);
    await expect(c).resolves.toBeUndefined();
  });

  it('drain flushes queued writes and waits for every append in flight, failed or not', async () => {
    const store = recordingStore();
    const gc = new GroupCommit(store.append, { maxRows: 100 });
    const a = gc.write(rows('a')).catch((err: unknown) => err);
    await nextTick();
    void gc.write(rows('b'));
    const drained = gc.drain();
    expect(store.groups).toEqual([['a'], ['b']]);
    store.pending[1]!.resolve();
    expect(await settled(drained)).toBe(false);
    store.pending[0]!.reject(new Error('disk full'));
    expect(await settled(drained)).toBe(true);
    expect(await a).toEqual(new Error('disk full'));
  });

  it('drain resolves at once when nothing was written', async () => {
    const gc = new GroupCommit(recordingStore().append, { maxRows: 100 });
    expect(await settled(gc.drain())).toBe(true);
  });
});
