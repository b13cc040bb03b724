/**
 * Daily salts: random, one per UTC day, created once in the store (so several collectors agree),
 * and destroyed 48 h after they were rotated out. Once a salt is gone, nobody — not even the
 * operator — can link a visitor id back to an IP and user agent.
 */
import { randomBytes } from 'node:crypto';
import type { SaltStore } from '../store/store.ts';
import { DAY_MS, utcDay } from '../time.ts';

export class DailySalts {
  #store: SaltStore;
  #byDay = new Map<string, Promise<Uint8Array>>();

  constructor(store: SaltStore) {
    this.#store = store;
  }

  /** The salt of a UTC day (`YYYY-MM-DD`), created on first use. */
  forDay(day: string): Promise<Uint8Array> {
    let salt = this.#byDay.get(day);
    if (!salt) {
      salt = this.#store.ensure(day, randomBytes(32));
      // A failed store call must not be cached: the next request tries again.
      salt.catch(() => this.#byDay.delete(day));
      this.#byDay.set(day, salt);
    }
    return salt;
  }

  /**
   * Destroys salts rotated out 48 h ago or more: the salt of day D is rotated out at D+1 00:00 UTC,
   * so at `now` every salt of a day before (today − 2) goes.
   */
  async destroyExpired(now: number): Promise<number> {
    const keepFrom = utcDay(now - 2 * DAY_MS);
    for (const day of this.#byDay.keys()) if (day < keepFrom) this.#byDay.delete(day);
    return this.#store.destroyBefore(keepFrom);
  }
}
