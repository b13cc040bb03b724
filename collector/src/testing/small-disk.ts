/**
 * A small filesystem of its own for disk-full tests: a tmpfs mounted on a temporary folder (only
 * root may mount one). `fill` leaves a chosen number of bytes free with a file of zeros; `drain`
 * deletes it. Suites that need one say so when it cannot be made: skipped with the reason, or
 * failed in CI (CI=true), never passed in silence.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, open, rm, rmdir, statfs, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Why no small disk can be made here, or null when one can. */
export function smallDiskProblem(): string | null {
  if (process.platform !== 'linux') return `disk-full tests need Linux (a tmpfs mount); this is ${process.platform}`;
  if (process.getuid?.() !== 0) return 'disk-full tests mount a small tmpfs, which needs root: run npm test as root (CI does)';
  return null;
}

export interface SmallDisk {
  /** The mounted folder. */
  dir: string;
  /** Bytes an unprivileged write may still use there. */
  free(): Promise<number>;
  /** Adds to the filler file until at most `leave` bytes are free (a tmpfs counts in 4 KiB pages). */
  fill(leave?: number): Promise<void>;
  /** Gives back `bytes` of the filler (all of it without an argument). */
  drain(bytes?: number): Promise<void>;
  unmount(): Promise<void>;
}

const MiB = 2 ** 20;

/** Mounts a tmpfs of `sizeMiB` on a new temporary folder. */
export async function mountSmallDisk(sizeMiB: number): Promise<SmallDisk> {
  const problem = smallDiskProblem();
  if (problem) throw new Error(problem);
  const dir = await mkdtemp(join(tmpdir(), 'cairn-small-disk-'));
  await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m,mode=0755`, 'tmpfs', dir]);
  const filler = join(dir, 'filler');
  let filled = 0;
  const free = async () => {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  };
  return {
    dir,
    free,
    async fill(leave = 0) {
      const handle = await open(filler, 'a');
      try {
        const zeros = Buffer.alloc(MiB);
        for (let want = (await free()) - leave; want > 0; want = (await free()) - leave) {
          try {
            await handle.write(zeros, 0, Math.min(zeros.length, want));
            filled += Math.min(zeros.length, want);
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
            throw err;
          }
        }
      } finally {
        await handle.close();
      }
    },
    async drain(bytes = filled) {
      filled = Math.max(0, filled - bytes);
      if (filled === 0) await rm(filler, { force: true });
      else await truncate(filler, filled);
    },
    async unmount() {
      // Lazy: a DuckDB file or socket still open in this process must not keep the mount.
      await run('umount', ['-l', dir]).catch(() => undefined);
      await rmdir(dir).catch(() => undefined);
    },
  };
}
