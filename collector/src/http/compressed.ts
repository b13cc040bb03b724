/**
 * The gzip (level 9) and brotli (quality 11) encodings of a built file, made once for serving.
 * Brotli at quality 11 takes about a second for the widgets' half megabyte, so the widgets build
 * writes both encodings beside its files (`app.js.br`, `app.js.gz`: widgets/scripts/build.ts) and
 * they are used when they decode to the file as it is now (decoding takes milliseconds); else
 * they are made here. Either way the collector serves the same bytes.
 */
import { readFileSync } from 'node:fs';
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from 'node:zlib';

export interface Encoded {
  gzip: Buffer;
  br: Buffer;
}

export const gzipBest = (body: Buffer) => gzipSync(body, { level: 9 });
export const brotliBest = (body: Buffer) => brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });

/** The encodings of `body`, the content of the file at `path`. */
export function encode(path: string, body: Buffer): Encoded {
  return { gzip: prebuilt(`${path}.gz`, body, gunzipSync) ?? gzipBest(body), br: prebuilt(`${path}.br`, body, brotliDecompressSync) ?? brotliBest(body) };
}

function prebuilt(path: string, body: Buffer, decode: (b: Buffer) => Buffer): Buffer | null {
  try {
    const encoded = readFileSync(path);
    return decode(encoded).equals(body) ? encoded : null;
  } catch {
    return null; // absent, unreadable or not valid: made again
  }
}
