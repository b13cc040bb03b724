/**
 * The embedded store's stats, each query on a reader connection (`read`): realtime numbers,
 * funnels, vitals, and stats queries as rollups.ts plans them (rolled-up days from the rollups,
 * the rest from raw events through stats-sql.ts); queries over one period share a read.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Realtime, StatsRow, StatsSpec, StatsStore, VitalRow } from '../store.ts';
import type { Row } from './connections.ts';
import { streamEvents, streamExportText } from './events.ts';
import { localDay } from '../../time.ts';
import { emptyDaysBefore, rolledRun } from '../rollup-days.ts';
import { firstEventSql, plannedSql, propOf, rolledDaysSql, sharedSql, storedDaysSql, usesRollups } from './rollups.ts';
import { funnelSql, statsSql, vitalsSql } from './stats-sql.ts';

/** Runs one read-only query on a reader connection (read()), failures named after `operation`. */
export type Read = (operation: string, sql: string, params?: (string | number | boolean)[]) => Promise<Row[]>;

/** Visitors and pageviews on a site since `since`, the pages its visitors are on, its latest events. */
async function realtime(read: Read, site: string, since: number, opts: { pages?: number; recent?: number } = {}): Promise<Realtime> {
  const window = `site = ? AND ts >= epoch_ms(?::BIGINT)`;
  const [totals, pages, recent] = await Promise.all([
    read(
      'stats.realtime',
      `SELECT count(DISTINCT visitor) FILTER (WHERE name NOT IN ('engagement', 'vital'))::DOUBLE AS visitors,
              count(*) FILTER (WHERE name = 'pageview')::DOUBLE AS pageviews FROM events WHERE ${window}`,
      [site, since],
    ),
    // A visitor is on the page of their latest pageview.
    read(
      'stats.realtime',
      `SELECT page, count(*)::DOUBLE AS visitors FROM (
         SELECT arg_max(pathname, ts) AS page FROM events WHERE ${window} AND name = 'pageview' GROUP BY visitor
       ) GROUP BY page ORDER BY visitors DESC, page LIMIT ${Math.floor(opts.pages ?? 10)}`,
      [site, since],
    ),
    read(
      'stats.realtime',
      `SELECT epoch_ms(ts)::DOUBLE AS ts, name, pathname AS page, country, source, device FROM events
       WHERE ${window} AND name NOT IN ('engagement', 'vital') ORDER BY ts DESC LIMIT ${Math.floor(opts.recent ?? 20)}`,
      [site, since],
    ),
  ]);
  return {
    visitors: Number(totals[0]?.visitors ?? 0),
    pageviews: Number(totals[0]?.pageviews ?? 0),
    pages: pages as unknown as Realtime['pages'],
    recent: recent as unknown as Realtime['recent'],
  };
}

/** The visits of a spec's period, and how many of them went through each step in turn. */
async function funnel(read: Read, spec: StatsSpec, steps: readonly { kind: 'page' | 'event'; match: string }[]): Promise<{ visits: number; steps: number[] }> {
  const row = (await read('stats.funnel', funnelSql(spec, steps, await storedDay(read, spec))))[0]!;
  return { visits: Number(row.visits), steps: steps.map((_, i) => Number(row[`step${i + 1}`])) };
}

/** Web vitals by page, a page of them. */
async function vitals(read: Read, spec: StatsSpec, limit: number, offset: number): Promise<VitalRow[]> {
  return (await read('stats.vitals', vitalsSql(spec, limit, offset, await storedDay(read, spec)))) as unknown as VitalRow[];
}

/** The rows of one stats query. */
async function query(read: Read, spec: StatsSpec): Promise<StatsRow[]> {
  // Days the rollups do not answer read visit_events where it keeps them, raw events after.
  const [rolled, stored] = await Promise.all([usesRollups(spec) ? rolledDays(read, spec) : new Set<string>(), storedDay(read, spec)]);
  const sql = rolled.size > 0 ? plannedSql(spec, rolled, stored) : statsSql(spec, { stored });
  return (await read('stats.query', sql)) as unknown as StatsRow[];
}

/** The rows of several queries; those over the same period and filters share one read. */
async function queryMany(read: Read, specs: readonly StatsSpec[]): Promise<StatsRow[][]> {
  const one = (s: StatsSpec) => query(read, s);
  const [base] = specs;
  const same = (s: StatsSpec) =>
    s.site === base!.site && s.tz === base!.tz && s.from === base!.from && s.to === base!.to && JSON.stringify(s.filters) === JSON.stringify(base!.filters);
  if (specs.length < 2 || !specs.every(same) || specs.some((s) => s.revenueProp)) return Promise.all(specs.map(one));
  const [rolled, stored] = await Promise.all([
    specs.some(usesRollups) ? rolledDaysOfAll(read, specs.filter(usesRollups)) : new Set<string>(),
    storedDay(read, base!),
  ]);
  // Those that can use rollups share a read of the days not rolled up; the others, of all days.
  const groups = (rolled.size > 0 ? [specs.filter(usesRollups), specs.filter((s) => !usesRollups(s))] : [specs]).filter((g) => g.length > 0);
  const answers = new Map<StatsSpec, StatsRow[]>();
  await Promise.all(
    groups.map(async (group) => {
      if (group.length === 1) {
        answers.set(group[0]!, await one(group[0]!));
        return;
      }
      const sql = sharedSql(group, rolled, stored);
      const rows = group.map((): StatsRow[] => []);
      for (const { part, total, ...row } of await read('stats.queryMany', sql)) {
        rows[Number(part)]!.push((group[Number(part)]!.group.by === 'dimension' ? { ...row, total } : row) as unknown as StatsRow);
      }
      group.forEach((s, i) => answers.set(s, rows[i]!));
    }),
  );
  return specs.map((s) => answers.get(s)!);
}

/**
 * The days of a spec's period that rollups answer: rolled in the spec's time zone, not dirty,
 * holding its filter's value or its prop key; and those before its first event, which hold nothing
 * (a year's view of a site a month old reads its month from rollups, not every day's events).
 */
async function rolledDays(read: Read, spec: StatsSpec, sql = rolledDaysSql(spec)): Promise<Set<string>> {
  const rolled = (await read('stats.query', sql)).map((r) => String(r.d)).sort();
  if (rolled.length === 0) return new Set();
  // Before the first rolled day: the days before the period's first event there hold nothing.
  const [first] = await read('stats.query', firstEventSql(spec.site, spec.startUtc, localDay(rolled[0]!, spec.tz).toMillis()));
  const empty = first?.t === null || first?.t === undefined ? emptyDaysBefore({ ...spec, to: rolled[0]! }, localDay(rolled[0]!, spec.tz).toMillis()) : emptyDaysBefore(spec, Number(first.t));
  return new Set([...empty, ...rolled]);
}

/**
 * The last day of the run of a spec's days, from its first, whose events visit_events keeps
 * (or that hold nothing: before the site's first event), or null when its first day is not.
 */
async function storedDay(read: Read, spec: StatsSpec): Promise<string | null> {
  const { days, k } = rolledRun(spec, await rolledDays(read, spec, storedDaysSql(spec)));
  return k > 0 ? days[k - 1]! : null;
}

/**
 * The days rollups answer for every one of several specs over one period and filters: a prop
 * breakdown needs its key rolled up, the others only the filters' coverage.
 */
async function rolledDaysOfAll(read: Read, specs: readonly StatsSpec[]): Promise<Set<string>> {
  const needs = [specs.find((s) => propOf(s) === null) ?? specs[0]!, ...specs.filter((s) => propOf(s) !== null)];
  const sets = await Promise.all(needs.map((s) => rolledDays(read, s)));
  return new Set([...sets[0]!].filter((d) => sets.every((set) => set.has(d))));
}

/** Chunks streamed on a connection of its own, closed when they end or the reader stops: a long export must not hold up queries and loads. */
function onOwnConnection<T>(connect: () => Promise<DuckDBConnection>, stream: (conn: DuckDBConnection) => AsyncGenerator<T>): AsyncIterable<T> {
  return {
    async *[Symbol.asyncIterator]() {
      const conn = await connect();
      try {
        yield* stream(conn);
      } finally {
        conn.closeSync();
      }
    },
  };
}

/** The stats of the Store: queries on reader connections (`read`), exports on a connection of their own (`connect`). */
export const statsStore = (read: Read, connect: () => Promise<DuckDBConnection>): StatsStore => ({
  realtime: (site, since, opts) => realtime(read, site, since, opts),
  funnel: (spec, steps) => funnel(read, spec, steps),
  vitals: (spec, limit, offset) => vitals(read, spec, limit, offset),
  query: (spec) => query(read, spec),
  queryMany: (specs) => queryMany(read, specs),
  exportEvents: (site, startUtc, endUtc) => onOwnConnection(connect, (conn) => streamEvents(conn, site, startUtc, endUtc)),
  exportText: (site, startUtc, endUtc, format) => onOwnConnection(connect, (conn) => streamExportText(conn, site, startUtc, endUtc, format)),
});
