/**
 * Free space on the data directory's filesystem, for the embedded store's admission control: an
 * event is acknowledged only while the disk can still take the loads that must follow it.
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
