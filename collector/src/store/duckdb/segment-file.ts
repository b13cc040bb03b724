/**
 * One journal segment being written: positional writes into the page cache, and one fdatasync
 * at a time that acknowledges every write made before it started (group commit).
 *
 * Segments are preallocated (zero-filled and synced once, then recycled): overwriting blocks that
 * already exist makes fdatasync flush data only, about three times faster here than an append,
 * which must also commit the file's new size to the filesystem journal.
 */
import { closeSync, fdatasync, ftruncateSync, openSync, writeSync } from 'node:fs';

const MAX_SYNCS = 2;

interface Waiter {
  end: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class SegmentFile {
  readonly seq: number;
  readonly path: string;
  /** The file's size when opened: writes beyond it grow the file (a segment opened without a spare). */
  readonly capacity: number;
  rows = 0;
  #fd: number;
  #written = 0;
  #synced = 0;
  #syncing = 0;
  /** The highest offset a running or finished fdatasync covers. */
  #syncTarget = 0;
  #waiters: Waiter[] = [];
  #failed: unknown = null;
  #onIdle: (() => void)[] = [];
  #onFail: (seg: SegmentFile) => void;

  constructor(seq: number, path: string, capacity: number, onFail: (seg: SegmentFile) => void) {
    this.seq = seq;
    this.path = path;
    this.capacity = capacity;
    this.#fd = openSync(path, capacity > 0 ? 'r+' : 'w+');
    this.#onFail = onFail;
  }

  /** Bytes written so far (durable or not). */
  get written(): number {
    return this.#written;
  }

  /** Bytes known to be on disk: everything acknowledged lies below this offset. */
  get synced(): number {
    return this.#synced;
  }

  /** Writes now; resolves once an fdatasync that started after this write has completed. */
  append(buf: Buffer, rows: number): Promise<void> {
    if (this.#failed) return Promise.reject(this.#failed);
    // Nothing to write: durable as soon as what came before is (no sync of its own would resolve it).
    if (buf.length === 0) return this.syncedTo(this.#written);
    try {
      let off = 0;
      while (off < buf.length) off += writeSync(this.#fd, buf, off, buf.length - off, this.#written + off);
    } catch (err) {
      this.#fail(err);
      return Promise.reject(err);
    }
    this.#written += buf.length;
    this.rows += rows;
    return new Promise((resolve, reject) => {
      this.#waiters.push({ end: this.#written, resolve, reject });
      this.#sync();
    });
  }

  /** Resolves once the first `target` bytes are durable, or the file failed. */
  syncedTo(target: number): Promise<void> {
    if (this.#synced >= target || this.#failed) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ end: target, resolve, reject: () => resolve() }));
  }

  /** Waits for every write to be durable (or failed), then closes the file. */
  async close(): Promise<void> {
    if (this.#waiters.length > 0) await new Promise<void>((resolve) => this.#onIdle.push(resolve));
    if (this.#fd >= 0) {
      closeSync(this.#fd);
      this.#fd = -1;
    }
  }

  #sync(): void {
    // Two fdatasyncs may overlap: a write need not wait for a sync that started before it to end.
    if (this.#syncing >= MAX_SYNCS || this.#failed || this.#waiters.length === 0) return;
    const target = this.#written;
    if (target <= this.#syncTarget) return;
    this.#syncTarget = target;
    this.#syncing++;
    fdatasync(this.#fd, (err) => {
      this.#syncing--;
      if (err) return this.#fail(err);
      // Whichever sync ends first, everything written before it started is now on disk.
      this.#synced = Math.max(this.#synced, target);
      const done = this.#waiters.filter((w) => w.end <= this.#synced);
      this.#waiters = this.#waiters.filter((w) => w.end > this.#synced);
      for (const w of done) w.resolve();
      this.#sync();
      this.#idle();
    });
  }

  #idle(): void {
    if (this.#waiters.length > 0) return;
    const callbacks = this.#onIdle;
    this.#onIdle = [];
    for (const cb of callbacks) cb();
  }

  /**
   * A failed write or fdatasync: nothing after the last successful fdatasync was acknowledged,
   * so cut it off (a retry must not store it twice), fail its waiters, and stop using this file.
   */
  #fail(err: unknown): void {
    this.#failed = err;
    try {
      // Zeros, not a shorter file: recovery reads a segment up to its first NUL byte.
      if (this.#written > this.#synced) writeSync(this.#fd, Buffer.alloc(this.#written - this.#synced), 0, this.#written - this.#synced, this.#synced);
    } catch {
      try {
        ftruncateSync(this.#fd, this.#synced);
      } catch {
        // Nothing more can be done here; these rows were never acknowledged.
      }
    }
    this.#written = this.#synced;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w.reject(err);
    this.#idle();
    this.#onFail(this);
  }
}
