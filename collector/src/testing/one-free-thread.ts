/** Test helper: make libuv's thread pool complete work strictly in the order it was queued. */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs `fn` while all but one of libuv's worker threads are parked in open(2) on a FIFO, so that
 * file system and DuckDB work complete strictly in the order they were queued. This turns a race
 * between two journal segments' fdatasyncs into a deterministic sequence.
 */
export async function withOneFreeThread<T>(fn: () => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-park-'));
  const fifo = join(dir, 'park.fifo');
  execFileSync('mkfifo', [fifo]);
  const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
  const parked = Array.from({ length: threads - 1 }, () => open(fifo, 'r'));
  try {
    return await fn();
  } finally {
    // Opening read-write never blocks on Linux and wakes every reader parked in open(2).
    const unpark = openSync(fifo, 'r+');
    for (const handle of await Promise.all(parked)) await handle.close();
    closeSync(unpark);
    await rm(dir, { recursive: true, force: true });
  }
}
