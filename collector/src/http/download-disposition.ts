/**
 * The `Content-Disposition` of a download whose name carries text a caller typed (a prop key in an
 * export's dimension): RFC 6266 with the name reduced to a safe slug, so that it can neither break
 * the header (Node refuses a header that is not Latin-1) nor add parameters to it (`"; filename=`).
 */
import { encodeExtended } from 'content-disposition';

/** UTF-8 bytes of a name before its extension: with `cairn-` and `.ndjson`, under every file system's 255. */
const MAX_BYTES = 200;

/** The first characters of `chars` that fit in `bytes` of UTF-8. */
function fitting(chars: readonly string[], bytes: number): string[] {
  const out: string[] = [];
  for (const c of chars) {
    bytes -= Buffer.byteLength(c);
    if (bytes < 0) break;
    out.push(c);
  }
  return out;
}

/** `text` with every run of characters `unsafe` matches (and of '-') made one '-', at most MAX_BYTES long, never empty. */
function slug(text: string, unsafe: RegExp): string {
  const s = text.replace(unsafe, '-').replace(/-{2,}/g, '-').replace(/^[-.]+|[-.]+$/g, '') || 'export';
  if (Buffer.byteLength(s) <= MAX_BYTES) return s;
  // Cut in the middle: the start says the site and the dimension, the end the period.
  const chars = Array.from(s);
  const half = MAX_BYTES / 2;
  return `${fitting(chars, half).join('')}-${fitting(chars.reverse(), half - 1).reverse().join('')}`;
}

/**
 * `attachment` named `cairn-<name>.<extension>`: an ASCII `filename` of letters, digits, '-', '_'
 * and '.', and, when the name has letters of other scripts, `filename*` in UTF-8 that keeps them
 * (RFC 6266 appendix D: only where `filename` cannot say the name faithfully).
 */
export function downloadDisposition(name: string, extension: 'csv' | 'ndjson'): string {
  const unicode = `cairn-${slug(name.normalize('NFC'), /[^\p{L}\p{M}\p{N}._-]+/gu)}.${extension}`;
  // Accents dropped rather than the whole letter: "größe" falls back to "gro-e", not "gr-e".
  const ascii = `cairn-${slug(name.normalize('NFKD').replace(/\p{M}/gu, ''), /[^A-Za-z0-9._-]+/g)}.${extension}`;
  const fallback = `attachment; filename="${ascii}"`;
  return unicode === ascii ? fallback : `${fallback}; filename*=${encodeExtended(unicode)}`;
}
