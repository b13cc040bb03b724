/** Files the embedded store's tests write and read behind the store's back: journal segments, and meta values of a closed database. */
import { DuckDBInstance } from '@duckdb/node-api';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One NDJSON line, optionally padded to make it long. */
export const line = (i: number, pad = 0) => `${JSON.stringify({ i, pad: 'x'.repeat(pad) })}\n`;

export const nuls = (n: number) => Buffer.alloc(n);

/** Writes `parts` one after the other into `dir/name`; resolves with its path. */
export async function fileWith(dir: string, name: string, ...parts: (string | Buffer)[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p))));
  return path;
}

/** Reads one meta value straight from the database file (the store must be closed). */
export async function readMeta(file: string, key: string): Promise<string | undefined> {
  const instance = await DuckDBInstance.create(file);
  try {
    const conn = await instance.connect();
    const reader = await conn.runAndReadAll('SELECT value FROM meta WHERE key = ?', [key]);
    conn.closeSync();
    return reader.getRows()[0]?.[0]?.toString();
  } finally {
    instance.closeSync();
  }
}
