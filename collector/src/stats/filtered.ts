/**
 * The filtered-traffic report (`GET /api/stats/:site/filtered`): the events the collector did not
 * count in a period, by reason and by day, with each reason in plain words (protocol/dropped.ts).
 * Drops are counted per UTC day, so the period's local days are read as UTC days.
 */
import { DROP_REASON_TEXT, DROP_REASONS, type DropReason, type FilteredAnswer } from '../protocol/dropped.ts';
import type { DropCount } from '../store/store.ts';
import { DAY_MS, utcDay } from '../time.ts';

/** Every day from `from` to `to`, both included. */
function daysOf(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(from), end = Date.parse(to); t <= end; t += DAY_MS) days.push(utcDay(t));
  return days;
}

const isReason = (r: string): r is DropReason => (DROP_REASONS as readonly string[]).includes(r);

/** The report of `from`…`to` (YYYY-MM-DD, both included) from a site's drop counts. */
export function filteredReport(counts: readonly DropCount[], from: string, to: string): FilteredAnswer {
  const byReason = new Map<DropReason, number>();
  const byDay = new Map<string, Partial<Record<DropReason, number>>>();
  for (const c of counts) {
    // A reason this version does not know (a newer collector's, on the same store) is left out.
    if (c.day < from || c.day > to || !isReason(c.reason)) continue;
    byReason.set(c.reason, (byReason.get(c.reason) ?? 0) + c.count);
    const day = byDay.get(c.day) ?? {};
    day[c.reason] = (day[c.reason] ?? 0) + c.count;
    byDay.set(c.day, day);
  }
  const reasons = [...byReason]
    .map(([reason, count]) => ({ reason, ...DROP_REASON_TEXT[reason], count }))
    .sort((a, b) => b.count - a.count || DROP_REASONS.indexOf(a.reason) - DROP_REASONS.indexOf(b.reason));
  const days = daysOf(from, to).map((day) => {
    const counts = byDay.get(day) ?? {};
    return { day, total: Object.values(counts).reduce((a, b) => a + b, 0), counts };
  });
  return { period: { from, to }, total: reasons.reduce((a, r) => a + r.count, 0), reasons, days };
}
