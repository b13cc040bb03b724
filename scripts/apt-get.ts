/**
 * apt-get for the test command's set-up scripts (ensure-chromium.ts, ensure-php.ts): output
 * streamed to the terminal, and, when another apt or dpkg holds its locks (an unattended upgrade,
 * another install), a wait for it to finish instead of a failure.
 */
import { spawnSync } from 'node:child_process';

/** How long to wait for another apt or dpkg, in all. */
export const LOCK_WAIT_S = 15 * 60;
const RETRY_S = 5;

const HELD = /Could not get lock|Unable to acquire the dpkg frontend lock|is another process using it/i;

/**
 * Runs `apt-get args`; true when it exits 0. dpkg's locks are waited for by apt itself
 * (`DPkg::Lock::Timeout`); the package lists' lock (`apt-get update`) is not, so a run refused
 * for a held lock is tried again every few seconds, up to LOCK_WAIT_S in all.
 */
export function aptGet(tag: string, args: string[], waitS = LOCK_WAIT_S): boolean {
  const full = ['-o', `DPkg::Lock::Timeout=${waitS}`, ...args];
  const until = Date.now() + waitS * 1000;
  for (let attempt = 1; ; attempt++) {
    console.log(`[${tag}] apt-get ${args.join(' ')}`);
    const r = spawnSync('apt-get', full, {
      stdio: ['ignore', 'inherit', 'pipe'],
      encoding: 'utf8',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    process.stderr.write(r.stderr ?? '');
    if (r.status === 0) return true;
    if (!HELD.test(r.stderr ?? '') || Date.now() + RETRY_S * 1000 > until) return false;
    console.log(`[${tag}] another apt or dpkg is running; waiting for it (attempt ${attempt})…`);
    spawnSync('sleep', [String(RETRY_S)]);
  }
}
