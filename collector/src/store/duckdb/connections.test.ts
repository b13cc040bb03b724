/**
 * The embedded store's lock order on a real DuckDB file: a job asking for a lock that could make
 * it wait for itself is refused at once with a LockOrderError, instead of hanging the store.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Connections, LockOrderError, rowsOf } from './connections.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function open(): Promise<Connections> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-connections-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const conns = await Connections.open(join(dir, 'test.duckdb'));
  cleanups.push(() => conns.close());
  return conns;
}

/** The promise's outcome, or 'still waiting' after a second: a deadlock would never settle. */
const settled = <T>(p: Promise<T>) =>
  Promise.race([p.then((value) => ({ value }), (error: unknown) => ({ error })), new Promise((r) => setTimeout(() => r('still waiting'), 1000))]);

const one = async () => 1;

describe('the lock order load → write → read', () => {
  it('refuses a load asked for inside a write at once, naming the order, instead of waiting for itself', async () => {
    const conns = await open();
    const outcome = await settled(conns.write(() => conns.load(one)));
    expect(outcome).toMatchObject({ error: expect.any(LockOrderError) });
    expect(String((outcome as { error: Error }).error.message)).toMatch(/load\(\) asked for inside write\(\).*load, write, read/);
    // The store goes on: the refused job held nothing.
    expect(await conns.write(async (c) => (await rowsOf(c, 'SELECT 42 AS n'))[0]!.n)).toBe(42);
  });

  it('refuses a lock the job holds, an earlier one, and anything inside exclusive()', async () => {
    const conns = await open();
    const refused = async (p: Promise<unknown>) => expect(await settled(p)).toMatchObject({ error: expect.any(LockOrderError) });
    await refused(conns.write(() => conns.write(one)));
    await refused(conns.load(() => conns.load(one)));
    await refused(conns.read(() => conns.read(one)));
    await refused(conns.read(() => conns.write(one)));
    await refused(conns.read(() => conns.load(one)));
    await refused(conns.write(() => conns.exclusive(one)));
    await refused(conns.exclusive(() => conns.write(one)));
    await refused(conns.load(() => conns.exclusive(() => conns.read(one))));
  });

  it('lets a load write, a write read, and a job start work it does not wait for through detached()', async () => {
    const conns = await open();
    expect(await settled(conns.load(() => conns.write(() => conns.read(async (c) => (await rowsOf(c, 'SELECT 7 AS n'))[0]!.n))))).toEqual({ value: 7 });
    let later: Promise<number> | undefined;
    await conns.write(async () => {
      later = conns.detached(() => conns.load(one));
    });
    expect(await settled(later!)).toEqual({ value: 1 });
  });

  it('hands out the loader connection inside a load only, and reopens inside exclusive() only', async () => {
    const conns = await open();
    expect(() => conns.loader).toThrow(/outside load\(\)/);
    await expect(conns.reopen()).rejects.toThrow(/outside exclusive\(\)/);
    await expect(conns.load(() => conns.reopen())).rejects.toThrow(/outside exclusive\(\)/);
  });

  it('reopens the database while holding every connection: jobs asked for meanwhile run after, on the new connections', async () => {
    const conns = await open();
    await conns.write((c) => c.run('CREATE TABLE t AS SELECT 1 AS n'));
    const order: string[] = [];
    const n = (what: string) => async (c: Parameters<Parameters<Connections['write']>[0]>[0]) => {
      order.push(what);
      return (await rowsOf(c, 'SELECT n FROM t'))[0]!.n;
    };
    let queued: Promise<unknown>[] = [];
    await conns.exclusive(async () => {
      queued = conns.detached(() => [conns.write(n('write')), conns.read(n('read'))]);
      await new Promise((r) => setTimeout(r, 50));
      order.push('reopen');
      await conns.reopen();
      order.push('reopened');
    });
    expect(await Promise.all(queued)).toEqual([1, 1]);
    expect(order.slice(0, 2)).toEqual(['reopen', 'reopened']);
    expect(order.slice(2).sort()).toEqual(['read', 'write']);
    expect(await conns.load(async () => (await rowsOf(conns.loader, 'SELECT n FROM t'))[0]!.n)).toBe(1);
  });
});
