/**
 * Stats over raw events in DuckDB SQL, implementing the metric definitions of docs/api/stats.md:
 * visits are reconstructed from every event of the sessions the period touches, visitors are
 * distinct per local day (per hour for hourly series) and summed, filters read an event's own
 * fields or its visit's (entry/exit page, source, referrer, UTM). Rolled-up days keep their
 * events already joined to their visits (visit_events, rolled by rollups.ts): a period's run of
 * such days reads them instead of rebuilding its visits, and only the days after it (today) are
 * rebuilt from raw events.
 */
import { VITALS, type Filter, type FilterDimension, type Metric } from '../../protocol/query.ts';
import type { StatsSpec } from '../store.ts';
import { offsetsOf } from '../zone-offsets.ts';
import { localDay, rangeOf } from '../../time.ts';

const DAY_MS = 86_400_000;

/** Events that stand for a visitor doing something (not the tracker's own reports). */
const ACTIVE = `name NOT IN ('engagement', 'vital')`;
export const CUSTOM = `name NOT IN ('pageview', 'engagement', 'vital')`;
/** Sort expressions over the output columns, for each metric. */
const SORT: Record<Metric, string> = {
  visitors: 'visitors',
  visits: 'visits',
  pageviews: 'pageviews',
  events: 'events',
  views_per_visit: 'visit_pageviews / nullif(visits, 0)',
  bounce_rate: 'bounces / nullif(visits, 0)',
  visit_duration: 'duration / nullif(visits, 0)',
};
/** Bucket labels, as period.ts's bucketOf writes them. */
export const FORMATS = { hour: '%Y-%m-%dT%H:00', day: '%Y-%m-%d', week: '%Y-%m-%d', month: '%Y-%m' } as const;

/** Visit dimensions: read from the visit (`s.`), taken from its first event or its pageviews. */
const VISIT_COLUMNS: Partial<Record<string, string>> = {
  entry_page: 'entry_page',
  exit_page: 'exit_page',
  source: 'source',
  referrer: 'referrer',
  utm_source: 'utm_source',
  utm_medium: 'utm_medium',
  utm_campaign: 'utm_campaign',
  utm_term: 'utm_term',
  utm_content: 'utm_content',
};
const EVENT_COLUMNS: Partial<Record<string, string>> = { page: 'pathname', country: 'country', device: 'device', browser: 'browser', os: 'os', event: 'name' };

/**
 * Where a dimension's value comes from, as SQL over
 * - `joined`: an event (`e.`) joined to its visit (`s.`);
 * - `flat`: a row of the filtered events relation (visitCtes' `e`), where the visit's values are
 *   the `s_` columns;
 * - `raw`: an events row alone, reading a visit dimension from the event's own column (a visit's
 *   value is one of its events').
 * NULL reads as '(none)'.
 */
export function dimensionSql(d: FilterDimension, mode: 'joined' | 'flat' | 'raw' = 'joined'): string {
  const e = mode === 'joined' ? 'e.' : '';
  const visit = VISIT_COLUMNS[d];
  const col = d.startsWith('prop:')
    ? `json_extract_string(${e}props, ${literal(`$."${d.slice(5).replaceAll('"', '\\"')}"`)})`
    : visit
      ? mode === 'joined'
        ? `s.${visit}`
        : mode === 'flat'
          ? `s_${visit}`
          : d === 'entry_page' || d === 'exit_page'
            ? 'pathname'
            : visit
      : EVENT_COLUMNS[d] && `${e}${EVENT_COLUMNS[d]}`;
  if (!col) throw new Error(`unknown dimension ${d}`);
  return `coalesce(${col}, '(none)')`;
}

export const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * The local wall-clock time of a naive-UTC timestamp column, as a naive TIMESTAMP, for instants in
 * [from, to). The same as DuckDB's timezone() there, but a few comparisons instead of a time zone
 * lookup per row (which dominated short queries).
 */
export function localSql(tz: string, from: number, to: number, col: string): string {
  const { offset, changes } = offsetsOf(tz, from, to);
  if (changes.length === 0) return `(${col} + to_minutes(${offset}))`;
  const cases = changes.map((c, i) => `WHEN ${col} < epoch_ms(${c.at}::BIGINT) THEN ${i === 0 ? offset : changes[i - 1]!.offset}`).join(' ');
  return `(${col} + to_minutes(CASE ${cases} ELSE ${changes.at(-1)!.offset} END))`;
}

/** Local time of a column for a spec's events (which lie within a day of its period), by localSql. */
export const specLocalSql = (spec: StatsSpec, col: string) => localSql(spec.tz, spec.startUtc - DAY_MS, spec.endUtc + DAY_MS, col);

/** A `*` pattern as a LIKE pattern: `*` → `%`, and LIKE's own `%`, `_` and `\` escaped. */
const globToLike = (glob: string) => glob.replace(/[\\%_]/g, '\\$&').replaceAll('*', '%');

/** The SQL condition of one filter on a value expression. */
function predicateSql(f: Filter, col: string): string {
  const values = f.values.map(literal).join(', ');
  if (f.op === 'is') return `${col} IN (${values})`;
  if (f.op === 'is_not') return `${col} NOT IN (${values})`;
  if (f.op === 'matches') return `(${f.values.map((v) => `${col} LIKE ${literal(globToLike(v))} ESCAPE '\\'`).join(' OR ')})`;
  return `(${f.values.map((v) => `contains(lower(${col}), lower(${literal(v)}))`).join(' OR ')})`;
}

/** The same condition in JavaScript, for one value. */
function predicateHolds(f: Filter, x: string): boolean {
  if (f.op === 'is') return f.values.includes(x);
  if (f.op === 'is_not') return !f.values.includes(x);
  if (f.op === 'matches') return f.values.some((v) => new RegExp(`^${v.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`, 's').test(x));
  return f.values.some((v) => x.toLowerCase().includes(v.toLowerCase()));
}

/** The filters on an event's own fields (`raw`) or on its visit's (`joined`: the event `e.` joined to its visit `s.`). */
function filterSql(spec: StatsSpec, on: 'event' | 'visit'): string {
  return spec.filters
    .filter((f) => (on === 'visit') === Boolean(VISIT_COLUMNS[f.dimension]))
    .map((f) => ` AND ${propsGuard(f)}${predicateSql(f, dimensionSql(f.dimension, on === 'visit' ? 'joined' : 'raw'))}`)
    .join('');
}

/**
 * For a prop filter that an event without the prop fails, `props IS NOT NULL AND `: a condition
 * a table scan checks by itself, before the JSON of the few events with props is read.
 */
const propsGuard = (f: Filter) => (f.dimension.startsWith('prop:') && !predicateHolds(f, '(none)') ? 'props IS NOT NULL AND ' : '');

/**
 * Conditions that any visit passing the filters meets, each on one of its events, so that visits
 * are rebuilt and joined to their events only for sessions that can count: one of its events
 * passes every event filter; for each visit filter, one of its events has a passing value (a visit
 * takes its source, referrer and UTM tags from its first event, its entry and exit pages from its
 * pageviews).
 */
function candidateConditions(spec: StatsSpec): string[] {
  const events = spec.filters.filter((f) => !VISIT_COLUMNS[f.dimension]);
  const out = events.length > 0 ? [events.map((f) => predicateSql(f, dimensionSql(f.dimension, 'raw'))).join(' AND ')] : [];
  for (const f of spec.filters) {
    if (!VISIT_COLUMNS[f.dimension]) continue;
    const page = f.dimension === 'entry_page' || f.dimension === 'exit_page';
    // A visit without pageviews has entry and exit page '(none)', which no pageview shows.
    if (page && predicateHolds(f, '(none)')) continue;
    out.push(`${page ? `name = 'pageview' AND ` : ''}${predicateSql(f, dimensionSql(f.dimension, 'raw'))}`);
  }
  return out;
}

/** The dimensions a set of groupings breaks down by. */
export const dimensionsOf = (groups: readonly StatsSpec['group'][]) => [
  ...new Set(groups.flatMap((g) => (g.by === 'dimension' ? [g.dimension] : g.by === 'dimensions' ? g.dimensions : []))),
];

const rangeSql = (spec: StatsSpec) => (col: string) =>
  `${col} >= epoch_ms(${spec.startUtc}::BIGINT) AND ${col} < epoch_ms(${spec.endUtc}::BIGINT)`;

/**
 * The common part of every stats query: the visits the period touches that can pass the filters
 * (s: one row per session with its start, source, entry and exit pages, pageviews and engaged
 * time), and their events that pass the filters (e: each with its local time, whether it is in the period, and
 * its visit's values as `s_` columns). With `materialized`, s is computed once for the several
 * places that read it (e, and each grouping's visits). With `stored`, e's rows of the days up to
 * that one come from visit_events, which holds the same rows.
 */
export function visitCtes(spec: StatsSpec, opts: VisitOptions = {}): string {
  const stored = opts.stored !== undefined && opts.stored !== null && opts.stored >= spec.from ? (opts.stored < spec.to ? opts.stored : spec.to) : null;
  if (stored === null) return rawVisitCtes(spec, opts);
  const kept = storedEventsSql(spec, stored, opts);
  if (stored === spec.to) return `WITH e AS (\n  ${kept}\n)`;
  // The days after the run kept in visit_events, from raw events; a visit of the run's last day
  // that goes on into them is counted by the kept part only (it starts in that part's days).
  const rest: StatsSpec = { ...spec, ...rangeOf(localDay(stored, spec.tz).plus({ days: 1 }).toISODate()!, spec.to, spec.tz) };
  return `${rawVisitCtes(rest, opts, 'e_raw')}, e AS (
  ${kept}
  UNION ALL BY NAME
  SELECT * FROM e_raw
)`;
}

/** How visitCtes builds `e`. */
export interface VisitOptions {
  /** Compute the visits (s) once, for the several places that read them. */
  materialized?: boolean;
  /** The groupings that will read e (only the visit values they read are computed). */
  groups?: readonly StatsSpec['group'][];
  /** Carry the events' props. */
  props?: boolean;
  /**
   * The last day of a run of the period's days, from its first, whose events visit_events keeps
   * (rolled up: rollups.ts's storedDaysSql), or null: those days are read from there, not rebuilt
   * from raw events.
   */
  stored?: string | null;
  /** Carry each event's time and row id (ts, rid): what visit_events keeps. */
  keep?: boolean;
}

/** The visit's values the groupings read (only those are computed), and whether props are carried. */
function carried(spec: StatsSpec, { groups = [spec.group], props = false }: VisitOptions) {
  const visitColumns = [...new Set(dimensionsOf(groups).flatMap((d) => VISIT_COLUMNS[d] ?? []))];
  // Props (JSON text, the widest column) are carried only when a grouping, a revenue sum or the caller reads them.
  const readsProps = props || Boolean(spec.revenueProp) || dimensionsOf(groups).some((d) => d.startsWith('prop:'));
  return { visitColumns, readsProps };
}

/**
 * visitCtes' `e` for the days from the period's first to `stored`, read from visit_events: its
 * rows of those days that pass the filters, with whether their visit starts in the period.
 */
function storedEventsSql(spec: StatsSpec, stored: string, opts: VisitOptions): string {
  const { visitColumns, readsProps } = carried(spec, opts);
  const visitFilters = spec.filters
    .filter((f) => VISIT_COLUMNS[f.dimension])
    .map((f) => ` AND ${predicateSql(f, dimensionSql(f.dimension, 'flat'))}`)
    .join('');
  return `SELECT${opts.keep ? ' ts, rid,' : ''} session, visitor, name,${readsProps ? ' props,' : ''} pathname, country, device, browser, os, scroll_depth,
    lts, active, in_range, s_start, ${rangeSql(spec)('s_start')} AS s_in, s_pv, s_bounce, s_dur${visitColumns.map((c) => `, s_${c}`).join('')}
  FROM visit_events
  WHERE site = ${literal(spec.site)} AND day BETWEEN ${literal(spec.from)}::DATE AND ${literal(stored)}::DATE${filterSql(spec, 'event')}${visitFilters}`;
}

/** visitCtes from raw events alone, its filtered events named `name`. */
function rawVisitCtes(spec: StatsSpec, opts: VisitOptions, name = 'e'): string {
  const { materialized = false } = opts;
  const { visitColumns, readsProps } = carried(spec, opts);
  // The visit's values computed: those the groupings and the visit filters read.
  const computed = new Set([...visitColumns, ...spec.filters.flatMap((f) => VISIT_COLUMNS[f.dimension] ?? [])]);
  const visitValue = (col: string, sql: string) => (computed.has(col) ? `\n    ${sql} AS ${col},` : '');
  const inRange = rangeSql(spec);
  const firstActive = (col: string) => `arg_min(${col}, (ts, rid)) FILTER (WHERE ${ACTIVE})`;
  // A visit lasts at most 24 hours (enrich/sessions.ts): its events lie within a day of the period.
  const window = `ts >= epoch_ms(${spec.startUtc - DAY_MS}::BIGINT) AND ts < epoch_ms(${spec.endUtc + DAY_MS}::BIGINT)`;
  const eventFilters = filterSql(spec, 'event');
  // The sessions that can count: those with an event in the period that meet the candidate
  // conditions. They are found first, and only their events read (a: as a semi join), when that
  // likely leaves out most events around the period: a period of a day or two (the window around
  // it is then mostly other days), or a filter that keeps some values (is, contains, matches).
  // Otherwise (a long period, no filters or only is_not) nearly every session counts: each is
  // grouped once and kept when it qualifies, which costs less than matching every event against a
  // list of nearly all sessions.
  const site = literal(spec.site);
  const conditions = candidateConditions(spec);
  const narrow = spec.endUtc - spec.startUtc <= 2 * DAY_MS || spec.filters.some((f) => f.op !== 'is_not');
  const around = `SELECT *, rowid AS rid FROM events WHERE site = ${site} AND ${window}`;
  const sessions = narrow
    ? `touched AS (
  SELECT DISTINCT session FROM events WHERE site = ${site} AND ${inRange('ts')}${conditions
    .map((c) => ` AND session IN (SELECT session FROM events WHERE site = ${site} AND ${window} AND ${c})`)
    .join('')}
), a AS (
  ${around} AND session IN (SELECT session FROM touched)
), `
    : '';
  const qualifies = narrow ? '' : `\n  HAVING bool_or(${inRange('ts')})${conditions.map((c) => ` AND bool_or(${c})`).join('')}`;
  // With filters on events' own fields, e reads the table again: they are checked as it is
  // scanned, and its join to s leaves out the other sessions.
  const filtered = eventFilters ? `(SELECT *, rowid AS rid FROM events WHERE site = ${site} AND ${window}${eventFilters})` : narrow ? 'a' : `(${around})`;
  return `WITH ${sessions}s AS ${materialized ? 'MATERIALIZED ' : ''}(
  -- The visits that can count. A visit starts with its first event that is not the tracker's own
  -- report, and takes its source, referrer and campaign from it.
  SELECT session,
    min(ts) FILTER (WHERE ${ACTIVE}) AS start,${['source', 'referrer', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content']
      .map((c) => visitValue(c, firstActive(c)))
      .join('')}${visitValue('entry_page', `arg_min(pathname, (ts, rid)) FILTER (WHERE name = 'pageview')`)}${visitValue(
      'exit_page',
      `arg_max(pathname, (ts, rid)) FILTER (WHERE name = 'pageview')`,
    )}
    count(*) FILTER (WHERE name = 'pageview') AS pv,
    count(*) FILTER (WHERE ${CUSTOM}) AS customs,
    coalesce(sum(engaged_ms) FILTER (WHERE name = 'engagement'), 0) AS dur
  FROM ${narrow ? 'a' : `(${around})`}
  GROUP BY session${qualifies}
), ${name} AS (
  -- The events of those visits that pass the filters, with their visit's values.
  SELECT${opts.keep ? ' e.ts, e.rid,' : ''} e.session, e.visitor, e.name,${readsProps ? ' e.props,' : ''} e.pathname, e.country, e.device, e.browser, e.os, e.scroll_depth,
    ${specLocalSql(spec, 'e.ts')} AS lts, e.${ACTIVE} AS active, ${inRange('e.ts')} AS in_range,
    s.start AS s_start, ${inRange('s.start')} AS s_in, s.pv AS s_pv, s.pv = 1 AND s.customs = 0 AS s_bounce, s.dur AS s_dur${visitColumns.map((c) => `, s.${c} AS s_${c}`).join('')}
  FROM ${filtered} e JOIN s USING (session)
  WHERE true${filterSql(spec, 'visit')}
)`;
}

/** The column holding a dimension's value, in groupedCte's `l` and in shared-sums.ts's `ek`. */
export const keyColumn = (d: FilterDimension) => `"k ${d.replaceAll('"', '""')}"`;

/**
 * `l`: visitCtes' filtered events (e) counted per session, visitor, local day (hour when a
 * grouping is hourly), whether in the period, and value of every dimension the groupings read.
 * Every sum a grouping needs is a sum over these rows, and there are several times fewer of them
 * than events (a visit's events mostly share their values), so each grouping reads `l` instead
 * of the events.
 */
export function groupedCte(spec: StatsSpec, groups: readonly StatsSpec['group'][] = [spec.group]): string {
  const unit = groups.some((g) => g.by === 'time' && g.interval === 'hour') ? 'hour' : 'day';
  const revenue = spec.revenueProp && `TRY_CAST(json_extract_string(props, ${literal(`$."${spec.revenueProp.replaceAll('"', '\\"')}"`)}) AS DOUBLE)`;
  return `, l AS MATERIALIZED (
  SELECT session, visitor, in_range, date_trunc('${unit}', lts) AS b${dimensionsOf(groups)
    .map((d) => `, ${dimensionSql(d, 'flat')} AS ${keyColumn(d)}`)
    .join('')},
    count(*) FILTER (WHERE name = 'pageview') AS pv,
    count(*) FILTER (WHERE ${CUSTOM}) AS ev,
    sum(scroll_depth) FILTER (WHERE name = 'engagement') AS ss,
    count(scroll_depth) FILTER (WHERE name = 'engagement') AS sn,
    count(*) FILTER (WHERE active) AS act,
    -- The visit's values (one per session: taken, not grouped by).
    any_value(s_start) AS s_start, any_value(s_in) AS s_in, any_value(s_pv) AS s_pv, any_value(s_bounce) AS s_bounce, any_value(s_dur) AS s_dur${revenue ? `,
    sum(${revenue}) AS rev` : ''}
  FROM e GROUP BY session, visitor, in_range, b${dimensionsOf(groups).map((d) => `, ${keyColumn(d)}`).join('')}
)`;
}

/**
 * Per-key sums of a grouping over groupedCte's `l` and visitCtes' visits (s); rows have `key`
 * and the raw sums the service turns into metrics. With `per` (a dimension groupedCte's groups
 * include), the sums are per value of it (column `per`) and key: as if filtered on each value.
 */
export function sumsSql(spec: StatsSpec, g: StatsSpec['group'], { per }: { per?: FilterDimension } = {}): string {
  const label = (col: string) => (g.by === 'time' ? `strftime(date_trunc('${g.interval}', ${col}), '${FORMATS[g.interval]}')` : '');
  // The key an event counts under. With several dimensions (rollups), each event counts once per
  // dimension, under "dimension<TAB>value", and the totals under "".
  const eventKey =
    g.by === 'none'
      ? `''`
      : g.by === 'time'
        ? label('b')
        : g.by === 'dimension'
          ? keyColumn(g.dimension)
          : `unnest([${[`''`, ...g.dimensions.map((d) => `${literal(`${d}	`)} || ${keyColumn(d)}`)].join(', ')}])`;
  const keyed = `(SELECT *, ${eventKey} AS key${per ? `, ${keyColumn(per)} AS per` : ''} FROM l)`;
  const by = per ? 'per, key' : 'key';
  // A visit counts under the keys of its matching events, or in a time series, its start's bucket.
  const visitKey = g.by === 'time' ? label(specLocalSql(spec, 's_start')) : 'key';
  // Visitors are distinct per local day (per hour in an hourly series), then summed.
  const unit = g.by === 'time' && g.interval === 'hour' ? 'hour' : 'day';
  // Over one local day (not by hour), visitors are distinct over the rows counted: one aggregation.
  const oneDay = spec.from === spec.to && unit === 'day';
  const revenue = spec.revenueProp ? ', revenue' : '';
  // Each part sums some columns (0 for the others); the parts' rows are added up per key.
  const counts = `SELECT ${by}, ${oneDay ? 'count(DISTINCT visitor) FILTER (WHERE act > 0)' : '0'} AS visitors, 0 AS visits,
    sum(pv) AS pageviews, sum(ev) AS events, 0 AS bounces, 0 AS visit_pageviews, 0 AS duration,
    coalesce(sum(ss), 0) AS scroll_sum, sum(sn) AS scroll_n${revenue && ', coalesce(sum(rev), 0) AS revenue'}
  FROM ${keyed} WHERE in_range GROUP BY ${by}`;
  const visitors = `SELECT ${by}, sum(n), 0, 0, 0, 0, 0, 0, 0, 0${revenue && ', 0'} FROM (
    SELECT ${by}, count(DISTINCT visitor) AS n FROM ${keyed} WHERE in_range AND act > 0 GROUP BY ${by}, date_trunc('${unit}', b)
  ) GROUP BY ${by}`;
  // Visits that start in the period and have a matching event (then or later).
  const visits = `SELECT ${per ? 'per, ' : ''}${visitKey}, 0, count(*), 0, 0, count(*) FILTER (WHERE s_bounce), sum(s_pv), sum(s_dur), 0, 0${revenue && ', 0'}
  FROM (SELECT DISTINCT ${per ? 'per, ' : ''}${g.by === 'time' ? 's_start' : 'key'}, session, s_bounce, s_pv, s_dur FROM ${keyed} WHERE act > 0 AND s_in)
  GROUP BY ${per ? '1, 2' : '1'}`;
  return `SELECT ${by}, ${['visitors', 'visits', 'pageviews', 'events', 'bounces', 'visit_pageviews', 'duration', 'scroll_sum', 'scroll_n']
    .map((c) => `sum(${c})::DOUBLE AS ${c}`)
    .join(', ')}${revenue && ', sum(revenue)::DOUBLE AS revenue'}
FROM (
  ${[counts, ...(oneDay ? [] : [visitors]), visits].join('\nUNION ALL\n  ')}
) GROUP BY ${by}`;
}

/** The SQL answering a spec; rows have `key` and the raw sums the service turns into metrics. */
export function statsSql(spec: StatsSpec, { tail = true, stored = null }: { tail?: boolean; stored?: string | null } = {}): string {
  const g = spec.group;
  const ctes = `${visitCtes(spec, { materialized: true, stored })}${groupedCte(spec)}`;
  if (!tail) return `${ctes}
${sumsSql(spec, g)}`;
  return `${ctes}
SELECT *${g.by === 'dimension' ? ', count(*) OVER ()::DOUBLE AS total' : ''} FROM (${sumsSql(spec, g)})
${tailSql(g)}`;
}

/** The sort expression of a metric over a row of sums. */
export const sortSql = (m: Metric) => SORT[m];

/** Ordering (and, for a dimension, paging) of the final rows. */
export function tailSql(g: StatsSpec['group']): string {
  return g.by === 'dimension' ? `ORDER BY ${SORT[g.sort]} DESC NULLS LAST, key LIMIT ${g.limit} OFFSET ${g.offset}` : 'ORDER BY key';
}

/** Whether an event (of CTE `a`) completes a goal or a funnel step. */
export function stepSql(step: { kind: 'page' | 'event'; match: string }, t = 'a'): string {
  return step.kind === 'page'
    ? `${t}.name = 'pageview' AND ${t}.pathname LIKE ${literal(globToLike(step.match))} ESCAPE '\\'`
    : `${t}.name = ${literal(step.match)}`;
}

/**
 * A funnel: of the visits the period counts (they start in it and, with filters, have a matching
 * event), how many completed step 1, then step 2 after it, and so on, in one visit. Each step
 * takes the earliest event after the previous step's (in time, then arrival, order), so one event
 * never completes two steps. One row: `step1` … `stepN`.
 */
export function funnelSql(spec: StatsSpec, steps: readonly { kind: 'page' | 'event'; match: string }[], stored: string | null = null): string {
  const site = literal(spec.site);
  const inPeriod = rangeSql(spec);
  // The run of days whose events visit_events keeps (from the first), and the days after it (raw events).
  const run = stored !== null && stored >= spec.from ? rangeOf(spec.from, stored < spec.to ? stored : spec.to, spec.tz) : null;
  const raw = run === null ? spec : run.to < spec.to ? { ...spec, ...rangeOf(localDay(run.to, spec.tz).plus({ days: 1 }).toISODate()!, spec.to, spec.tz) } : null;
  // A visit lasts at most 24 hours (enrich/sessions.ts): its events lie within a day of its period.
  const window = (r: StatsSpec) => `ts >= epoch_ms(${r.startUtc - DAY_MS}::BIGINT) AND ts < epoch_ms(${r.endUtc + DAY_MS}::BIGINT)`;
  const unfiltered = spec.filters.length === 0;
  // The visits counted. Without filters, those whose first event (not the tracker's own report)
  // is in the period: of the raw days, one grouping of their events (not their visits rebuilt);
  // of the kept run, the number of visits of its rollups and, for their events, every kept event
  // of a visit starting in the period. With filters, the visits of visitCtes' e that start in the period.
  const counted = unfiltered
    ? `counted AS MATERIALIZED (${
        raw === null
          ? 'SELECT NULL::BIGINT AS session WHERE false'
          : `
  SELECT session FROM events WHERE site = ${site} AND ${window(raw)}
  GROUP BY session HAVING ${rangeSql(raw)(`min(ts) FILTER (WHERE ${ACTIVE})`)}`
      }
)`
    : `${visitCtes(spec, { stored }).slice('WITH '.length)}, counted AS MATERIALIZED (
  SELECT DISTINCT session FROM e WHERE active AND ${inPeriod('s_start')}
)`;
  const visits =
    unfiltered && run !== null
      ? `(SELECT count(*) FROM counted) + (SELECT coalesce(sum(visits), 0) FROM rollups WHERE site = ${site} AND day BETWEEN ${literal(run.from)}::DATE AND ${literal(run.to)}::DATE AND dimension = '')`
      : '(SELECT count(*) FROM counted)';
  const completes = (t: string, whose: string) => `${steps.map((step, i) => `${stepSql(step, t)} AS s${i + 1}`).join(', ')}
    FROM ${t} WHERE site = ${site} AND ${whose} AND (${steps.map((step) => `(${stepSql(step, t)})`).join(' OR ')})`;
  const ofCounted = 'session IN (SELECT session FROM counted)';
  // The events of counted visits that complete some step (few), read once; `s<i>`: it completes
  // step i. Over the kept run, each event once: as an event of its day (in_range), or of its
  // visit's first day when its own day is not in the run (before it; after it when no raw days
  // follow, or without filters, where raw days bring only the visits that start in them).
  const parts: string[] = [];
  if (run !== null) {
    const after = raw === null || unfiltered ? ` OR ts >= epoch_ms(${run.endUtc}::BIGINT)` : '';
    parts.push(`SELECT session, ts, rid, ${completes('visit_events', unfiltered ? inPeriod('s_start') : ofCounted)}
    AND day BETWEEN ${literal(run.from)}::DATE AND ${literal(run.to)}::DATE AND (in_range OR ts < epoch_ms(${run.startUtc}::BIGINT)${after})`);
  }
  if (raw !== null) {
    const from = run === null ? window(raw) : `ts >= epoch_ms(${run.endUtc}::BIGINT) AND ts < epoch_ms(${raw.endUtc + DAY_MS}::BIGINT)`;
    parts.push(`SELECT session, ts, rowid AS rid, ${completes('events', ofCounted)} AND ${from}`);
  }
  const stepEvents = `st AS MATERIALIZED (
  ${parts.join('\n  UNION ALL\n  ')}
)`;
  const reached = steps.map((_, i) => {
    const after = i === 0 ? '' : ` AND (st.ts > p.ts OR (st.ts = p.ts AND st.rid > p.rid))`;
    const from = i === 0 ? 'st' : `st JOIN f${i} p USING (session)`;
    return `f${i + 1} AS (
  SELECT st.session, min(st.ts) AS ts, arg_min(st.rid, (st.ts, st.rid)) AS rid FROM ${from}
  WHERE st.s${i + 1}${after} GROUP BY st.session
)`;
  });
  return `
WITH ${counted}, ${stepEvents}, ${reached.join(', ')}
SELECT (${visits})::DOUBLE AS visits, ${steps.map((_, i) => `(SELECT count(*) FROM f${i + 1})::DOUBLE AS step${i + 1}`).join(', ')}`;
}

/**
 * The 75th percentile (linear interpolation, as quantile_cont) of each Web Vital, over every page
 * (page '') and per page, from `vital` events in the period that pass the filters. Pages are ranked
 * by their number of reports; `limit`/`offset` page them.
 */
export function vitalsSql(spec: StatsSpec, limit: number, offset: number, stored: string | null = null): string {
  const metric = `json_extract_string(props, '$.metric')`;
  const value = `TRY_CAST(json_extract_string(props, '$.value') AS DOUBLE)`;
  return `
${visitCtes(spec, { props: true, stored })}, v AS (
  SELECT pathname AS page, ${metric} AS metric, ${value} AS value FROM e
  WHERE in_range AND name = 'vital' AND ${metric} IN (${VITALS.map(literal).join(', ')}) AND ${value} IS NOT NULL
), pages AS (
  SELECT page, count(*) AS n, count(*) OVER () AS total FROM v GROUP BY page
  ORDER BY n DESC, page LIMIT ${limit} OFFSET ${offset}
)
SELECT '' AS page, (SELECT count(DISTINCT page) FROM v)::DOUBLE AS total, metric, quantile_cont(value, 0.75)::DOUBLE AS p75, count(*)::DOUBLE AS n
FROM v GROUP BY metric
UNION ALL
SELECT page, pages.total::DOUBLE, metric, quantile_cont(value, 0.75)::DOUBLE, count(*)::DOUBLE
FROM v JOIN pages USING (page) GROUP BY page, pages.total, metric`;
}
