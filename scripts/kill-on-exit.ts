/**
 * The safety net of the test helpers that start long-lived processes (Chromium, `php -S`,
 * `astro dev`, `next start`): whatever is still running when the test process ends is killed.
 * Vitest ends every fork with SIGTERM once its file is done (and SIGKILL 0.5 s later), and a
 * signal ends Node without running 'exit' handlers: an 'exit' handler alone never ran there, so
 * a browser or server a failed or timed-out test did not stop outlived the whole `npm test`.
 */
import type { ChildProcess } from 'node:child_process';

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/** Running children, with what to say if they must be killed. */
const running = new Map<ChildProcess, { name: string; group: boolean }>();

function killAll(why: string): void {
  for (const [child, { name, group }] of running) {
    if (child.exitCode !== null || child.signalCode !== null || !child.pid) continue;
    process.stderr.write(`[kill-on-exit] ${name} (pid ${child.pid}) was still running when this test process got ${why}: killed\n`);
    try {
      process.kill(group ? -child.pid : child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  running.clear();
}

const onExit = (): void => killAll('to its end');

function onSignal(signal: NodeJS.Signals): void {
  killAll(signal);
  listen(false);
  // A listener replaces Node's default action: end as the signal would have, unless someone else handles it.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function listen(on: boolean): void {
  if (on) {
    process.on('exit', onExit);
    for (const signal of SIGNALS) process.on(signal, onSignal);
  } else {
    process.off('exit', onExit);
    for (const signal of SIGNALS) process.off(signal, onSignal);
  }
}

/**
 * Kills `child` with SIGKILL if it still runs when this process ends (exit, SIGTERM, SIGINT or
 * SIGHUP); `group`: kill its whole process group (for children spawned with `detached: true`,
 * such as a shell wrapper and the program it started). Forgotten once the child exits.
 */
export function killOnExit(child: ChildProcess, name: string, options: { group?: boolean } = {}): void {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  if (running.size === 0) listen(true);
  running.set(child, { name, group: options.group ?? false });
  child.once('exit', () => {
    running.delete(child);
    if (running.size === 0) listen(false);
  });
}
