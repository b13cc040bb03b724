/** Counts the events dropped at ingest per site, UTC day and reason, and writes the counts periodically. */
import type { DropReason } from '../protocol/dropped.ts';
import { utcDay } from '../time.ts';
import type { DropCount, DropCountStore } from '../store/store.ts';

export class DropCounter {
  #store: DropCountStore;
  #counts = new Map<string, DropCount>();

  constructor(store: DropCountStore) {
    this.#store = store;
  }

  count(site: string, reason: DropReason, now: number, n = 1): void {
    const day = utcDay(now);
    const key = `${site}\u0000${day}\u0000${reason}`;
    const c = this.#counts.get(key);
    if (c) c.count += n;
    else this.#counts.set(key, { site, day, reason, count: n });
  }

  /** Writes the counts gathered so far; on failure they are kept for the next flush. */
  async flush(): Promise<void> {
    if (this.#counts.size === 0) return;
    const batch = [...this.#counts.values()];
    this.#counts = new Map();
    try {
      await this.#store.add(batch);
    } catch (err) {
      for (const c of batch) this.count(c.site, c.reason as DropReason, Date.parse(c.day), c.count);
      throw err;
    }
  }
}
