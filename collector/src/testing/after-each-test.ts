/**
 * What a test file makes and must undo after each test — temporary folders, open stores and
 * journals, mounted disks — undone in reverse order, even when the test fails. Importing this
 * registers the `afterEach` in the importing test file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

const undo: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of undo.splice(0).reverse()) await step();
});

/** Runs `step` after the current test. */
export function afterThisTest(step: () => Promise<unknown>): void {
  undo.push(step);
}

/** A new temporary folder, removed after the current test. */
export async function tempFolder(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  afterThisTest(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
