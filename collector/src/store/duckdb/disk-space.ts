/**
 * Free space on the data directory's filesystem, and the embedded store's admission control on
 * it: an event is acknowledged only while the disk can still take the loads that must follow it.
 *
 * Read with statfs(2) once a second, in libuv's thread pool, never on a request's path. Journal
 * segments are preallocated, so what is acknowledged between two readings takes little new space;
 * the reserve the store keeps (CAIRN_MIN_FREE_MB) absorbs the rest.
 */
import { statfs } from 'node:fs/promises';

/** What statfs reports that matters here (injectable for tests). */
export type StatFs = (dir: string) => Promise<{ bavail: number; bsize: number }>;

export class DiskSpace {
  readonly dir: string;
  #statfs: StatFs;
  #free = Number.POSITIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  #reading: Promise<number> | null = null;

  constructor(dir: string, options: { statfs?: StatFs } = {}) {
    this.dir = dir;
    this.#statfs = options.statfs ?? statfs;
  }

  /** Bytes this process may still write there, at the last reading. */
  get free(): number {
    return this.#free;
  }

  /** Reads the filesystem's free space now (one reading at a time); resolves with it. */
  refresh(): Promise<number> {
    this.#reading ??= (async () => {
      try {
        const s = await this.#statfs(this.dir);
        this.#free = s.bavail * s.bsize;
      } catch {
        // A filesystem that cannot say (unusual) is not refused for it: keep the last reading.
      }
      return this.free;
    })().finally(() => (this.#reading = null));
    return this.#reading;
  }

  /** Reads every `intervalMs` and calls `onReading` after each reading. */
  start(intervalMs: number, onReading: (free: number) => void): void {
    this.stop();
    this.#timer = setInterval(() => void this.refresh().then(onReading), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

/** Whether appends are refused for want of disk space, with the figures that decided it (bytes). */
export interface DiskState {
  low: boolean;
  free: number;
  needed: number;
}

export const DEFAULT_MIN_FREE_BYTES = 256 << 20;

/** How often the data directory's free space is read. */
const DISK_CHECK_MS = 1000;

/**
 * Refuses appends while the free space is below what loading the journal needs (twice what waits
 * in it: a copy, then DuckDB's log and checkpoint) plus a reserve, so that an acknowledged event
 * can always be loaded once space returns.
 */
export class DiskAdmission {
  #space: DiskSpace;
  #minFree: number;
  #pendingBytes: () => number;
  #onChange: (state: DiskState) => void;
  #low = false;

  /** `pendingBytes`: what waits in the journal; `onChange`: appends start or stop being refused. */
  constructor(
    dir: string,
    options: { minFreeBytes?: number; statfs?: StatFs; pendingBytes: () => number; onChange: (state: DiskState) => void },
  ) {
    this.#space = new DiskSpace(dir, options.statfs ? { statfs: options.statfs } : {});
    this.#minFree = options.minFreeBytes ?? DEFAULT_MIN_FREE_BYTES;
    this.#pendingBytes = options.pendingBytes;
    this.#onChange = options.onChange;
  }

  /** Appends are refused: the disk is too full to load them (as of the last check). */
  get low(): boolean {
    return this.#low;
  }

  /** Free bytes at the last reading. */
  get free(): number {
    return this.#space.free;
  }

  /** Free space the next loads need: the reserve, and twice what waits in the journal. */
  needed(): number {
    return this.#minFree + 2 * this.#pendingBytes();
  }

  /**
   * Decides whether appends are refused, from the last reading of the free space. Once refusing,
   * appends resume with a quarter of the reserve to spare, so that the state does not flap.
   */
  check(): boolean {
    const free = this.#space.free;
    const needed = this.needed();
    const low = free < needed + (this.#low ? this.#minFree / 4 : 0);
    if (low !== this.#low) {
      this.#low = low;
      this.#onChange({ low, free, needed });
    }
    return low;
  }

  /** Reads the free space now and checks. */
  async read(): Promise<DiskState> {
    await this.#space.refresh();
    const low = this.check();
    return { low, free: this.#space.free, needed: this.needed() };
  }

  /** Reads and checks every second from now on. */
  start(): void {
    this.#space.start(DISK_CHECK_MS, () => this.check());
  }

  stop(): void {
    this.#space.stop();
  }
}
