/**
 * One journal segment being written: group commit on one file. Appends made while an fdatasync
 * runs wait in memory; when it ends, they are written with one positional write and covered by
 * the next fdatasync, which acknowledges them all. Under load, each flush (a write, a thread-pool
 * hop for the fdatasync and its callback) is shared by every append made during the previous one.
 *
 * Segments are preallocated (zero-filled and synced once, then recycled): overwriting blocks that
 * already exist makes fdatasync flush data only, about three times faster here than an append,
 * which must also commit the file's new size to the filesystem journal.
 */
import { closeSync, fdatasync, ftruncateSync, openSync, writeSync } from 'node:fs';

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
  /** Bytes appended: written to the file, or waiting in #queue for the running flush to end. */
  #written = 0;
  /** Bytes written to the file (durable or not). */
  #onFile = 0;
  #synced = 0;
  #queue: Buffer[] = [];
  #flushing = false;
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

  /** Bytes appended so far (durable or not). */
  get written(): number {
    return this.#written;
  }

  /** Bytes known to be on disk: everything acknowledged lies below this offset. */
  get synced(): number {
    return this.#synced;
  }

  /** Resolves once `buf` is on disk: after the fdatasync of the flush that wrote it. */
  append(buf: Buffer, rows: number): Promise<void> {
    if (this.#failed) return Promise.reject(this.#failed);
    // Nothing to write: durable as soon as what came before is (no sync of its own would resolve it).
    if (buf.length === 0) return this.syncedTo(this.#written);
    this.#queue.push(buf);
    this.#written += buf.length;
    this.rows += rows;
    return new Promise((resolve, reject) => {
      this.#waiters.push({ end: this.#written, resolve, reject });
      this.#flush();
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

  /** Writes what waits and fdatasyncs it, unless a flush is running (its end starts the next). */
  #flush(): void {
    if (this.#flushing || this.#failed || this.#queue.length === 0) return;
    const buf = this.#queue.length === 1 ? this.#queue[0]! : Buffer.concat(this.#queue);
    this.#queue = [];
    const target = this.#written;
    let off = 0;
    try {
      while (off < buf.length) off += writeSync(this.#fd, buf, off, buf.length - off, this.#onFile + off);
    } catch (err) {
      this.#onFile += off; // what a partial write left in the file, for #fail to wipe
      return this.#fail(err);
    }
    this.#onFile = target;
    this.#flushing = true;
    fdatasync(this.#fd, (err) => {
      this.#flushing = false;
      if (err) return this.#fail(err);
      this.#synced = target;
      const done = this.#waiters.filter((w) => w.end <= target);
      this.#waiters = this.#waiters.filter((w) => w.end > target);
      for (const w of done) w.resolve();
      this.#flush();
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
      if (this.#onFile > this.#synced) writeSync(this.#fd, Buffer.alloc(this.#onFile - this.#synced), 0, this.#onFile - this.#synced, this.#synced);
    } catch {
      try {
        ftruncateSync(this.#fd, this.#synced);
      } catch {
        // Nothing more can be done here; these rows were never acknowledged.
      }
    }
    this.#written = this.#onFile = this.#synced;
    this.#queue = [];
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w.reject(err);
    this.#idle();
    this.#onFail(this);
  }
}
