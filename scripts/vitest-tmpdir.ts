/**
 * Vitest global setup: every temporary file of a test run (data directories, DuckDB files,
 * journals, browser profiles of the suites and the processes they start) goes under one folder,
 * removed when the run ends. Without it, each `npm test` left gigabytes in the system's temp folder.
 *
 * The folder also marks the run's processes: when the run ends, any process a suite started that
 * is still alive (scripts/leftover-processes.ts) is named, killed, and fails the run. When
 * LEFTOVERS_REPORT names a file, they are also written there as JSON (scripts/test.ts reads it).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeLeftovers, killLeftovers, settledLeftovers, SUITE_VARIABLE } from './leftover-processes.ts';

export default function setup(): () => Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-vitest-'));
  // os.tmpdir() reads TMPDIR on each call, here and in the workers and children started after this.
  process.env.TMPDIR = dir;
  // Only the workers' setup file (scripts/vitest-suite.ts) sets it, so that Vitest's own processes never carry it.
  delete process.env[SUITE_VARIABLE];
  return async () => {
    const leftovers = await settledLeftovers(dir);
    killLeftovers(leftovers);
    if (process.env.LEFTOVERS_REPORT) writeFileSync(process.env.LEFTOVERS_REPORT, JSON.stringify(leftovers, null, 1));
    rmSync(dir, { recursive: true, force: true });
    if (leftovers.length > 0) {
      const roots = leftovers.filter((l) => !leftovers.some((parent) => parent.pid === l.ppid));
      const commands = roots.map((l) => `  pid ${l.pid}: ${l.command.slice(0, 300)}`);
      throw new Error(`The tests left processes running (now killed): ${describeLeftovers(leftovers).join('; ')}\n${commands.join('\n')}`);
    }
  };
}
