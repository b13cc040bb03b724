/**
 * Client event ids seen in the last 24 h, per site: a repeated id is acknowledged and not stored.
 * An id whose first write is still in flight waits for that write: if it fails, the repeat fails
 * too, so nothing is acknowledged that was not stored.
 */
export const DEDUPE_WINDOW_MS = 24 * 3_600_000;

export class ClientIdWindow {
  // Insertion order is time order, so expiry sweeps from the front.
  #seen = new Map<string, number>();
  #inFlight = new Map<string, Promise<void>>();

  static key(site: string, id: string): string {
    return `${site}\u0000${id}`;
  }

  seed(entries: Iterable<{ site: string; clientId: string; ts: number }>): void {
    for (const e of [...entries].sort((a, b) => a.ts - b.ts)) this.#seen.set(ClientIdWindow.key(e.site, e.clientId), e.ts);
  }

  /** 'stored' if the id was stored, the pending write if it is in flight, or null if it is new. */
  lookup(key: string): 'stored' | Promise<void> | null {
    if (this.#seen.has(key)) return 'stored';
    return this.#inFlight.get(key) ?? null;
  }

  /** Marks ids as being written by `write`; they count as stored once it resolves. */
  track(keys: readonly string[], write: Promise<void>, now: number): void {
    for (const k of keys) this.#inFlight.set(k, write);
    write.then(
      () => {
        for (const k of keys) {
          this.#inFlight.delete(k);
          this.#seen.set(k, now);
        }
      },
      () => {
        for (const k of keys) this.#inFlight.delete(k);
      },
    );
  }

  sweep(now: number): void {
    for (const [k, at] of this.#seen) {
      if (now - at < DEDUPE_WINDOW_MS) break;
      this.#seen.delete(k);
    }
  }

  get size(): number {
    return this.#seen.size;
  }
}
