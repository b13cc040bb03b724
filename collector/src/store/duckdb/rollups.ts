/**
 * Daily rollups in the embedded store: one local day of one site, every dimension value's sums,
 * computed from raw events by the same SQL that answers raw queries (stats-sql.ts), so both
 * paths agree by construction. A day is rolled once it is closed (its last visits can no longer
 * continue), again when events arrive for it later (journal-loader marks it dirty), and again
 * when the site's time zone changes.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { rangeOf } from '../../stats/period.ts';
import { closedDays, rolledRun, rollupable, ROLLUP_DIMENSIONS, SUMS } from '../rollup-days.ts';
import type { Site, StatsSpec } from '../store.ts';
import { groupedCte, literal, sortSql, statsSql, sumsSql, tailSql, visitCtes } from './stats-sql.ts';

/** Local days of `site` that need a rollup now: closed, and not rolled (validly) yet. */
export async function pendingDays(conn: DuckDBConnection, site: Site, now: number): Promise<string[]> {
  const first = (await conn.runAndReadAll(`SELECT epoch_ms(min(ts))::DOUBLE AS t FROM events WHERE site = ${literal(site.id)}`)).getRowObjectsJS()[0]?.t;
  if (first === null || first === undefined) return [];
  const rolled = new Set(
    (
      await conn.runAndReadAll(
        `SELECT strftime(day, '%Y-%m-%d') AS d FROM rollup_days WHERE site = ${literal(site.id)} AND timezone = ${literal(site.timezone)} AND NOT dirty`,
      )
    )
      .getRowObjectsJS()
      .map((r) => String(r.d)),
  );
  return closedDays(Number(first), site.timezone, now).filter((day) => !rolled.has(day));
}

/** Replaces the rollup of one local day, in one transaction (running it twice gives the same rows). */
export async function rollDay(conn: DuckDBConnection, site: Site, day: string, now: number): Promise<void> {
  const range = rangeOf(day, day, site.timezone);
  const spec: StatsSpec = { site: site.id, ...range, filters: [], group: { by: 'dimensions', dimensions: ROLLUP_DIMENSIONS } };
  const where = `site = ${literal(site.id)} AND day = ${literal(day)}::DATE`;
  await conn.run('BEGIN TRANSACTION');
  try {
    await conn.run(`DELETE FROM rollups WHERE ${where}`);
    await conn.run(`
      INSERT INTO rollups
      SELECT ${literal(site.id)}, ${literal(day)}::DATE,
        CASE WHEN key = '' THEN '' ELSE split_part(key, chr(9), 1) END,
        CASE WHEN key = '' THEN '' ELSE substr(key, strpos(key, chr(9)) + 1) END,
        ${SUMS.join(', ')}
      FROM (${statsSql(spec)})`);
    await conn.run(`
      INSERT INTO rollup_days VALUES (${literal(site.id)}, ${literal(day)}::DATE, ${literal(site.timezone)}, epoch_ms(${now}::BIGINT), false)
      ON CONFLICT (site, day) DO UPDATE SET timezone = excluded.timezone, rolled_at = excluded.rolled_at, dirty = false`);
    await conn.run('COMMIT');
  } catch (err) {
    await conn.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** Sums per key of a spec's first `k` days, from the rollups. */
function fromRollupsSql(spec: StatsSpec, days: string[], k: number): string {
  const g = spec.group;
  const key =
    g.by === 'none'
      ? `''`
      : g.by === 'time'
        ? g.interval === 'month'
          ? `strftime(day, '%Y-%m')`
          : `strftime(${g.interval === 'week' ? `date_trunc('week', day)` : 'day'}, '%Y-%m-%d')`
        : 'value';
  const dimension = g.by === 'dimension' ? g.dimension : '';
  return `SELECT ${key} AS key, ${SUMS.join(', ')} FROM rollups
    WHERE site = ${literal(spec.site)} AND dimension = ${literal(dimension)} AND day BETWEEN ${literal(days[0]!)}::DATE AND ${literal(days[k - 1]!)}::DATE`;
}

/**
 * The SQL for a rollupable spec: rolled days (a run from the first day on) from rollups, the rest
 * (usually today) from raw events; sums add up because every metric is a sum over days.
 */
export function plannedSql(spec: StatsSpec, rolled: ReadonlySet<string>): string {
  const { days, k } = rolledRun(spec, rolled);
  if (k === 0) return statsSql(spec);
  const g = spec.group;
  const parts = [fromRollupsSql(spec, days, k)];
  if (k < days.length) {
    const rest = rangeOf(days[k]!, spec.to, spec.tz);
    parts.push(`SELECT key, ${SUMS.join(', ')} FROM (${statsSql({ ...spec, ...rest }, { tail: false })})`);
  }
  return `
SELECT key,${g.by === 'dimension' ? ' count(*) OVER ()::DOUBLE AS total,' : ''} ${SUMS.join(', ')}
FROM (
  SELECT key, ${SUMS.map((s) => `sum(${s})::DOUBLE AS ${s}`).join(', ')}
  FROM (${parts.join('\nUNION ALL\n')})
  GROUP BY key
)
${tailSql(g)}`;
}

/**
 * Several specs that differ only in their grouping (a dashboard: totals, a time series and
 * breakdowns of one period and filters), answered by one statement: the raw events they need are
 * read, filtered and joined to their visits once, each grouping sums them (plus its rolled-up days
 * when it can use rollups), and each is sorted and paged on its own. Rows carry `part`, the
 * index of their spec. Null when rollups alone answer them all (each is then cheap on its own).
 */
export function sharedSql(specs: readonly StatsSpec[], rolled: ReadonlySet<string>): string | null {
  const base = specs[0]!;
  const { days, k } = rolledRun(base, rolled);
  const partial = k > 0 && k < days.length ? rangeOf(days[k]!, base.to, base.tz) : null;
  // Raw events are read over the whole period, or only its days not rolled up when every part
  // can use rollups (one shared read must cover one range).
  const useRollups = k > 0 && specs.every(rollupable);
  if (useRollups && !partial) return null;
  const raw: StatsSpec = { ...base, ...(useRollups ? partial : {}), group: { by: 'none' } };
  const sums = specs.map((spec, i) => {
    const parts = [`SELECT ${i} AS part, key, ${SUMS.join(', ')} FROM (${sumsSql(raw, spec.group)})`];
    if (useRollups) parts.push(`SELECT ${i}, key, ${SUMS.join(', ')} FROM (${fromRollupsSql(spec, days, k)})`);
    return parts.join('\nUNION ALL\n');
  });
  const by = (f: (g: StatsSpec['group']) => string | number | null) =>
    `CASE part ${specs.map((s, i) => `WHEN ${i} THEN ${f(s.group) ?? 'NULL'}`).join(' ')} END`;
  return `
${visitCtes(raw, { materialized: true, groups: specs.map((s) => s.group) })}${groupedCte(raw, specs.map((s) => s.group))}
SELECT * EXCLUDE (rn) FROM (
  SELECT *, count(*) OVER (PARTITION BY part)::DOUBLE AS total,
    row_number() OVER (PARTITION BY part ORDER BY ${by((g) => (g.by === 'dimension' ? sortSql(g.sort) : null))} DESC NULLS LAST, key) AS rn
  FROM (
    SELECT part, key, ${SUMS.map((s) => `sum(${s})::DOUBLE AS ${s}`).join(', ')}
    FROM (${sums.join('\nUNION ALL\n')})
    GROUP BY part, key
  )
)
WHERE rn > ${by((g) => (g.by === 'dimension' ? g.offset : 0))} AND rn <= ${by((g) => (g.by === 'dimension' ? g.offset + g.limit : 1e15))}
ORDER BY part, rn`;
}
