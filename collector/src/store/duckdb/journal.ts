/**
 * The embedded store's ingest journal: acknowledged events are appended to numbered NDJSON
 * segments and made durable (segment-file.ts) before the append resolves, then bulk-loaded into
 * DuckDB in the background (duckdb-store.ts).
 *
 * Why not append to DuckDB directly: a DuckDB commit costs ≈ 3–6 ms here and partly runs on the
 * event loop, so with 50 connections the collector would reach a fraction of the bare-HTTP
 * ceiling; a write(2) plus a shared fdatasync costs a fraction of a millisecond.
 *
 * Files in the journal folder:
 *   <seq>.ndjson   a segment: events, one JSON object per line, then NUL bytes up to its size
 *   spare.ndjson   a zero-filled, synced file ready to become the next segment
 *   *.tmp          work files (a spare being zeroed, a segment copied for loading); deleted at start
 */
import { closeSync, fsyncSync, openSync, renameSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SegmentFile } from './segment-file.ts';

const SEGMENT = /^(\d{20})\.ndjson$/;
const ZEROS = Buffer.alloc(1 << 20);

/** A segment no longer written to: `length` bytes of complete lines, ready to load. */
export interface Segment {
  seq: number;
  path: string;
  length: number;
}

export interface JournalOptions {
  /** Size of a preallocated segment; a segment that fills up is rotated. */
  segmentBytes?: number;
}

function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Length of the complete lines at the start of a segment: up to its last "\n" before any NUL. */
export async function validLength(path: string): Promise<number> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    let pos = 0;
    let lastNewline = -1;
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      const nul = chunk.indexOf(0);
      const nl = chunk.subarray(0, nul < 0 ? bytesRead : nul).lastIndexOf(0x0a);
      if (nl >= 0) lastNewline = pos + nl;
      if (nul >= 0) break;
      pos += bytesRead;
    }
    return lastNewline + 1;
  } finally {
    await handle.close();
  }
}

export class Journal {
  readonly dir: string;
  readonly segmentBytes: number;
  #nextSeq: number;
  #current: SegmentFile | null = null;
  #closed: Segment[] = [];
  #spare: string | null = null;
  #preparing: Promise<void> | null = null;

  private constructor(dir: string, nextSeq: number, closed: Segment[], options: JournalOptions) {
    this.dir = dir;
    this.#nextSeq = nextSeq;
    this.#closed = closed;
    this.segmentBytes = options.segmentBytes ?? 16 << 20;
  }

  /**
   * Opens the journal folder. Segments up to `loadedUpTo` are already in DuckDB and are dropped;
   * later ones (left by a crash) are returned by `closedSegments`, cut to their complete lines.
   */
  static async open(dir: string, loadedUpTo: number, options: JournalOptions = {}): Promise<Journal> {
    await mkdir(dir, { recursive: true });
    const closed: Segment[] = [];
    let maxSeq = loadedUpTo;
    for (const name of (await readdir(dir)).sort()) {
      const m = SEGMENT.exec(name);
      const path = join(dir, name);
      if (!m) {
        // A spare or work file of an earlier process: it may be half-zeroed, start afresh.
        await rm(path, { force: true });
        continue;
      }
      const seq = Number(m[1]);
      maxSeq = Math.max(maxSeq, seq);
      if (seq <= loadedUpTo) await rm(path, { force: true });
      else closed.push({ seq, path, length: await validLength(path) });
    }
    const journal = new Journal(dir, maxSeq + 1, closed, options);
    journal.prepareSpare();
    return journal;
  }

  /** Rows in the open segment, not yet handed to the loader. */
  get openRows(): number {
    return this.#current?.rows ?? 0;
  }

  /** Appends NDJSON lines (each ending in "\n"); resolves once they are on disk. */
  append(lines: string, rows: number): Promise<void> {
    const buf = Buffer.from(lines, 'utf8');
    let seg: SegmentFile;
    try {
      seg = this.#current ?? this.#openSegment();
      if (seg.written > 0 && seg.written + buf.length > (seg.capacity || this.segmentBytes)) {
        void this.rotate();
        seg = this.#openSegment();
      }
    } catch (err) {
      return Promise.reject(err);
    }
    return seg.append(buf, rows);
  }

  /** Closes the open segment (once its writes are durable) so the loader can take it. */
  async rotate(): Promise<void> {
    const seg = this.#current;
    if (!seg) return;
    this.#current = null;
    await seg.close();
    this.#closed.push({ seq: seg.seq, path: seg.path, length: seg.synced });
    this.#closed.sort((a, b) => a.seq - b.seq);
  }

  /** Closed segments, oldest first. */
  closedSegments(): readonly Segment[] {
    return this.#closed;
  }

  /** A loaded segment: zero what it used and keep it as the next spare, or delete it. */
  async recycle(seg: Segment): Promise<void> {
    this.#closed = this.#closed.filter((s) => s.seq !== seg.seq);
    if (this.#spare || this.#preparing) {
      await rm(seg.path, { force: true });
      return;
    }
    this.#preparing = this.#zeroInto(seg.path, seg.length).finally(() => (this.#preparing = null));
    await this.#preparing;
  }

  /** Starts zero-filling a spare segment in the background, unless one is ready or on its way. */
  prepareSpare(): void {
    if (this.#spare || this.#preparing) return;
    const tmp = join(this.dir, `spare-${process.pid}-${Date.now()}.tmp`);
    this.#preparing = open(tmp, 'w')
      .then((h) => h.close())
      .then(() => this.#zeroInto(tmp, 0))
      .catch(() => rm(tmp, { force: true }))
      .finally(() => (this.#preparing = null));
  }

  /** Where the next spare lives once ready (failure tests swap it for a failing device). */
  get sparePath(): string {
    return join(this.dir, 'spare.ndjson');
  }

  /** Resolves when no spare is being prepared. */
  async spareSettled(): Promise<boolean> {
    await this.#preparing;
    return this.#spare !== null;
  }

  async close(): Promise<void> {
    await this.rotate();
    await this.#preparing;
  }

  /** Zeroes what `path` used (its first `used` bytes) and any room below `segmentBytes`, syncs it, makes it the spare. */
  async #zeroInto(path: string, used: number): Promise<void> {
    const handle = await open(path, 'r+');
    try {
      const size = (await handle.stat()).size;
      const zero = async (from: number, to: number) => {
        for (let pos = from; pos < to; pos += ZEROS.length) await handle.write(ZEROS, 0, Math.min(ZEROS.length, to - pos), pos);
      };
      await zero(0, Math.min(used, size));
      await zero(size, this.segmentBytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(path, this.sparePath);
    this.#spare = this.sparePath;
  }

  #openSegment(): SegmentFile {
    const seq = this.#nextSeq++;
    const path = join(this.dir, `${String(seq).padStart(20, '0')}.ndjson`);
    let capacity = 0;
    if (this.#spare) {
      renameSync(this.#spare, path);
      this.#spare = null;
      capacity = this.segmentBytes;
    }
    const seg = new SegmentFile(seq, path, capacity, (failed) => this.#retire(failed));
    // The segment's name must reach the disk before anything in it is acknowledged.
    syncDir(this.dir);
    this.#current = seg;
    this.prepareSpare();
    return seg;
  }

  /** A segment whose write failed is closed; what it durably holds is still loaded. */
  #retire(seg: SegmentFile): void {
    if (this.#current === seg) this.#current = null;
    void seg.close().then(async () => {
      if (seg.synced > 0) {
        this.#closed.push({ seq: seg.seq, path: seg.path, length: seg.synced });
        this.#closed.sort((a, b) => a.seq - b.seq);
      } else await rm(seg.path, { force: true }).catch(() => undefined);
    });
  }
}
