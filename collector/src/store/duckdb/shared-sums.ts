/**
 * The raw-event part of several groupings that share one read (a dashboard: totals, a time
 * series and breakdowns), summed with GROUPING SETS straight from visitCtes' filtered events `e`:
 * `gc`, the event counts and the visitors (distinct per local day, per hour for an hourly series),
 * and `gk`/`gv`, the visits (each counted once under each key it has). sumsSql instead aggregates
 * three times per grouping over groupedCte's `l`; the sums are the same (docs/api/stats.md), for
 * less work when there are several groupings.
 */
import type { StatsSpec } from '../store.ts';
import { CUSTOM, dimensionSql, dimensionsOf, FORMATS, keyColumn, specLocalSql } from './stats-sql.ts';

type Group = StatsSpec['group'];

/**
 * The CTEs to append after visitCtes(spec, { groups }), and per grouping a SELECT of rows
 * (part, key, SUMS…) to be summed per part and key. Not for several dimensions at once (rollups)
 * nor a revenue prop (a dashboard has neither).
 */
export function sharedSumsSql(spec: StatsSpec, groups: readonly Group[]): { ctes: string; parts: string[] } {
  if (spec.revenueProp || groups.some((g) => g.by === 'dimensions')) throw new Error('sharedSumsSql: no revenue prop or multi-dimension grouping');
  const dims = dimensionsOf(groups);
  const keys = dims.map(keyColumn);
  const hourly = groups.some((g) => g.by === 'time' && g.interval === 'hour');
  // The grouping set a row comes from: j + 1 for the j-th dimension's, 0 for the day's (or, in
  // gk's input, none), -1 for the hour's.
  const setOf = (hour: boolean) => {
    const whens = [...keys.map((k, j) => `WHEN grouping(${k}) = 0 THEN ${j + 1}`), ...(hour ? ['WHEN grouping(h) = 0 THEN -1'] : [])];
    return whens.length > 0 ? `CASE ${whens.join(' ')} ELSE 0 END` : '0';
  };
  const ctes = `, ek AS MATERIALIZED (
  -- e with its keys, read by the three below: computed once.
  SELECT *, date_trunc('day', lts) AS d${hourly ? `, date_trunc('hour', lts) AS h` : ''}${dims.map((dim, j) => `, ${dimensionSql(dim, 'flat')} AS ${keys[j]}`).join('')} FROM e
), gc AS MATERIALIZED (
  SELECT ${setOf(hourly)} AS gs, d${hourly ? ', h' : ''}${keys.map((k) => `, ${k}`).join('')},
    count(DISTINCT visitor) FILTER (WHERE active) AS visitors,
    count(*) FILTER (WHERE name = 'pageview') AS pageviews,
    count(*) FILTER (WHERE ${CUSTOM}) AS events,
    coalesce(sum(scroll_depth) FILTER (WHERE name = 'engagement'), 0) AS scroll_sum,
    count(scroll_depth) FILTER (WHERE name = 'engagement') AS scroll_n
  FROM ek WHERE in_range
  GROUP BY GROUPING SETS ((d)${hourly ? ', (h)' : ''}${keys.map((k) => `, (d, ${k})`).join('')})
), gv AS MATERIALIZED (
  -- The visits counted (they start in the period and have an event that passes the filters),
  -- one row each: a visit's values are the same on each of its events.
  SELECT session, any_value(s_start) AS s_start, any_value(s_bounce) AS s_bounce, any_value(s_pv) AS s_pv, any_value(s_dur) AS s_dur
  FROM ek WHERE active AND s_in GROUP BY session
)${
    keys.length === 0
      ? ''
      : `, gk AS MATERIALIZED (
  -- Per dimension value, the visits counted that have it, each once.
  SELECT gs, key, count(*) AS visits, count(*) FILTER (WHERE s_bounce) AS bounces, sum(s_pv) AS visit_pageviews, sum(s_dur) AS duration
  FROM (
    SELECT ${setOf(false)} AS gs, CASE ${keys.map((k) => `WHEN grouping(${k}) = 0 THEN ${k}`).join(' ')} END AS key,
      any_value(s_bounce) AS s_bounce, any_value(s_pv) AS s_pv, any_value(s_dur) AS s_dur
    FROM ek WHERE active AND s_in GROUP BY GROUPING SETS (${keys.map((k) => `(session, ${k})`).join(', ')})
  ) GROUP BY gs, key
)`
  }`;
  const parts = groups.map((g, i) => {
    const counts = (key: string, set: number) => `SELECT ${i} AS part, ${key} AS key, visitors, 0 AS visits, pageviews, events, 0 AS bounces, 0 AS visit_pageviews, 0 AS duration, scroll_sum, scroll_n
  FROM gc WHERE gs = ${set}`;
    if (g.by === 'dimension') {
      const set = dims.indexOf(g.dimension) + 1;
      return `${counts(keys[set - 1]!, set)}
UNION ALL
SELECT ${i}, key, 0, visits, 0, 0, bounces, visit_pageviews, duration, 0, 0 FROM gk WHERE gs = ${set}`;
    }
    const hour = g.by === 'time' && g.interval === 'hour';
    const label = (col: string) => (g.by === 'time' ? `strftime(date_trunc('${g.interval}', ${col}), '${FORMATS[g.interval]}')` : `''`);
    // A visit counts in the bucket of its start.
    return `${counts(label(hour ? 'h' : 'd'), hour ? -1 : 0)}
UNION ALL
SELECT ${i}, ${label(specLocalSql(spec, 's_start'))}, 0, count(*), 0, 0, count(*) FILTER (WHERE s_bounce), sum(s_pv), sum(s_dur), 0, 0
  FROM gv GROUP BY 2`;
  });
  return { ctes, parts };
}
