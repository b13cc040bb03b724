/**
 * The live installation check: for a few minutes after a site owner opens it, what happens to
 * each event sent for that site — stored, or dropped and why — kept in memory, newest last, so
 * the dashboard can show in seconds whether the tracker works. Nothing is kept for a site nobody
 * is checking, and nothing beyond what the dashboard shows anyway (page, event name, browser,
 * device, country; for a drop, the part of the request that caused it).
 */
import { DROP_REASON_TEXT } from '../protocol/dropped.ts';
import type { LiveCheckEntry } from '../protocol/management-answers.ts';

/** How long a check listens after it was last asked. */
export const LIVE_CHECK_MS = 5 * 60_000;
/** The most recent entries kept per site. */
const KEEP = 50;

interface Watch {
  until: number;
  entries: LiveCheckEntry[];
  seq: number;
}

export class LiveCheck {
  #watches = new Map<string, Watch>();

  /** Starts or extends the check of a site; returns when it stops listening. */
  watch(site: string, now: number): number {
    const w = this.#watches.get(site);
    if (w) w.until = now + LIVE_CHECK_MS;
    else this.#watches.set(site, { until: now + LIVE_CHECK_MS, entries: [], seq: 0 });
    return now + LIVE_CHECK_MS;
  }

  /** Whether events of a site are being watched: one map lookup, none when no check runs. */
  watching(site: string, now: number): boolean {
    if (this.#watches.size === 0) return false;
    const w = this.#watches.get(site);
    return w !== undefined && w.until > now;
  }

  /** Notes what happened to one event of a watched site. */
  record(site: string, entry: Omit<LiveCheckEntry, 'seq' | 'label'>): void {
    const w = this.#watches.get(site);
    if (!w) return;
    const label = entry.outcome === 'stored' ? 'Stored' : DROP_REASON_TEXT[entry.outcome].label;
    w.entries.push({ ...entry, label, seq: ++w.seq });
    if (w.entries.length > KEEP) w.entries.shift();
  }

  /** The entries of a site after `seq` (the last one the caller saw), oldest first. */
  after(site: string, seq: number): LiveCheckEntry[] {
    return (this.#watches.get(site)?.entries ?? []).filter((e) => e.seq > seq);
  }

  /** Forgets the checks nobody asked about for their whole window (maintenance sweep). */
  sweep(now: number): void {
    for (const [site, w] of this.#watches) if (w.until <= now) this.#watches.delete(site);
  }
}
