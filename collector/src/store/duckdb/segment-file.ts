/**
 * One journal segment being written: group commit on one file. Appends made while a flush runs
 * wait in memory; when it ends, they go out in one positional write, made in libuv's thread pool
 * on a file opened with O_DSYNC (the write returns once its bytes are on disk, as a write and an
 * fdatasync would, in one system call and one hand-off), which acknowledges them all. Under load,
 * each flush is shared by every append made during the previous one.
 *
 * Segments are preallocated (zero-filled and synced once, then recycled): overwriting blocks that
 * already exist makes a synchronous write flush data only, about three times faster here than an
 * append, which must also commit the file's new size to the filesystem journal.
 */
import { closeSync, constants, ftruncateSync, openSync, write, writeSync } from 'node:fs';

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
    const { O_RDWR, O_CREAT, O_TRUNC, O_DSYNC } = constants;
    this.#fd = openSync(path, capacity > 0 ? O_RDWR | O_DSYNC : O_RDWR | O_CREAT | O_TRUNC | O_DSYNC, 0o644);
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

  /** Resolves once `buf` is on disk: when the synchronous write of the flush that carried it returns. */
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

  /** Writes what waits, durably, unless a flush is running (its end starts the next). */
  #flush(): void {
    if (this.#flushing || this.#failed || this.#queue.length === 0) return;
    const buf = this.#queue.length === 1 ? this.#queue[0]! : Buffer.concat(this.#queue);
    this.#queue = [];
    const start = this.#onFile;
    const target = this.#written;
    this.#flushing = true;
    const from = (off: number) =>
      write(this.#fd, buf, off, buf.length - off, start + off, (err, n) => {
        if (!err && off + n < buf.length) return from(off + n);
        this.#flushing = false;
        if (err) {
          this.#onFile = start + buf.length; // how much of it landed is unknown: #fail wipes it all
          return this.#fail(err);
        }
        this.#onFile = this.#synced = target;
        const done = this.#waiters.filter((w) => w.end <= target);
        this.#waiters = this.#waiters.filter((w) => w.end > target);
        for (const w of done) w.resolve();
        this.#flush();
        this.#idle();
      });
    from(0);
  }

  #idle(): void {
    if (this.#waiters.length > 0) return;
    const callbacks = this.#onIdle;
    this.#onIdle = [];
    for (const cb of callbacks) cb();
  }

  /**
   * A failed write: nothing after the last successful one was acknowledged,
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
