/**
 * Periods in the site's time zone: which local days a query covers, the UTC instants that bound
 * them, the comparison period, and the buckets of a time series (DST days have 23 or 25 hours).
 */
import { DateTime } from 'luxon';
import type { Query } from '../protocol/query.ts';
import { localDay, rangeOf, today, type Range } from '../time.ts';

export type Interval = 'hour' | 'day' | 'week' | 'month';

const day = localDay;

/** The range a query's period covers, and the interval its time series uses by default. */
export function resolvePeriod(q: Query, tz: string, now: number): { range: Range; interval: Interval } {
  const anchor = day(q.period === 'today' ? today(tz, now) : (q.date ?? today(tz, now)), tz);
  const iso = (d: DateTime) => d.toISODate()!;
  switch (q.period) {
    case 'today':
    case 'day':
      return { range: rangeOf(iso(anchor), iso(anchor), tz), interval: q.interval ?? 'hour' };
    case '7d':
    case '30d': {
      const days = q.period === '7d' ? 7 : 30;
      return { range: rangeOf(iso(anchor.minus({ days: days - 1 })), iso(anchor), tz), interval: q.interval ?? 'day' };
    }
    case 'month':
      return { range: rangeOf(iso(anchor.startOf('month')), iso(anchor.endOf('month')), tz), interval: q.interval ?? 'day' };
    case '12mo':
      return { range: rangeOf(iso(anchor.minus({ months: 11 }).startOf('month')), iso(anchor.endOf('month')), tz), interval: q.interval ?? 'month' };
    case 'custom':
      return { range: rangeOf(q.from!, q.to!, tz), interval: q.interval ?? 'day' };
  }
}

/**
 * The period to compare with: the same number of days just before (`previous`; for a month or
 * 12 months, the previous calendar month or months), or the same dates a year earlier (`year`).
 */
export function comparisonOf(range: Range, q: Query): Range {
  const from = day(range.from, range.tz);
  const to = day(range.to, range.tz);
  const iso = (d: DateTime) => d.toISODate()!;
  if (q.compare === 'year') return rangeOf(iso(from.minus({ years: 1 })), iso(to.minus({ years: 1 })), range.tz);
  if (q.period === 'month' || q.period === '12mo') {
    const months = q.period === 'month' ? 1 : 12;
    return rangeOf(iso(from.minus({ months })), iso(from.minus({ days: 1 })), range.tz);
  }
  const days = Math.round(to.diff(from, 'days').days) + 1;
  return rangeOf(iso(from.minus({ days })), iso(from.minus({ days: 1 })), range.tz);
}

/** The bucket a local time falls in, as the label the API returns. */
export function bucketOf(local: DateTime, interval: Interval): string {
  switch (interval) {
    case 'hour':
      return local.toFormat("yyyy-MM-dd'T'HH:00");
    case 'day':
      return local.toISODate()!;
    case 'week':
      return local.startOf('week').toISODate()!;
    case 'month':
      return local.toFormat('yyyy-MM');
  }
}

/** Every bucket label of a range, in order (a time series lists empty buckets too). */
export function bucketsOf(range: Range, interval: Interval): string[] {
  const out: string[] = [];
  const step = interval === 'hour' ? { hours: 1 } : interval === 'day' ? { days: 1 } : interval === 'week' ? { weeks: 1 } : { months: 1 };
  let t = DateTime.fromMillis(range.startUtc, { zone: range.tz });
  if (interval === 'week') t = t.startOf('week');
  if (interval === 'month') t = t.startOf('month');
  while (t.toMillis() < range.endUtc) {
    const label = bucketOf(t, interval);
    if (out[out.length - 1] !== label) out.push(label);
    t = t.plus(step);
  }
  return out;
}
