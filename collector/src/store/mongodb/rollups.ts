/**
 * Daily rollups on MongoDB, with the embedded store's semantics (store/duckdb/rollups.ts): one
 * local day of one site, every dimension value's sums, computed by the same pipeline that answers
 * raw queries (stats-pipeline.ts), so both paths agree by construction.
 *
 * Rolling a day is one server-side aggregation ending in `$merge`, writing the day's rows under a
 * new version; `rollup_days` then points readers at that version, and older versions are deleted.
 * Readers only read the version `rollup_days` names, so they never see half a day or two versions,
 * and a crash at any step leaves a state the next roll cleans up. A lease (a document with an
 * expiry) makes several collectors roll a day one at a time.
 */
import { DateTime } from 'luxon';
import { rangeOf } from '../../time.ts';
import { ROLLUP_DIMENSIONS, SUMS } from '../rollup-days.ts';
import type { StatsRow, StatsSpec } from '../store.ts';
import type { Doc } from './executor.ts';
import { C } from './queries.ts';
import { eventStages, sumsPipeline } from './stats-pipeline.ts';

const DAY_MS = 86_400_000;

/** How long a collector may hold a day's lease before another may take it over. */
export const LEASE_MS = 10 * 60_000;

/** The aggregation (over `events`) that writes one day's rollup rows under `version`. */
export function rollDayPipeline(site: { id: string; timezone: string }, day: string, version: string): Doc[] {
  const spec: StatsSpec = { site: site.id, ...rangeOf(day, day, site.timezone), filters: [], group: { by: 'dimensions', dimensions: ROLLUP_DIMENSIONS } };
  return [
    ...sumsPipeline(spec),
    {
      $project: {
        _id: { site: { $literal: site.id }, day: { $literal: day }, v: { $literal: version }, dimension: '$_id.d', value: '$_id.v' },
        site: { $literal: site.id },
        day: { $literal: day },
        v: { $literal: version },
        // '' (and value '') for the day's totals.
        dimension: '$_id.d',
        value: '$_id.v',
        ...Object.fromEntries(SUMS.map((m) => [m, 1])),
      },
    },
    { $merge: { into: C.rollups, on: '_id', whenMatched: 'replace', whenNotMatched: 'insert' } },
  ];
}

/**
 * The aggregation (over `events`) that writes one day's `visit_events` under `version`:
 * eventStages' documents (each event with its visit) of the day's events and of the later events
 * of visits starting in it (a visit lasts less than a day: its next day; they decide whether it
 * counts under a filter), for the queries rollups cannot answer (stats-pipeline.ts: keptSource).
 */
export function visitEventsPipeline(site: { id: string; timezone: string }, day: string, version: string): Doc[] {
  const spec: StatsSpec = { site: site.id, ...rangeOf(day, day, site.timezone), filters: [], group: { by: 'none' } };
  return [
    ...eventStages(spec),
    { $match: { $or: [{ inRange: true }, { 's.start': { $gte: new Date(spec.startUtc), $lt: new Date(spec.endUtc) } }] } },
    { $set: { _id: { e: '$_id', day: { $literal: day }, v: { $literal: version } }, day: { $literal: day }, v: { $literal: version } } },
    { $merge: { into: C.visitEvents, on: '_id', whenMatched: 'replace', whenNotMatched: 'insert' } },
  ];
}

/** Takes (or renews) a day's lease for `owner` unless another holds an unexpired one. */
export const leaseUpdate = (name: string, owner: string, now: number) => ({
  filter: { _id: name, $or: [{ expiresAt: { $lt: new Date(now) } }, { owner }] },
  update: { $set: { owner, expiresAt: new Date(now + LEASE_MS) } },
});

/** The rolled days of a site in its current time zone, with the version to read for each. */
export const rolledDaysQuery = (site: string, tz: string, from?: string, to?: string) => ({
  site,
  timezone: tz,
  dirty: false,
  ...(from && to ? { day: { $gte: from, $lte: to } } : {}),
});

/**
 * Rolled days that events in [min, max] may change: local days lie within 14 hours of UTC days,
 * and a visit starts at most a day before its events.
 */
export const nearRolledDays = (site: string, min: number, max: number) => ({
  site,
  dirty: false,
  day: { $gte: new Date(min - 2 * DAY_MS).toISOString().slice(0, 10), $lte: new Date(max + DAY_MS).toISOString().slice(0, 10) },
});

/** When each of some visits started (their first event that is not a tracker report). */
export const visitStartsPipeline = (site: string, sessions: readonly number[], min: number): Doc[] => [
  { $match: { site, session: { $in: sessions }, ts: { $gte: new Date(min - 2 * DAY_MS) }, name: { $nin: ['engagement', 'vital'] } } },
  { $group: { _id: '$session', start: { $min: '$ts' } } },
];

/** The sums per key of some rolled days (each at its version) for a spec's grouping. */
export function fromRollupsPipeline(spec: StatsSpec, versions: ReadonlyMap<string, string>): Doc[] {
  const g = spec.group;
  const dimension = g.by === 'dimension' ? g.dimension : '';
  return [
    { $match: { site: spec.site, dimension, $or: [...versions].map(([day, v]) => ({ day, v })) } },
    // Per day for a time series (relabelled by `relabel`), else per value.
    { $group: { _id: g.by === 'time' ? '$day' : g.by === 'dimension' ? '$value' : '', ...Object.fromEntries(SUMS.map((m) => [m, { $sum: `$${m}` }])) } },
  ];
}

/** A day's label in a series of days, weeks (their Monday) or months. */
export function relabel(day: string, interval: 'hour' | 'day' | 'week' | 'month'): string {
  if (interval === 'week') return DateTime.fromISO(day).startOf('week').toISODate()!;
  return interval === 'month' ? day.slice(0, 7) : day;
}

/** Code point order, as MongoDB and DuckDB compare strings. */
const byCodePoints = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

const SORT_OF: Record<string, (r: StatsRow) => number | null> = {
  views_per_visit: (r) => (r.visits ? r.visit_pageviews / r.visits : null),
  bounce_rate: (r) => (r.visits ? r.bounces / r.visits : null),
  visit_duration: (r) => (r.visits ? r.duration / r.visits : null),
};

/**
 * Rows from several parts (rolled days and raw events) added up per key, then ordered (and for a
 * dimension, paged) as statsPipeline orders them: by the sort metric, largest first, no value
 * last, then by key.
 */
export function combineRows(spec: StatsSpec, parts: readonly Doc[][]): StatsRow[] {
  const g = spec.group;
  const sums = new Map<string, StatsRow>();
  for (const part of parts) {
    for (const doc of part) {
      const key = g.by === 'time' ? relabel(String(doc._id), g.interval) : String(doc._id);
      const row = sums.get(key) ?? (Object.fromEntries([['key', key], ...SUMS.map((m) => [m, 0])]) as unknown as StatsRow);
      for (const m of SUMS) row[m] += Number(doc[m] ?? 0);
      sums.set(key, row);
    }
  }
  const rows = [...sums.values()];
  if (g.by !== 'dimension') return rows.sort((a, b) => byCodePoints(a.key, b.key));
  const value = SORT_OF[g.sort] ?? ((r: StatsRow) => r[g.sort as 'visitors']);
  rows.sort((a, b) => {
    const [x, y] = [value(a), value(b)];
    if (x !== y) return y === null ? -1 : x === null ? 1 : y - x;
    return byCodePoints(a.key, b.key);
  });
  return rows.slice(g.offset, g.offset + g.limit).map((r) => ({ ...r, total: rows.length }));
}
