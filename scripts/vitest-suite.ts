/**
 * Vitest setup file, run in each test file's worker before the file: names the file in the
 * worker's environment, which every process the suite starts inherits, so the end-of-run check
 * (scripts/vitest-tmpdir.ts) can say which suite left a process running.
 */
import { relative } from 'node:path';
import { expect } from 'vitest';
import { SUITE_VARIABLE } from './leftover-processes.ts';

const file = expect.getState().testPath;
if (file) process.env[SUITE_VARIABLE] = relative(process.cwd(), file);
