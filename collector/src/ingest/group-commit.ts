/**
 * Group commit, first half: rows from the requests handled in one turn of the event loop are
 * handed to the store in one append (sooner, once `maxRows` rows are waiting). The store groups durability itself
 * (the embedded store's journal writes every append made during one durable write with the next), so
 * appends are not serialized here: a slow disk makes groups bigger, not queues longer.
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
  #queue: Waiting[] = [];
  #queuedRows = 0;
  #scheduled = false;
  #inFlight = new Set<Promise<void>>();

  constructor(append: (rows: readonly StoredEvent[]) => Promise<void>, opts: { maxRows: number }) {
    this.#append = append;
    this.#maxRows = opts.maxRows;
  }

  /** Resolves once `rows` are durable; rejects (nothing acknowledged) if their append failed. */
  write(rows: readonly StoredEvent[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ rows, resolve, reject });
      this.#queuedRows += rows.length;
      if (this.#queuedRows >= this.#maxRows) this.#flush();
      else if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  /** Waits until every row handed to `write` so far is written (or failed). */
  async drain(): Promise<void> {
    this.#flush();
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  #flush(): void {
    this.#scheduled = false;
    if (this.#queue.length === 0) return;
    const group = this.#queue;
    this.#queue = [];
    this.#queuedRows = 0;
    const rows = group.length === 1 ? group[0]!.rows : group.flatMap((w) => w.rows);
    let appended: Promise<void>;
    try {
      appended = this.#append(rows);
    } catch (err) {
      appended = Promise.reject(err);
    }
    const done = appended.then(
      () => {
        for (const w of group) w.resolve();
      },
      (err: unknown) => {
        for (const w of group) w.reject(err);
      },
    );
    this.#inFlight.add(done);
    void done.finally(() => this.#inFlight.delete(done));
  }
}
