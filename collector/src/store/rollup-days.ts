/**
 * What every adapter's rollups share: which dimensions they keep, when a day is closed, and
 * which specs and days they can answer.
 */
import { DateTime } from 'luxon';
import { DIMENSIONS } from '../protocol/query.ts';
import type { StatsSpec } from './store.ts';

/** The sums every stats row carries and every rollup row keeps (StatsRow without key and total). */
export const SUMS = ['visitors', 'visits', 'pageviews', 'events', 'bounces', 'visit_pageviews', 'duration', 'scroll_sum', 'scroll_n'] as const;

/** Dimensions kept in rollups (props are read from raw events). */
export const ROLLUP_DIMENSIONS = DIMENSIONS;

/** A day is closed 35 minutes after it ends: its last visits are over, the journal is loaded. */
export const CLOSE_AFTER_MS = 35 * 60_000;

/** The local days from the one holding `firstTs` that are closed at `now`. */
export function closedDays(firstTs: number, tz: string, now: number): string[] {
  const out: string[] = [];
  for (let d = DateTime.fromMillis(firstTs, { zone: tz }).startOf('day'); d.plus({ days: 1 }).toMillis() + CLOSE_AFTER_MS <= now; d = d.plus({ days: 1 })) out.push(d.toISODate()!);
  return out;
}

/** Whether rollups can answer a spec: no filters, and a grouping they hold. */
export const rollupable = (spec: StatsSpec) =>
  spec.filters.length === 0 &&
  (spec.group.by === 'none' ||
    (spec.group.by === 'time' && spec.group.interval !== 'hour') ||
    (spec.group.by === 'dimension' && (ROLLUP_DIMENSIONS as readonly string[]).includes(spec.group.dimension)));

/**
 * The days of a spec's period before the local day of the site's first event (`firstTs`, in the
 * spec's time zone): they hold nothing, so rollups answer them without rows. A year's view of a
 * site that is a month old reads its month from rollups instead of the raw events of every day.
 */
export function emptyDaysBefore(spec: StatsSpec, firstTs: number): string[] {
  const first = DateTime.fromMillis(firstTs, { zone: spec.tz }).toISODate()!;
  const out: string[] = [];
  for (let d = DateTime.fromISO(spec.from); d.toISODate()! < first && d.toISODate()! <= spec.to; d = d.plus({ days: 1 })) out.push(d.toISODate()!);
  return out;
}

/** The days of a spec, and how many of them, from the first on, are rolled up (or hold nothing: emptyDaysBefore). */
export function rolledRun(spec: StatsSpec, rolled: ReadonlySet<string>): { days: string[]; k: number } {
  const days: string[] = [];
  for (let d = DateTime.fromISO(spec.from); d.toISODate()! <= spec.to; d = d.plus({ days: 1 })) days.push(d.toISODate()!);
  let k = 0;
  while (k < days.length && rolled.has(days[k]!)) k++;
  return { days, k };
}
