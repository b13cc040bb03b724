/**
 * The embedded store's ingest journal: acknowledged events are appended to numbered NDJSON
 * segments and fdatasync'ed before the append resolves, then bulk-loaded into DuckDB in the
 * background (journal-loader.ts).
 *
 * Why not append to DuckDB directly: a DuckDB commit costs ≈ 3–6 ms here and blocks on the
 * appender, so with 50 connections and one commit per ack group the collector would top out far
 * below the bare-HTTP ceiling; an append + fdatasync costs ≈ 0.4 ms and runs off the event loop.
 */
import { mkdir, open, readdir, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Serial } from './serial.ts';

const SEGMENT = /^(\d{20})\.ndjson$/;

export interface Segment {
  seq: number;
  path: string;
}

export class Journal {
  readonly dir: string;
  #nextSeq: number;
  #current: { seq: number; path: string; handle: FileHandle; bytes: number; rows: number } | null = null;
  #closed: Segment[] = [];
  // Appends and rotations run one at a time, in call order.
  #serial = new Serial();

  private constructor(dir: string, nextSeq: number, closed: Segment[]) {
    this.dir = dir;
    this.#nextSeq = nextSeq;
    this.#closed = closed;
  }

  /** Opens the journal folder; segments left by an earlier process are returned by `closedSegments`. */
  static async open(dir: string, loadedUpTo: number): Promise<Journal> {
    await mkdir(dir, { recursive: true });
    const found = (await readdir(dir))
      .map((f) => SEGMENT.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ seq: Number(m[1]), path: join(dir, m[0]) }))
      .sort((a, b) => a.seq - b.seq);
    const maxSeq = Math.max(loadedUpTo, ...found.map((s) => s.seq));
    return new Journal(dir, maxSeq + 1, found);
  }

  /** Rows appended to the open segment and not yet rotated out. */
  get openRows(): number {
    return this.#current?.rows ?? 0;
  }

  /** Appends NDJSON lines (each ending in "\n") and waits until they are on disk. */
  append(lines: string, rows: number): Promise<void> {
    return this.#serial.run(async () => {
      const seg = this.#current ?? (await this.#openSegment());
      const buf = Buffer.from(lines, 'utf8');
      try {
        let off = 0;
        while (off < buf.length) off += (await seg.handle.write(buf, off)).bytesWritten;
        await seg.handle.datasync();
      } catch (err) {
        // The caller answers 503 for these rows: cut them off so a retry cannot store them twice,
        // and leave this file (the disk may be full or failing); the next append starts a new one.
        await seg.handle.truncate(seg.bytes).catch(() => undefined);
        await seg.handle.close().catch(() => undefined);
        this.#current = null;
        if (seg.bytes > 0) this.#closed.push({ seq: seg.seq, path: seg.path });
        else await rm(seg.path, { force: true }).catch(() => undefined);
        throw err;
      }
      seg.bytes += buf.length;
      seg.rows += rows;
    });
  }

  /** Closes the open segment (if it holds anything) so the loader can take it. */
  rotate(): Promise<void> {
    return this.#serial.run(async () => {
      const seg = this.#current;
      if (!seg) return;
      this.#current = null;
      await seg.handle.close();
      this.#closed.push({ seq: seg.seq, path: seg.path });
    });
  }

  /** Closed segments, oldest first; the loader removes them with `forget` once loaded. */
  closedSegments(): readonly Segment[] {
    return this.#closed;
  }

  forget(seq: number): void {
    this.#closed = this.#closed.filter((s) => s.seq !== seq);
  }

  async close(): Promise<void> {
    await this.rotate();
  }

  /** The file the next segment will be written to (when no segment is open). */
  nextSegmentPath(): string {
    return this.#segmentPath(this.#nextSeq);
  }

  #segmentPath(seq: number): string {
    return join(this.dir, `${String(seq).padStart(20, '0')}.ndjson`);
  }

  async #openSegment() {
    const seq = this.#nextSeq++;
    const path = this.#segmentPath(seq);
    const handle = await open(path, 'a');
    // The new file's directory entry must reach the disk too, or a power cut could lose the file.
    const dir = await open(this.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    this.#current = { seq, path, handle, bytes: 0, rows: 0 };
    return this.#current;
  }
}
