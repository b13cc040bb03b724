import { setImmediate as nextTick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ClientIdWindow, DEDUPE_WINDOW_MS } from './dedupe.ts';

const T0 = Date.UTC(2026, 0, 15, 12);
const HOUR = 3_600_000;

function deferred() {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('ClientIdWindow', () => {
  it('keys ids per site', () => {
    expect(ClientIdWindow.key('site-a', 'ev1')).not.toBe(ClientIdWindow.key('site-b', 'ev1'));
    // No separator trick can make two different (site, id) pairs collide.
    expect(ClientIdWindow.key('a', 'b_c')).not.toBe(ClientIdWindow.key('a_b', 'c'));
  });

  it('knows nothing of a new id', () => {
    expect(new ClientIdWindow().lookup(ClientIdWindow.key('s', 'ev1'))).toBeNull();
  });

  it('hands out the pending write while in flight, then reports the id stored', async () => {
    const w = new ClientIdWindow();
    const key = ClientIdWindow.key('s', 'ev1');
    const write = deferred();
    w.track([key], write.promise, T0);
    expect(w.lookup(key)).toBe(write.promise);
    expect(w.size).toBe(0);
    write.resolve();
    await nextTick();
    expect(w.lookup(key)).toBe('stored');
    expect(w.size).toBe(1);
  });

  it('forgets the ids of a failed write, so a retry is stored', async () => {
    const w = new ClientIdWindow();
    const keys = [ClientIdWindow.key('s', 'ev1'), ClientIdWindow.key('s', 'ev2')];
    const write = deferred();
    w.track(keys, write.promise, T0);
    const repeat = w.lookup(keys[1]!);
    write.reject(new Error('disk full'));
    await expect(repeat).rejects.toThrow('disk full');
    expect(keys.map((k) => w.lookup(k))).toEqual([null, null]);
    expect(w.size).toBe(0);
  });

  it('sweeps ids once they are 24 hours old', async () => {
    expect(DEDUPE_WINDOW_MS).toBe(24 * HOUR);
    const w = new ClientIdWindow();
    const early = ClientIdWindow.key('s', 'early');
    const late = ClientIdWindow.key('s', 'late');
    w.track([early], Promise.resolve(), T0);
    w.track([late], Promise.resolve(), T0 + HOUR);
    await nextTick();
    w.sweep(T0 + 24 * HOUR - 1);
    expect(w.lookup(early)).toBe('stored');
    w.sweep(T0 + 24 * HOUR);
    expect(w.lookup(early)).toBeNull();
    expect(w.lookup(late)).toBe('stored');
    expect(w.size).toBe(1);
  });

  it('is seeded from stored ids, oldest first whatever the order given', () => {
    const w = new ClientIdWindow();
    w.seed([
      { site: 's', clientId: 'new', ts: T0 + 2 * HOUR },
      { site: 's', clientId: 'old', ts: T0 },
      { site: 't', clientId: 'mid', ts: T0 + HOUR },
    ]);
    expect(w.size).toBe(3);
    expect(w.lookup(ClientIdWindow.key('t', 'mid'))).toBe('stored');
    expect(w.lookup(ClientIdWindow.key('s', 'mid'))).toBeNull();
    w.sweep(T0 + 25 * HOUR);
    expect(w.lookup(ClientIdWindow.key('s', 'old'))).toBeNull();
    expect(w.lookup(ClientIdWindow.key('t', 'mid'))).toBeNull();
    expect(w.lookup(ClientIdWindow.key('s', 'new'))).toBe('stored');
  });
});
