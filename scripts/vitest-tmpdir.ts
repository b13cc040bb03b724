/**
 * Vitest global setup: every temporary file of a test run (data directories, DuckDB files,
 * journals, browser profiles of the suites and the processes they start) goes under one folder,
 * removed when the run ends. Without it, each `npm test` left gigabytes in the system's temp folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-vitest-'));
  // os.tmpdir() reads TMPDIR on each call, here and in the workers and children started after this.
  process.env.TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
