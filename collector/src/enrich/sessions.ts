/**
 * Server-side sessions: the same visitor with gaps under 30 minutes is one visit, and a visit
 * lasts at most 24 hours (so that the events of any visit lie within a day of each other, which
 * lets stats read a bounded window around a period).
 */
import { getRandomValues } from 'node:crypto';
import type { SessionTail } from '../store/store.ts';

export const SESSION_GAP_MS = 30 * 60_000;
export const MAX_SESSION_MS = 24 * 3_600_000;

interface Visit {
  id: number;
  first: number;
  last: number;
}

/** Whether an event at `ts` continues `v`: close to its last event, and within 24 h of its whole span. */
const continues = (v: Visit | undefined, ts: number, gap: number): boolean =>
  v !== undefined && Math.abs(ts - v.last) < gap && Math.max(v.last, ts) - Math.min(v.first, ts) < MAX_SESSION_MS;

/** A random positive integer below 2^53, exact in JSON and in a JS number. */
function newSessionId(): number {
  const [hi, lo] = getRandomValues(new Uint32Array(2)) as unknown as [number, number];
  return (hi & 0x1f_ffff) * 2 ** 32 + lo || 1;
}

export class Sessions {
  #gap: number;
  // Insertion order doubles as recency order: `touch` re-inserts, so expiry sweeps from the front.
  #open = new Map<string, Visit>();
  // The latest visit replayed from the past per visitor (server SDKs may send events up to 24 h old).
  #past = new Map<string, Visit>();

  constructor(gapMs = SESSION_GAP_MS) {
    this.#gap = gapMs;
  }

  /** Resumes sessions that were open when the previous process stopped. */
  seed(tails: readonly SessionTail[]): void {
    for (const t of [...tails].sort((a, b) => a.lastTs - b.lastTs)) this.#open.set(t.visitor, { id: t.session, first: t.firstTs, last: t.lastTs });
  }

  /** True when the visitor has a session that an event at `ts` would continue. */
  isOpen(visitor: string, ts: number): boolean {
    return continues(this.#open.get(visitor), ts, this.#gap);
  }

  /** The session of an event at `ts`: the visitor's open one, or a new one. */
  assign(visitor: string, ts: number): number {
    const s = this.#open.get(visitor);
    if (s && continues(s, ts, this.#gap)) {
      s.first = Math.min(s.first, ts);
      if (ts > s.last) {
        s.last = ts;
        // To the end of the map, which stays in order of last activity.
        this.#open.delete(visitor);
        this.#open.set(visitor, s);
      }
      return s.id;
    }
    // Server-sent events far older than the open visit form a visit of their own; the open one stays.
    if (s && ts < s.last) {
      const past = this.#past.get(visitor);
      if (past && continues(past, ts, this.#gap)) {
        past.first = Math.min(past.first, ts);
        past.last = Math.max(past.last, ts);
        return past.id;
      }
      const id = newSessionId();
      this.#past.set(visitor, { id, first: ts, last: ts });
      return id;
    }
    const id = newSessionId();
    this.#open.delete(visitor);
    this.#open.set(visitor, { id, first: ts, last: ts });
    return id;
  }

  /** Forgets sessions idle for longer than the gap. */
  sweep(now: number): void {
    for (const [visitor, s] of this.#open) {
      if (now - s.last < this.#gap) break;
      this.#open.delete(visitor);
      this.#past.delete(visitor);
    }
  }

  get size(): number {
    return this.#open.size;
  }
}
