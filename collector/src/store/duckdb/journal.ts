/**
 * The embedded store's ingest journal: acknowledged events are appended to numbered NDJSON
 * segments and made durable (segment-file.ts) before the append resolves; the loader
 * (duckdb-store.ts) copies what is durable into DuckDB, then records how far it got — a segment
 * number and a byte offset — in the same transaction.
 *
 * Why not append to DuckDB directly: a DuckDB commit costs ≈ 3–6 ms here and partly runs on the
 * event loop, so with 50 connections the collector would reach a fraction of the bare-HTTP
 * ceiling; one synchronous (O_DSYNC) write(2) shared by a group costs a fraction of a millisecond.
 *
 * Files in the journal folder:
 *   <seq>.ndjson   a segment: events, one JSON object per line, then NUL bytes up to its size
 *   spare.ndjson   a zero-filled, synced file ready to become the next segment
 *   *.tmp          work files (a spare being zeroed, a range of the open segment copied for
 *                  loading); deleted at start
 * A segment is created from the spare (so a synchronous write flushes data only, see segment-file.ts), is
 * sealed when full, and deleted once loaded. Partial loads of the open segment keep reads fresh
 * without rotating small files.
 *
 * A sealed segment is loaded where it lies (`readable`): its NUL tail is cut off and the part
 * already loaded is overwritten with empty lines, which DuckDB's reader skips. So loading needs
 * no disk space in proportion to what waits in the journal — on a full disk, that space is what
 * is missing — only a copy of the open segment's range, at most one segment.
 */
import { closeSync, fsyncSync, openSync, renameSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { SegmentFile } from './segment-file.ts';
import { copyRange, countLines, scanSegment } from './segment-scan.ts';

const SEGMENT = /^(\d{20})\.ndjson$/;
const SPARE = 'spare.ndjson';
const ZEROS = Buffer.alloc(1 << 20);
const NEWLINES = Buffer.alloc(1 << 20, 0x0a);

/** Everything before byte `offset` of segment `seq` (and every earlier segment) is in DuckDB. */
export interface Mark {
  seq: number;
  offset: number;
}

/** Durable bytes [from, to) of a segment, not yet loaded. `sealed`: the segment takes no more writes. */
export interface Range {
  seq: number;
  path: string;
  from: number;
  to: number;
  sealed: boolean;
}

export interface JournalOptions {
  /** Size of a preallocated segment; a full segment is sealed and a new one started. */
  segmentBytes?: number;
}

interface Sealed {
  seq: number;
  path: string;
  /** Loaded up to here. */
  from: number;
  /** Resolves with the segment's durable length once its last sync is done. */
  length: Promise<number>;
  /** Its length as far as known now: what was written to it until `length` resolves. */
  size: number;
}

/** A file that holds one range's lines and nothing else to load, for DuckDB to read whole. */
export interface ReadableRange {
  path: string;
  /** Deletes the file if it is a copy. */
  release(): Promise<void>;
}

function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export class Journal {
  readonly dir: string;
  readonly segmentBytes: number;
  #nextSeq: number;
  #current: SegmentFile | null = null;
  /** Loaded up to here in the open segment. */
  #currentFrom = 0;
  /** Segments that take no more writes, oldest first, until they are loaded. */
  #sealed: Sealed[];
  #spareReady = false;
  #preparing: Promise<void> | null = null;
  /** Events that were in the journal and not yet loaded when it was opened. */
  readonly rowsAtOpen: number;

  private constructor(dir: string, nextSeq: number, sealed: Sealed[], spareReady: boolean, rowsAtOpen: number, options: JournalOptions) {
    this.dir = dir;
    this.rowsAtOpen = rowsAtOpen;
    this.#nextSeq = nextSeq;
    this.#sealed = sealed;
    this.#spareReady = spareReady;
    this.segmentBytes = options.segmentBytes ?? 16 << 20;
  }

  /**
   * Opens the journal folder after a stop or a crash. Segments before the mark are already in
   * DuckDB and are deleted; the rest come back sealed, cut to their complete lines, to be loaded
   * from the mark on.
   */
  static async open(dir: string, mark: Mark, options: JournalOptions = {}): Promise<Journal> {
    await mkdir(dir, { recursive: true });
    const segmentBytes = options.segmentBytes ?? 16 << 20;
    const sealed: Sealed[] = [];
    let maxSeq = mark.seq;
    let spareReady = false;
    let rows = 0;
    for (const name of (await readdir(dir)).sort()) {
      const path = join(dir, name);
      const m = SEGMENT.exec(name);
      if (name === SPARE && (await stat(path)).size === segmentBytes) {
        // Renamed into place only once zeroed and synced: it is complete.
        spareReady = true;
      } else if (!m) {
        await rm(path, { force: true });
      } else {
        const seq = Number(m[1]);
        maxSeq = Math.max(maxSeq, seq);
        if (seq < mark.seq) {
          await rm(path, { force: true });
          continue;
        }
        const from = seq === mark.seq ? mark.offset : 0;
        const scan = await scanSegment(path, from);
        rows += scan.rows;
        sealed.push(sealedSegment(seq, path, from, Promise.resolve(scan.length), scan.length));
      }
    }
    const journal = new Journal(dir, maxSeq + 1, sealed, spareReady, rows, options);
    journal.#prepareSpare();
    return journal;
  }

  /** Rows appended to the open segment (for health reports). */
  get openRows(): number {
    return this.#current?.rows ?? 0;
  }

  /** Bytes appended and not yet loaded (an upper bound while the last writes are syncing). */
  get pendingBytes(): number {
    let n = this.#current ? this.#current.written - this.#currentFrom : 0;
    for (const s of this.#sealed) n += Math.max(0, s.size - s.from);
    return n;
  }

  /** Appends NDJSON lines (each ending in "\n"); resolves once they are on disk. */
  append(lines: string, rows: number): Promise<void> {
    const buf = Buffer.from(lines, 'utf8');
    let seg: SegmentFile;
    try {
      seg = this.#current ?? this.#openSegment();
      if (seg.written > 0 && seg.written + buf.length > (seg.capacity || this.segmentBytes)) {
        this.#seal();
        seg = this.#openSegment();
      }
    } catch (err) {
      return Promise.reject(err);
    }
    return seg.append(buf, rows);
  }

  /** Seals the open segment; resolves once every sealed segment's writes are durable. */
  async rotate(): Promise<void> {
    this.#seal();
    await Promise.all(this.#sealed.map((s) => s.length));
  }

  /**
   * What can be loaded now, in order: sealed segments, then the durable part of the open one
   * (after the writes made before this call are durable).
   */
  async loadable(): Promise<Range[]> {
    const out: Range[] = [];
    for (const s of [...this.#sealed]) {
      const length = await s.length;
      if (length > s.from) out.push({ seq: s.seq, path: s.path, from: s.from, to: length, sealed: true });
      else await this.#drop(s);
    }
    const cur = this.#current;
    if (cur) {
      await cur.syncedTo(cur.written);
      const open = this.#current === cur ? { from: this.#currentFrom, sealed: false } : null;
      if (open && cur.synced > open.from) out.push({ seq: cur.seq, path: cur.path, from: open.from, to: cur.synced, sealed: false });
    }
    return out;
  }

  /**
   * A file DuckDB can read whole for `range`. A sealed segment is that file itself once its NUL
   * tail is cut off and its loaded start is blanked: no write beyond the range was acknowledged
   * (segment-file.ts wipes a failed one), and everything before `from` is in DuckDB, as the mark
   * says, so a crash in between changes nothing that is read again. The open segment is still
   * written past the range: its range is copied.
   */
  async readable(range: Range): Promise<ReadableRange> {
    if (!range.sealed) {
      const copy = join(this.dir, `load-${range.seq}-${range.from}.tmp`);
      try {
        await copyRange(range.path, copy, range.from, range.to);
      } catch (err) {
        await rm(copy, { force: true });
        throw err;
      }
      return { path: copy, release: () => rm(copy, { force: true }) };
    }
    await truncate(range.path, range.to);
    if (range.from > 0) {
      const handle = await open(range.path, 'r+');
      try {
        for (let pos = 0; pos < range.from; pos += NEWLINES.length) await handle.write(NEWLINES, 0, Math.min(NEWLINES.length, range.from - pos), pos);
      } finally {
        await handle.close();
      }
    }
    return { path: range.path, release: async () => undefined };
  }

  /**
   * Catches up with the mark read back from a reopened database: a load that failed may still
   * have committed (its checkpoint failed after its write-ahead log was written), and what the
   * mark covers must not be loaded again. Resolves with the number of events it skipped.
   */
  async advanceTo(mark: Mark): Promise<number> {
    let rows = 0;
    for (const s of this.#sealed) {
      const to = s.seq < mark.seq ? await s.length : s.seq === mark.seq ? mark.offset : 0;
      if (to <= s.from) continue;
      rows += await countLines(s.path, s.from, to);
      s.from = to;
    }
    const cur = this.#current;
    if (cur && cur.seq === mark.seq && mark.offset > this.#currentFrom) {
      rows += await countLines(cur.path, this.#currentFrom, mark.offset);
      this.#currentFrom = mark.offset;
    }
    return rows;
  }

  /** Records that `range` is in DuckDB; a sealed segment loaded to its end is deleted. */
  async loaded(range: Range): Promise<void> {
    if (this.#current?.seq === range.seq) {
      this.#currentFrom = Math.max(this.#currentFrom, range.to);
      return;
    }
    const s = this.#sealed.find((x) => x.seq === range.seq);
    if (!s) return;
    s.from = Math.max(s.from, range.to);
    if (s.from >= (await s.length)) await this.#drop(s);
  }

  /** Forgets a sealed segment with nothing left to load and deletes its file. */
  async #drop(s: Sealed): Promise<void> {
    this.#sealed = this.#sealed.filter((x) => x !== s);
    await rm(s.path, { force: true });
  }

  /** Where the next spare lives once ready (failure tests swap it for a failing device). */
  get sparePath(): string {
    return join(this.dir, SPARE);
  }

  /** Resolves when no spare is being prepared; true when one is ready. */
  async spareSettled(): Promise<boolean> {
    await this.#preparing;
    return this.#spareReady;
  }

  /** Seals the open segment and waits for its writes and for a spare in preparation. */
  async close(): Promise<void> {
    await this.rotate();
    await this.#preparing;
  }

  #seal(): void {
    const seg = this.#current;
    if (!seg) return;
    this.#current = null;
    this.#sealed.push(sealedSegment(seg.seq, seg.path, this.#currentFrom, seg.close().then(() => seg.synced), seg.written));
    this.#currentFrom = 0;
  }

  /** Zero-fills a new spare in the background, unless one is ready or on its way. */
  #prepareSpare(): void {
    if (this.#spareReady || this.#preparing) return;
    const tmp = join(this.dir, `spare-${process.pid}-${Date.now()}.tmp`);
    this.#preparing = (async () => {
      const handle = await open(tmp, 'w');
      try {
        for (let pos = 0; pos < this.segmentBytes; pos += ZEROS.length) {
          await handle.write(ZEROS, 0, Math.min(ZEROS.length, this.segmentBytes - pos), pos);
        }
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, this.sparePath);
      this.#spareReady = true;
    })()
      .catch(() => rm(tmp, { force: true }))
      .finally(() => (this.#preparing = null));
  }

  #openSegment(): SegmentFile {
    const seq = this.#nextSeq++;
    const path = join(this.dir, `${String(seq).padStart(20, '0')}.ndjson`);
    let capacity = 0;
    if (this.#spareReady) {
      renameSync(this.sparePath, path);
      this.#spareReady = false;
      capacity = this.segmentBytes;
    }
    // Without a spare the segment grows as it is written: correct, only slower to sync.
    const seg = new SegmentFile(seq, path, capacity, (failed) => {
      if (this.#current === failed) this.#seal();
    });
    // The segment's name must reach the disk before anything in it is acknowledged.
    syncDir(this.dir);
    this.#current = seg;
    this.#currentFrom = 0;
    this.#prepareSpare();
    return seg;
  }
}

function sealedSegment(seq: number, path: string, from: number, length: Promise<number>, size: number): Sealed {
  const s: Sealed = { seq, path, from, length, size };
  void length.then(
    (n) => (s.size = n),
    () => undefined,
  );
  return s;
}
