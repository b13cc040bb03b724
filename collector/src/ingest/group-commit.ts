/**
 * Group commit: rows from concurrent requests are written together, in one durable append,
 * as soon as `maxRows` are waiting or the oldest has waited `maxDelayMs`. One append runs at a
 * time; rows arriving meanwhile form the next group, so groups grow with the load.
 */
import type { StoredEvent } from '../store/store.ts';

interface Waiting {
  rows: readonly StoredEvent[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class GroupCommit {
  #append: (rows: readonly StoredEvent[]) => Promise<void>;
  #maxRows: number;
  #maxDelayMs: number;
  #queue: Waiting[] = [];
  #queuedRows = 0;
  #writing: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(append: (rows: readonly StoredEvent[]) => Promise<void>, opts: { maxRows: number; maxDelayMs: number }) {
    this.#append = append;
    this.#maxRows = opts.maxRows;
    this.#maxDelayMs = opts.maxDelayMs;
  }

  /** Resolves once `rows` are durable; rejects (nothing acknowledged) if their group failed. */
  write(rows: readonly StoredEvent[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ rows, resolve, reject });
      this.#queuedRows += rows.length;
      if (this.#queuedRows >= this.#maxRows) this.#flush();
      else this.#timer ??= setTimeout(() => this.#flush(), this.#maxDelayMs);
    });
  }

  /** Waits until every row handed to `write` so far is written (or failed). */
  async drain(): Promise<void> {
    while (this.#queue.length > 0 || this.#writing) {
      this.#flush();
      await this.#writing;
    }
  }

  #flush(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    if (this.#writing || this.#queue.length === 0) return;
    const group = this.#queue;
    this.#queue = [];
    this.#queuedRows = 0;
    const rows = group.length === 1 ? group[0]!.rows : group.flatMap((w) => w.rows);
    this.#writing = this.#append(rows).then(
      () => {
        for (const w of group) w.resolve();
      },
      (err: unknown) => {
        for (const w of group) w.reject(err);
      },
    );
    void this.#writing.finally(() => {
      this.#writing = null;
      // Rows that queued up during this write have waited long enough.
      if (this.#queue.length > 0) this.#flush();
    });
  }
}
