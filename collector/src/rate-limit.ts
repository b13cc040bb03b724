/** Token buckets per key (a client address, a site, an account): `perMinute` attempts, bursting up to that many. Ingest and logins use it. */
export class RateLimiter {
  #perMinute: number;
  #buckets = new Map<string, { tokens: number; at: number }>();

  /** `perMinute` 0 turns the limit off. */
  constructor(perMinute: number) {
    this.#perMinute = perMinute;
  }

  /** Takes `n` tokens; returns 0 when allowed, else the seconds to wait before retrying. */
  take(key: string, n: number, now: number): number {
    if (this.#perMinute === 0) return 0;
    const rate = this.#perMinute / 60_000;
    const b = this.#buckets.get(key) ?? { tokens: this.#perMinute, at: now };
    b.tokens = Math.min(this.#perMinute, b.tokens + (now - b.at) * rate);
    b.at = now;
    this.#buckets.set(key, b);
    // A batch larger than the whole budget passes on a full bucket and leaves it in debt.
    const need = Math.min(n, this.#perMinute);
    if (b.tokens >= need) {
      b.tokens -= n;
      return 0;
    }
    return Math.max(1, Math.ceil((need - b.tokens) / rate / 1000));
  }

  /** Drops buckets that have refilled completely (they hold no state worth keeping). */
  sweep(now: number): void {
    const rate = this.#perMinute / 60_000;
    for (const [key, b] of this.#buckets) if (b.tokens + (now - b.at) * rate >= this.#perMinute) this.#buckets.delete(key);
  }

  get size(): number {
    return this.#buckets.size;
  }
}
