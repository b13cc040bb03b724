/** Sizes of the built tracker files: raw, gzip -9 (the budget's measure) and brotli. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** The target for t.js with every automatic feature, gzip -9 (ARCHITECTURE.md, numbers). Met on 2026-12-06. */
export const TARGET_GZIP = 1500;

/**
 * What `npm test` enforces: the target itself, now that t.js meets it, so that t.js cannot grow
 * past it unnoticed. See BENCHMARKS.md.
 */
export const CEILING_GZIP = TARGET_GZIP;

/** Peers' full scripts, gzip, as measured for the issue (Umami 2.2, Counterscale, Rybbit). */
export const PEERS: [string, number][] = [
  ['Umami', 2206],
  ['Counterscale', 1750],
  ['Rybbit', 4675],
];

export interface Size {
  raw: number;
  gzip: number;
  brotli: number;
}

/** Measures one file; gzip with the gzip program when present (as the budget says), else zlib level 9. */
export function measure(file: string): Size {
  const body = readFileSync(file);
  const cli = spawnSync('gzip', ['-9', '-c', file]);
  return {
    raw: body.length,
    gzip: cli.status === 0 ? cli.stdout.length : gzipSync(body, { level: 9 }).length,
    brotli: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}
