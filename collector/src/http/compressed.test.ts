import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { brotliBest, encode, gzipBest } from './compressed.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-compressed-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const body = Buffer.from('console.log("cairn");\n'.repeat(200));

it('uses the encodings built beside the file when they decode to it', async () => {
  const path = join(dir, 'built.js');
  // Recognisably the build's, not the collector's: the fastest settings.
  const gz = gzipSync(body, { level: 1 });
  const br = brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } });
  expect(br.equals(brotliBest(body))).toBe(false);
  await Promise.all([writeFile(path, body), writeFile(`${path}.gz`, gz), writeFile(`${path}.br`, br)]);
  const e = encode(path, body);
  expect(e.gzip.equals(gz)).toBe(true);
  expect(e.br.equals(br)).toBe(true);
});

it('makes them when they are missing, stale or not valid', async () => {
  const path = join(dir, 'stale.js');
  await Promise.all([writeFile(path, body), writeFile(`${path}.gz`, gzipBest(Buffer.from('an older build'))), writeFile(`${path}.br`, 'not brotli')]);
  for (const e of [encode(path, body), encode(join(dir, 'absent.js'), body)]) {
    expect(gunzipSync(e.gzip).equals(body)).toBe(true);
    expect(e.br.equals(brotliBest(body))).toBe(true);
    expect(brotliDecompressSync(e.br).equals(body)).toBe(true);
  }
});
