/**
 * The set-up scripts' apt-get waits for another apt or dpkg instead of failing: each of apt's
 * locks is held by another process (as an unattended upgrade would) for a few seconds, and the
 * run succeeds once it is let go. Needs root and Debian's apt, as the set-up scripts do.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { aptGet } from './apt-get.ts';

const canRun = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get') && existsSync('/usr/bin/python3');

/** Holds a file's POSIX lock (as apt and dpkg take it) for `seconds`, from another process. */
async function hold(file: string, seconds: number) {
  const child = spawn('python3', ['-c', `import fcntl, time\nf = open(${JSON.stringify(file)}, 'w')\nfcntl.lockf(f, fcntl.LOCK_EX)\nprint('held', flush=True)\ntime.sleep(${seconds})`]);
  await once(child.stdout, 'data');
  return child;
}

describe.skipIf(!canRun)('apt-get in the set-up scripts', () => {
  it.each([
    ['dpkg\'s frontend lock, during an install', '/var/lib/dpkg/lock-frontend', ['install', '-y', '--no-install-recommends', 'python3']],
    ['the package lists\' lock, during an update', '/var/lib/apt/lists/lock', ['update']],
  ])('waits for %s held by another process, then succeeds', async (_name, file, args) => {
    const holder = await hold(file, 4);
    const started = Date.now();
    try {
      expect(aptGet('test', args, 120)).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(3_000);
    } finally {
      holder.kill();
    }
  }, 180_000);
});
