/**
 * Time helpers every part shares (ingest, enrichment, the store's rollups, the stats), kept here
 * so that none of them reaches into another for a date: UTC days, and runs of whole local days
 * in a site's time zone (DST days have 23 or 25 hours).
 */
import { DateTime } from 'luxon';

export const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of the UTC day holding `ms`. */
export const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A run of whole local days. */
export interface Range {
  tz: string;
  /** First and last local day, both included, YYYY-MM-DD. */
  from: string;
  to: string;
  /** UTC ms of the first day's start and of the day after the last one. */
  startUtc: number;
  endUtc: number;
}

/** The start of local day `d` (YYYY-MM-DD) in zone `tz`. */
export const localDay = (d: string, tz: string) => DateTime.fromISO(d, { zone: tz }).startOf('day');

/** The range from local day `from` to local day `to`, both included. */
export function rangeOf(from: string, to: string, tz: string): Range {
  return { tz, from, to, startUtc: localDay(from, tz).toMillis(), endUtc: localDay(to, tz).plus({ days: 1 }).startOf('day').toMillis() };
}

/** Today in the site's time zone. */
export const today = (tz: string, now: number) => DateTime.fromMillis(now, { zone: tz }).toISODate()!;
