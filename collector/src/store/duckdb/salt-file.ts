/**
 * The embedded store keeps its daily salts in a small file of its own (`salts.json` in the data
 * directory), rewritten in place.
 *
 * Why not a DuckDB table: a deleted row's bytes stay in the database file (in old row groups and
 * free blocks) long after the delete, and a salt that can still be read from disk is not destroyed.
 * Overwriting the same file in place (never truncate-and-rewrite, which would only free the old
 * blocks) replaces the old bytes on the filesystem itself.
 */
import { open, readFile } from 'node:fs/promises';
import type { SaltStore } from '../store.ts';
import { Serial } from './serial.ts';

type Salts = Record<string, string>;

export class SaltFile implements SaltStore {
  readonly path: string;
  #salts: Salts = {};
  #serial = new Serial();

  private constructor(path: string) {
    this.path = path;
  }

  /** Reads the file if there is one; a torn file (a crash mid-write) is treated as empty. */
  static async open(path: string): Promise<SaltFile> {
    const file = new SaltFile(path);
    try {
      const parsed = JSON.parse(await readFile(path, 'utf8')) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) file.#salts = parsed as Salts;
    } catch (err) {
      // No file yet, or a torn one: new salts are drawn, today's visitors get new ids. Nothing else is lost.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && !(err instanceof SyntaxError)) throw err;
    }
    return file;
  }

  ensure(day: string, candidate: Uint8Array): Promise<Uint8Array> {
    return this.#serial.run(async () => {
      const existing = this.#salts[day];
      if (existing) return Buffer.from(existing, 'base64');
      this.#salts = { ...this.#salts, [day]: Buffer.from(candidate).toString('base64') };
      await this.#write();
      return candidate;
    });
  }

  destroyBefore(day: string): Promise<number> {
    return this.#serial.run(async () => {
      const gone = Object.keys(this.#salts).filter((d) => d < day);
      if (gone.length === 0) return 0;
      this.#salts = Object.fromEntries(Object.entries(this.#salts).filter(([d]) => d >= day));
      await this.#write();
      return gone.length;
    });
  }

  async days(): Promise<string[]> {
    return Object.keys(this.#salts).sort();
  }

  /** Overwrites the file from its first byte, padding with spaces over whatever was longer, and syncs. */
  async #write(): Promise<void> {
    const handle = await open(this.path, 'r+').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return open(this.path, 'wx+');
      throw err;
    });
    try {
      const { size } = await handle.stat();
      const json = JSON.stringify(this.#salts);
      const text = json.length < size ? json + ' '.repeat(size - json.length) : json;
      await handle.write(text, 0, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}
