/**
 * Extracts a zip archive with Node alone: a fresh CI image has neither `unzip` nor Python, and
 * Debian's php-cli comes without ZipArchive. Handles what WordPress builds use (stored and
 * deflated entries, no zip64, no encryption).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { inflateRawSync } from 'node:zlib';

/** Writes every entry of `zip` under `into`, creating directories as needed. */
export function unzip(zip: string, into: string): void {
  const buf = readFileSync(zip);
  const fail = (why: string): never => {
    throw new Error(`[wordpress] cannot unzip ${zip}: ${why}`);
  };
  // The end-of-central-directory record sits in the last 22 bytes plus an optional comment.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail('no end of central directory (not a zip?)');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) fail(`bad central directory entry ${n}`);
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLength = buf.readUInt16LE(p + 28);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLength);
    p += 46 + nameLength + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
    if (name.startsWith('/') || name.split('/').includes('..')) fail(`unsafe entry name ${name}`);
    const target = join(into, name);
    if (name.endsWith('/')) {
      mkdirSync(target, { recursive: true });
      continue;
    }
    if (buf.readUInt32LE(local) !== 0x04034b50) fail(`bad local header for ${name}`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    mkdirSync(dirname(target), { recursive: true });
    if (method === 0) writeFileSync(target, data);
    else if (method === 8) writeFileSync(target, inflateRawSync(data));
    else fail(`${name} uses compression method ${method}`);
  }
}
