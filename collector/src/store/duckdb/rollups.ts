/**
 * Daily rollups in the embedded store: one local day of one site, every dimension value's sums,
 * computed from raw events by the same SQL that answers raw queries (stats-sql.ts), so both
 * paths agree by construction. A day is rolled once it is closed (its last visits can no longer
 * continue), again when events arrive for it later (journal-loader marks it dirty), and again
 * when the site's time zone changes.
 *
 * Filter rollups, rolled with their day, answer a filter on one value of a dimension
 * (FILTER_ROLLUP_FILTERS: `country is DE`, `page is /pricing`, `event is signup`): the same sums
 * per filter value and value of each breakdown of FILTER_ROLLUP_BREAKDOWNS, for filter values with
 * at least `filter_min` visitors that day (a value's rare days are cheap to read raw, and would
 * make many rows). The value's totals and series are its row in the day's rollup of that
 * dimension, which equals them.
 *
 * They answer `dimension is not value` too, for a dimension whose value is the same for all of a
 * visitor's events in a day (VISITOR_DIMENSIONS: what the visitor hash is made of, the address
 * and the browser, decides it): the visitors, visits and events of a day then split between its
 * values, so every sum of "not US" is the day's sum less the sum of US.
 *
 * Prop rollups are rows of the day's rollup under `prop:<key>` for the day's prop keys (at most
 * PROP_ROLLUP_MAX_KEYS, each of at most PROP_ROLLUP_MAX_VALUES values); rollup_days lists them.
 * A key absent on a day that lists every key of its events (`props_complete`) has no rows there:
 * all that day's events are under `(none)`, and the day's totals are that row.
 *
 * A rolled day also keeps its events joined to their visits (`visit_events`, written first: the
 * day's rollups are sums over them), which answer what rollups cannot (a page containing a word,
 * a prop, two filters, funnels, Web Vitals) without rebuilding the visits: stats-sql.ts reads
 * them for the run of rolled days of a period (storedDaysSql) and raw events after it.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { rangeOf } from '../../time.ts';
import type { FilterDimension } from '../../protocol/query.ts';
import { closedDays, rolledRun, rollupable, ROLLUP_DIMENSIONS, SUMS } from '../rollup-days.ts';
import type { Site, StatsSpec } from '../store.ts';
import { sharedSumsSql } from './shared-sums.ts';
import { groupedCte, literal, sortSql, statsSql, sumsSql, tailSql, visitCtes } from './stats-sql.ts';

/** Local days of `site` that need a rollup now: closed, and not rolled (validly, with the filter rollups of FILTER_ROLLUP_FILTERS) yet. */
export async function pendingDays(conn: DuckDBConnection, site: Site, now: number): Promise<string[]> {
  const first = (await conn.runAndReadAll(`SELECT epoch_ms(min(ts))::DOUBLE AS t FROM events WHERE site = ${literal(site.id)}`)).getRowObjectsJS()[0]?.t;
  if (first === null || first === undefined) return [];
  const rolled = new Set(
    (
      await conn.runAndReadAll(
        `SELECT strftime(day, '%Y-%m-%d') AS d FROM rollup_days
         WHERE site = ${literal(site.id)} AND timezone = ${literal(site.timezone)} AND NOT dirty AND filters = ${literal(FILTER_ROLLUP_FILTERS.join(','))}
           AND props_complete IS NOT NULL AND visit_events`,
      )
    )
      .getRowObjectsJS()
      .map((r) => String(r.d)),
  );
  return closedDays(Number(first), site.timezone, now).filter((day) => !rolled.has(day));
}

/**
 * Filter rollups answer a filter `dimension is value` (one value) on these dimensions: pages,
 * entry and exit pages, sources and UTM tags other than terms and contents, places, devices, and
 * event names. Referrers, UTM terms and contents (many values, rarely filtered on one) are read
 * from raw events.
 */
export const FILTER_ROLLUP_FILTERS = ['page', 'entry_page', 'exit_page', 'source', 'utm_source', 'utm_medium', 'utm_campaign', 'country', 'device', 'browser', 'os', 'event'] as const;

/**
 * The breakdowns filter rollups keep under each filter value: the dashboard's (page, source,
 * country, device, browser, OS). Others under a filter (entry and exit pages, referrers, UTM tags,
 * event names) are read from raw events; each added here makes every day's rollup slower.
 */
export const FILTER_ROLLUP_BREAKDOWNS = ['page', 'source', 'country', 'device', 'browser', 'os'] as const;

/** Filter values with fewer visitors on a day are left out of its filter rollups (by default). */
export const FILTER_ROLLUP_MIN_VISITORS = 10;

/**
 * Dimensions whose value is the same for all events of a visitor in a day: the visitor hash is
 * made of the address (which decides the country) and the user agent (the device, browser, OS).
 */
export const VISITOR_DIMENSIONS: readonly FilterDimension[] = ['country', 'device', 'browser', 'os'];

/**
 * The filter of a spec that filter rollups can answer, its only one: `dimension is value`, or
 * `dimension is not values` on a dimension of VISITOR_DIMENSIONS (answered by subtraction).
 */
export function filterOf(spec: StatsSpec): { dimension: FilterDimension; op: 'is' | 'is_not'; values: string[] } | null {
  const [f, ...others] = spec.filters;
  if (!f || others.length > 0 || !(FILTER_ROLLUP_FILTERS as readonly string[]).includes(f.dimension)) return null;
  if (f.op === 'is' && f.values.length === 1) return { dimension: f.dimension, op: 'is', values: f.values };
  if (f.op === 'is_not' && VISITOR_DIMENSIONS.includes(f.dimension)) return { dimension: f.dimension, op: 'is_not', values: f.values };
  return null;
}

/** Whether a spec can be answered from rollups (rollup-days.ts's rollupable) or filter rollups. */
export function usesRollups(spec: StatsSpec): boolean {
  if (rollupable(spec) || propOf(spec) !== null) return true;
  const filter = filterOf(spec);
  if (filter === null || spec.revenueProp) return false;
  const g = spec.group;
  const dimensions: readonly FilterDimension[] = [filter.dimension, ...FILTER_ROLLUP_BREAKDOWNS];
  return g.by === 'none' || (g.by === 'time' && g.interval !== 'hour') || (g.by === 'dimension' && dimensions.includes(g.dimension));
}

/** Prop rollups keep at most this many keys of a day, each with at most PROP_ROLLUP_MAX_VALUES values; others are read from raw events. */
export const PROP_ROLLUP_MAX_KEYS = 50;
export const PROP_ROLLUP_MAX_VALUES = 1000;

/** The prop key of a spec that prop rollups can answer: a breakdown by `prop:<key>`, no filters, no revenue. */
export function propOf(spec: StatsSpec): string | null {
  const g = spec.group;
  return spec.filters.length === 0 && !spec.revenueProp && g.by === 'dimension' && g.dimension.startsWith('prop:') ? g.dimension.slice(5) : null;
}

/**
 * The SQL listing the days of a spec's period that rollups answer (column `d`): rolled in the
 * spec's time zone and not dirty; with a filter, also holding its value in the filter rollups, or
 * showing that it had nothing that day (no row in the day's rollup of that dimension).
 */
export function rolledDaysSql(spec: StatsSpec): string {
  const filter = filterOf(spec);
  const covered =
    filter === null
      ? ''
      : ` AND r.filter_min IS NOT NULL AND list_contains(string_split(r.filters, ','), ${literal(filter.dimension)}) AND NOT EXISTS (
          SELECT 1 FROM rollups p WHERE p.site = r.site AND p.day = r.day AND p.dimension = ${literal(filter.dimension)}
            AND p.value IN (${filter.values.map(literal).join(', ')}) AND p.visitors < r.filter_min)`;
  const prop = propOf(spec);
  const propCovered = prop === null ? '' : ` AND (r.props_complete OR list_contains(r.prop_keys, ${literal(prop)}))`;
  return `SELECT strftime(r.day, '%Y-%m-%d') AS d FROM rollup_days r
    WHERE r.site = ${literal(spec.site)} AND r.timezone = ${literal(spec.tz)} AND NOT r.dirty
      AND r.day BETWEEN ${literal(spec.from)}::DATE AND ${literal(spec.to)}::DATE${covered}${propCovered}`;
}

/** The SQL listing the days of a spec's period whose events visit_events keeps (column `d`): rolled in its time zone, not dirty. */
export function storedDaysSql(spec: StatsSpec): string {
  return `SELECT strftime(day, '%Y-%m-%d') AS d FROM rollup_days
    WHERE site = ${literal(spec.site)} AND timezone = ${literal(spec.tz)} AND NOT dirty AND visit_events
      AND day BETWEEN ${literal(spec.from)}::DATE AND ${literal(spec.to)}::DATE`;
}

/**
 * The SQL of a site's first event in [fromUtc, beforeUtc) (column `t`, epoch ms; NULL when none).
 * Events are stored about in time order, so DuckDB reads only the row groups of that range: the
 * days of a period before its first rolled day, not a year of a big site's events.
 */
export function firstEventSql(site: string, fromUtc: number, beforeUtc: number): string {
  return `SELECT epoch_ms(min(ts))::DOUBLE AS t FROM events
    WHERE site = ${literal(site)} AND ts >= epoch_ms(${Math.floor(fromUtc)}::BIGINT) AND ts < epoch_ms(${Math.floor(beforeUtc)}::BIGINT)`;
}

/**
 * The SQL of one day's filter rollup rows: for each filter dimension, the sums per value of it
 * (with at least `minVisitors` visitors in the day's rollup, written first) and value of each
 * breakdown, as if filtered on that value. One read of the day's events and visits for them all.
 */
function filterRowsSql(site: Site, day: string, minVisitors: number): string {
  // Read from the day's visit_events (written first, in the same transaction).
  const spec: StatsSpec = { site: site.id, ...rangeOf(day, day, site.timezone), filters: [], group: { by: 'none' } };
  const groups: StatsSpec['group'][] = [{ by: 'dimensions', dimensions: [...new Set([...FILTER_ROLLUP_FILTERS, ...FILTER_ROLLUP_BREAKDOWNS])] }];
  const perFilter = FILTER_ROLLUP_FILTERS.map((filter) => {
    const breakdowns = FILTER_ROLLUP_BREAKDOWNS.filter((d) => d !== filter);
    return `SELECT ${literal(filter)} AS filter, per, key, ${SUMS.join(', ')} FROM (${sumsSql(spec, { by: 'dimensions', dimensions: breakdowns }, { per: filter })}) WHERE key <> ''`;
  });
  return `SELECT ${literal(site.id)}, ${literal(day)}::DATE, filter, per, split_part(key, chr(9), 1), substr(key, strpos(key, chr(9)) + 1), ${SUMS.join(', ')}
    FROM (${visitCtes(spec, { materialized: true, groups, stored: day })}${groupedCte(spec, groups)}
      ${perFilter.join('\n      UNION ALL\n      ')})
    WHERE (filter, per) IN (
      SELECT dimension, value FROM rollups WHERE site = ${literal(site.id)} AND day = ${literal(day)}::DATE AND visitors >= ${Math.floor(minVisitors)})`;
}

/**
 * The prop keys a day's rollup keeps: those of the events of visits that can start that day (up
 * to a day after it ends), which a breakdown can name (dimension `prop:<key>`: 1–64 characters, no
 * control characters), with at most `maxValues` values, the PROP_ROLLUP_MAX_KEYS most used;
 * `complete` when no key was left out.
 */
async function propKeys(conn: DuckDBConnection, site: string, startUtc: number, endUtc: number, maxValues: number): Promise<{ keys: string[]; complete: boolean }> {
  const rows = (
    await conn.runAndReadAll(`
      SELECT key, count(*)::DOUBLE AS n, count(DISTINCT json_extract_string(props, '$."' || replace(key, '"', '\\"') || '"'))::DOUBLE AS values
      FROM (SELECT unnest(json_keys(props)) AS key, props FROM events
        WHERE site = ${literal(site)} AND ts >= epoch_ms(${startUtc}::BIGINT) AND ts < epoch_ms(${endUtc + 86_400_000}::BIGINT)
          AND props IS NOT NULL AND json_valid(props) AND json_type(props) = 'OBJECT')
      GROUP BY key ORDER BY n DESC, key`)
  ).getRowObjectsJS();
  const nameable = rows.filter((r) => /^[^\p{Cc}]{1,64}$/u.test(String(r.key)));
  const kept = nameable.filter((r) => Number(r.values) <= maxValues).slice(0, PROP_ROLLUP_MAX_KEYS);
  return { keys: kept.map((r) => String(r.key)), complete: kept.length === nameable.length };
}

/** Every visit dimension: visit_events keeps all of a visit's values. */
const VISIT_DIMENSIONS: readonly FilterDimension[] = ['entry_page', 'exit_page', 'source', 'referrer', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'];

/**
 * The rows visit_events keeps for a local day: visitCtes' filtered events of the day, unfiltered,
 * that are in it (in_range) or belong to a visit starting in it (a visit lasts less than a day:
 * its later events are in the next day, and decide whether it counts under a filter).
 */
function visitEventsSql(site: Site, day: string): string {
  const spec: StatsSpec = { site: site.id, ...rangeOf(day, day, site.timezone), filters: [], group: { by: 'dimensions', dimensions: [...VISIT_DIMENSIONS] } };
  return `SELECT ${literal(site.id)} AS site, ${literal(day)}::DATE AS day, * EXCLUDE (s_in) FROM (
  ${visitCtes(spec, { props: true, keep: true })}
  SELECT * FROM e WHERE in_range OR s_in)`;
}

/** Replaces the rollup of one local day and its filter rollup, in one transaction (running it twice gives the same rows). */
export async function rollDay(
  conn: DuckDBConnection,
  site: Site,
  day: string,
  now: number,
  { filterMinVisitors = FILTER_ROLLUP_MIN_VISITORS, propMaxValues = PROP_ROLLUP_MAX_VALUES }: { filterMinVisitors?: number; propMaxValues?: number } = {},
): Promise<void> {
  const range = rangeOf(day, day, site.timezone);
  const props = await propKeys(conn, site.id, range.startUtc, range.endUtc, propMaxValues);
  const dimensions = [...ROLLUP_DIMENSIONS, ...props.keys.map((k) => `prop:${k}` as const)];
  const spec: StatsSpec = { site: site.id, ...range, filters: [], group: { by: 'dimensions', dimensions } };
  const where = `site = ${literal(site.id)} AND day = ${literal(day)}::DATE`;
  await conn.run('BEGIN TRANSACTION');
  try {
    await conn.run(`DELETE FROM rollups WHERE ${where}`);
    await conn.run(`DELETE FROM filter_rollups WHERE ${where}`);
    await conn.run(`DELETE FROM visit_events WHERE ${where}`);
    // The day's events with their visits first: the rollups below are sums over them.
    await conn.run(`INSERT INTO visit_events BY NAME ${visitEventsSql(site, day)}`);
    await conn.run(`
      INSERT INTO rollups
      SELECT ${literal(site.id)}, ${literal(day)}::DATE,
        CASE WHEN key = '' THEN '' ELSE split_part(key, chr(9), 1) END,
        CASE WHEN key = '' THEN '' ELSE substr(key, strpos(key, chr(9)) + 1) END,
        ${SUMS.join(', ')}
      FROM (${statsSql(spec, { stored: day })})`);
    await conn.run(`INSERT INTO filter_rollups ${filterRowsSql(site, day, filterMinVisitors)}`);
    await conn.run(`
      INSERT INTO rollup_days (site, day, timezone, rolled_at, dirty, filter_min, filters, prop_keys, props_complete, visit_events)
      VALUES (${literal(site.id)}, ${literal(day)}::DATE, ${literal(site.timezone)}, epoch_ms(${now}::BIGINT), false, ${Math.floor(filterMinVisitors)},
        ${literal(FILTER_ROLLUP_FILTERS.join(','))}, [${props.keys.map(literal).join(', ')}]::VARCHAR[], ${props.complete}, true)
      ON CONFLICT (site, day) DO UPDATE SET timezone = excluded.timezone, rolled_at = excluded.rolled_at, dirty = false,
        filter_min = excluded.filter_min, filters = excluded.filters, prop_keys = excluded.prop_keys, props_complete = excluded.props_complete,
        visit_events = true`);
    await conn.run('COMMIT');
  } catch (err) {
    await conn.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** Whether a spec's sums from rollups are differences (`is not`): keys whose sums all cancel out are then no rows. */
export const subtracts = (spec: StatsSpec) => filterOf(spec)?.op === 'is_not';

/** The key of a rollup row for a grouping by none or time. */
function dayKeySql(g: StatsSpec['group']): string {
  if (g.by !== 'time') return `''`;
  if (g.interval === 'month') return `strftime(day, '%Y-%m')`;
  return `strftime(${g.interval === 'week' ? `date_trunc('week', day)` : 'day'}, '%Y-%m-%d')`;
}

/** Sums per key of a spec's first `k` days, from the rollups (the filter rollups, with a filter). */
function fromRollupsSql(spec: StatsSpec, days: string[], k: number): string {
  const g = spec.group;
  const filter = filterOf(spec);
  const where = `site = ${literal(spec.site)} AND day BETWEEN ${literal(days[0]!)}::DATE AND ${literal(days[k - 1]!)}::DATE`;
  if (filter?.op === 'is_not') {
    // The day's sums less those of the values left out (a visitor's events all have one value).
    const values = filter.values.map(literal).join(', ');
    const plus = SUMS.map((s) => `${s}::DOUBLE AS ${s}`).join(', ');
    const minus = SUMS.map((s) => `-(${s}::DOUBLE) AS ${s}`).join(', ');
    if (g.by === 'dimension' && g.dimension === filter.dimension) {
      return `SELECT value AS key, ${plus} FROM rollups WHERE ${where} AND dimension = ${literal(g.dimension)} AND value NOT IN (${values})`;
    }
    if (g.by === 'dimension') {
      return `SELECT value AS key, ${plus} FROM rollups WHERE ${where} AND dimension = ${literal(g.dimension)}
    UNION ALL
    SELECT value AS key, ${minus} FROM filter_rollups
    WHERE ${where} AND filter = ${literal(filter.dimension)} AND fvalue IN (${values}) AND dimension = ${literal(g.dimension)}`;
    }
    return `SELECT ${dayKeySql(g)} AS key, ${plus} FROM rollups WHERE ${where} AND dimension = ''
    UNION ALL
    SELECT ${dayKeySql(g)} AS key, ${minus} FROM rollups WHERE ${where} AND dimension = ${literal(filter.dimension)} AND value IN (${values})`;
  }
  if (filter !== null && g.by === 'dimension' && g.dimension !== filter.dimension) {
    return `SELECT value AS key, ${SUMS.join(', ')} FROM filter_rollups
    WHERE ${where} AND filter = ${literal(filter.dimension)} AND fvalue = ${literal(filter.values[0]!)} AND dimension = ${literal(g.dimension)}`;
  }
  const key = g.by === 'dimension' ? 'value' : dayKeySql(g);
  // Filtered on a value, its totals, series and breakdown by its own dimension are its rows in the rollup of that dimension.
  const dimension = filter !== null ? filter.dimension : g.by === 'dimension' ? g.dimension : '';
  const rows = `SELECT ${key} AS key, ${SUMS.join(', ')} FROM rollups
    WHERE ${where} AND dimension = ${literal(dimension)}${filter !== null ? ` AND value = ${literal(filter.values[0]!)}` : ''}`;
  const prop = propOf(spec);
  if (prop === null) return rows;
  // A day without the key (its rollup lists every key it had): all its events are under (none).
  return `${rows}
  UNION ALL
  SELECT '(none)', ${SUMS.join(', ')} FROM rollups
    WHERE ${where} AND dimension = '' AND day IN (
      SELECT day FROM rollup_days WHERE ${where} AND NOT list_contains(prop_keys, ${literal(prop)}))`;
}

/** A key whose sums all cancel out had no events left by an `is not` filter: no row, as from raw events. */
const NOT_ALL_ZERO = `(${SUMS.map((s) => `sum(${s}) <> 0`).join(' OR ')})`;

/**
 * The SQL for a rollupable spec: rolled days (a run from the first day on) from rollups, the rest
 * (usually today) from raw events; sums add up because every metric is a sum over days.
 */
export function plannedSql(spec: StatsSpec, rolled: ReadonlySet<string>, stored: string | null = null): string {
  const { days, k } = rolledRun(spec, rolled);
  if (k === 0) return statsSql(spec, { stored });
  const g = spec.group;
  const parts = [fromRollupsSql(spec, days, k)];
  if (k < days.length) {
    const rest = rangeOf(days[k]!, spec.to, spec.tz);
    parts.push(`SELECT key, ${SUMS.join(', ')} FROM (${statsSql({ ...spec, ...rest }, { tail: false, stored })})`);
  }
  return `
SELECT key,${g.by === 'dimension' ? ' count(*) OVER ()::DOUBLE AS total,' : ''} ${SUMS.join(', ')}
FROM (
  SELECT key, ${SUMS.map((s) => `sum(${s})::DOUBLE AS ${s}`).join(', ')}
  FROM (${parts.join('\nUNION ALL\n')})
  GROUP BY key${subtracts(spec) ? `\n  HAVING ${NOT_ALL_ZERO}` : ''}
)
${tailSql(g)}`;
}

/**
 * Several specs that differ only in their grouping (a dashboard: totals, a time series and
 * breakdowns of one period and filters), answered by one statement: the raw events they need are
 * read, filtered and joined to their visits once, the groupings sum them together (grouping sets,
 * shared-sums.ts) and add their rolled-up days when they can use rollups, and each is sorted and
 * paged on its own. Rows carry `part`, the index of their spec. When rollups alone answer them all,
 * the statement reads only the rollups: one statement rather than one per spec.
 */
export function sharedSql(specs: readonly StatsSpec[], rolled: ReadonlySet<string>, stored: string | null = null): string {
  const base = specs[0]!;
  const { days, k } = rolledRun(base, rolled);
  const partial = k > 0 && k < days.length ? rangeOf(days[k]!, base.to, base.tz) : null;
  // Raw events are read over the whole period, or only its days not rolled up when every part
  // can use rollups (one shared read must cover one range), or not at all when none is left.
  const useRollups = k > 0 && specs.every(usesRollups);
  const readsRaw = !useRollups || partial !== null;
  const raw: StatsSpec = { ...base, ...(useRollups ? partial : {}), group: { by: 'none' } };
  const groups = specs.map((s) => s.group);
  const shared = readsRaw ? sharedSumsSql(raw, groups) : null;
  const sums = specs.map((spec, i) => {
    const parts = shared ? [shared.parts[i]!] : [];
    if (useRollups) parts.push(`SELECT ${i} AS part, key, ${SUMS.join(', ')} FROM (${fromRollupsSql(spec, days, k)})`);
    return parts.join('\nUNION ALL\n');
  });
  const by = (f: (g: StatsSpec['group']) => string | number | null) =>
    `CASE part ${specs.map((s, i) => `WHEN ${i} THEN ${f(s.group) ?? 'NULL'}`).join(' ')} END`;
  return `
${shared ? `${visitCtes(raw, { materialized: true, groups, stored })}${shared.ctes}` : ''}
SELECT * EXCLUDE (rn) FROM (
  SELECT *, count(*) OVER (PARTITION BY part)::DOUBLE AS total,
    row_number() OVER (PARTITION BY part ORDER BY ${by((g) => (g.by === 'dimension' ? sortSql(g.sort) : null))} DESC NULLS LAST, key) AS rn
  FROM (
    SELECT part, key, ${SUMS.map((s) => `sum(${s})::DOUBLE AS ${s}`).join(', ')}
    FROM (${sums.join('\nUNION ALL\n')})
    GROUP BY part, key${useRollups && specs.some(subtracts) ? `\n    HAVING ${NOT_ALL_ZERO}` : ''}
  )
)
WHERE rn > ${by((g) => (g.by === 'dimension' ? g.offset : 0))} AND rn <= ${by((g) => (g.by === 'dimension' ? g.offset + g.limit : 1e15))}
ORDER BY part, rn`;
}

const ROW_SUMS = `visitors::DOUBLE AS visitors, visits::DOUBLE AS visits,
  pageviews::DOUBLE AS pageviews, events::DOUBLE AS events, bounces::DOUBLE AS bounces,
  visit_pageviews::DOUBLE AS visit_pageviews, duration::DOUBLE AS duration, scroll_sum::DOUBLE AS scroll_sum, scroll_n::DOUBLE AS scroll_n`;

/** Every rollup row of a site (`?`), in a stable order (diagnostics and tests). */
export const ROLLUP_ROWS_SQL = `SELECT strftime(day, '%Y-%m-%d') AS day, dimension, value, ${ROW_SUMS}
  FROM rollups WHERE site = ? ORDER BY day, dimension, value`;

/** Every filter rollup row of a site (`?`), in a stable order (diagnostics and tests). */
export const FILTER_ROLLUP_ROWS_SQL = `SELECT strftime(day, '%Y-%m-%d') AS day, filter, fvalue, dimension, value, ${ROW_SUMS}
  FROM filter_rollups WHERE site = ? ORDER BY day, filter, fvalue, dimension, value`;
