/**
 * Events in the embedded store, apart from the journal's loads (journal-loader.ts): the journal's
 * lines, bulk imports, reads, deletions and exports. The statements run on a connection the
 * caller holds (duckdb-store.ts picks which, and when).
 */
import { DuckDBTimestampValue, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import type { SessionTail, StoredEvent } from '../store.ts';
import { rowsOf, type Row } from './connections.ts';
import { MARK_DIRTY } from './journal-loader.ts';
import { EVENT_COLUMNS } from './schema.ts';

/** Event columns as StoredEvent fields read them (numbers as JS numbers, visitor as 32 hex). */
const SELECT_EVENT = EVENT_COLUMNS.map(([col, type]) =>
  col === 'ts'
    ? 'epoch_ms(ts)::DOUBLE AS ts'
    : type.startsWith('UUID')
      ? `replace(${col}::VARCHAR, '-', '') AS ${col}`
      : type.startsWith('BIGINT')
        ? `${col}::DOUBLE AS ${col}`
        : col,
).join(', ');

/** The JSON path of a top-level prop, quoted as stats-sql.ts quotes it. */
const jsonPath = (key: string) => `$."${key.replaceAll('"', '\\"')}"`;

function eventOf(r: Row): StoredEvent {
  const o: Row = {};
  for (const [col, , field] of EVENT_COLUMNS) o[field] = r[col] ?? null;
  return o as unknown as StoredEvent;
}

/** Appends one row with DuckDB's appender, column by column in schema order. */
function appendRow(a: DuckDBAppender, row: StoredEvent): void {
  for (const [col, type, field] of EVENT_COLUMNS) {
    const v = row[field];
    if (v === null || v === undefined) a.appendNull();
    else if (col === 'ts') a.appendTimestamp(new DuckDBTimestampValue(BigInt(v as number) * 1000n));
    else if (type.startsWith('BIGINT')) a.appendBigInt(BigInt(v as number));
    else if (type.startsWith('USMALLINT')) a.appendUSmallInt(v as number);
    else if (type.startsWith('UINTEGER')) a.appendUInteger(v as number);
    else if (type.startsWith('UTINYINT')) a.appendUTinyInt(v as number);
    else a.appendVarchar(String(v));
  }
  a.endRow();
}

/** The journal's lines for `rows`, one JSON object each (a hot path: every acknowledged event). */
export function journalLines(rows: readonly StoredEvent[]): string {
  let lines = '';
  for (const row of rows) lines += JSON.stringify(row) + '\n';
  return lines;
}

/** Inserts `rows` with DuckDB's appender, calling `progress` every 100,000; resolves with how many. */
export async function appendEvents(conn: DuckDBConnection, rows: Iterable<StoredEvent>, progress?: (n: number) => void): Promise<number> {
  const appender = await conn.createAppender('events');
  let n = 0;
  try {
    for (const row of rows) {
      appendRow(appender, row);
      if (++n % 100_000 === 0) {
        appender.flushSync();
        progress?.(n);
        // Let the event loop breathe (progress output, signals) between chunks.
        await new Promise((r) => setImmediate(r));
      }
    }
    appender.flushSync();
    progress?.(n);
  } finally {
    appender.closeSync();
  }
  return n;
}

/** Deletes a site's events older than `ts`; resolves with how many. */
export async function deleteEventsBefore(conn: DuckDBConnection, site: string, ts: number): Promise<number> {
  await conn.run('BEGIN TRANSACTION');
  try {
    // Their copies joined to their visits go with them (rollups.ts: visit_events).
    await conn.run('DELETE FROM visit_events WHERE site = ? AND ts < epoch_ms(?::BIGINT)', [site, ts]);
    const r = await conn.run('DELETE FROM events WHERE site = ? AND ts < epoch_ms(?::BIGINT)', [site, ts]);
    await conn.run('COMMIT');
    return Number(r.rowsChanged);
  } catch (err) {
    await conn.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** A site's events whose prop `key` reads `value`, in time (then load) order. */
export async function eventsWithProp(conn: DuckDBConnection, site: string, key: string, value: string): Promise<StoredEvent[]> {
  const rows = await rowsOf(conn, `SELECT ${SELECT_EVENT} FROM events WHERE site = ? AND json_extract_string(props, ?) = ? ORDER BY ts, rowid`, [site, jsonPath(key), value]);
  return rows.map(eventOf);
}

/** Deletes a site's events whose prop `key` reads `value`, marking the rolled days they change dirty; resolves with how many. */
export async function deleteEventsWithProp(conn: DuckDBConnection, site: string, key: string, value: string): Promise<number> {
  await conn.run('BEGIN TRANSACTION');
  try {
    // Every event of the visits concerned marks its days (and its visit's first day) dirty,
    // as their visits change shape when some of their events go.
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE batch AS SELECT * FROM events WHERE site = ? AND session IN (
         SELECT session FROM events WHERE site = ? AND json_extract_string(props, ?) = ?)`,
      [site, site, jsonPath(key), value],
    );
    await conn.run(MARK_DIRTY);
    // Their days are dirty now (not read until rolled again); their copies go at once.
    await conn.run('DELETE FROM visit_events WHERE site = ? AND session IN (SELECT session FROM batch)', [site]);
    await conn.run('DROP TABLE batch');
    const r = await conn.run('DELETE FROM events WHERE site = ? AND json_extract_string(props, ?) = ?', [site, jsonPath(key), value]);
    await conn.run('COMMIT');
    return Number(r.rowsChanged);
  } catch (err) {
    await conn.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** A site's events in time (then load) order, the first `limit` of them. */
export async function listEvents(conn: DuckDBConnection, site: string, limit = 1e9): Promise<StoredEvent[]> {
  const rows = await rowsOf(conn, `SELECT ${SELECT_EVENT} FROM events WHERE site = ? ORDER BY ts, rowid LIMIT ${Math.max(0, Math.floor(limit))}`, [site]);
  return rows.map(eventOf);
}

/** The first and last event time of every visit with an event since `since` (visits last less than a day). */
export async function sessionTails(conn: DuckDBConnection, since: number): Promise<SessionTail[]> {
  const rows = await rowsOf(
    conn,
    `SELECT replace(visitor::VARCHAR, '-', '') AS visitor, session::DOUBLE AS session,
            epoch_ms(min(ts))::DOUBLE AS firstTs, epoch_ms(max(ts))::DOUBLE AS lastTs
     FROM events WHERE ts >= epoch_ms(?::BIGINT) - INTERVAL 1 DAY AND session IN (
       SELECT session FROM events WHERE ts >= epoch_ms(?::BIGINT))
     GROUP BY visitor, session`,
    [since, since],
  );
  return rows as unknown as SessionTail[];
}

/** The client ids events carried since `since`, with their site and time. */
export async function clientIds(conn: DuckDBConnection, since: number): Promise<{ site: string; clientId: string; ts: number }[]> {
  const rows = await rowsOf(
    conn,
    `SELECT site, client_id AS clientId, epoch_ms(ts)::DOUBLE AS ts FROM events
     WHERE client_id IS NOT NULL AND ts >= epoch_ms(?::BIGINT)`,
    [since],
  );
  return rows as unknown as { site: string; clientId: string; ts: number }[];
}

/** An event column's value as a StoredEvent field holds it: ts in epoch ms, the visitor as 32 hex digits. */
const fieldSql = (col: string, type: string) => (col === 'ts' ? 'epoch_ms(ts)' : type.startsWith('UUID') ? `replace(${col}::VARCHAR, '-', '')` : col);

/**
 * A CSV field as stats/export.ts's csvField writes it: empty for NULL; a text starting with
 * = + - @ tab or CR gets a leading ' (spreadsheet formula guard); quoted, quotes doubled, when it
 * holds a quote, a comma or a line break. Numbers as they are.
 */
function csvFieldSql(col: string, type: string): string {
  const v = fieldSql(col, type);
  if (!type.startsWith('VARCHAR') && !type.startsWith('UUID')) return `coalesce(${v}::VARCHAR, '')`;
  const guarded = `CASE WHEN regexp_matches(${v}, '^[=+\\-@\\t\\r]') THEN '''' || ${v} ELSE ${v} END`;
  return `coalesce(CASE WHEN regexp_matches(${v}, '[",\\n\\r]') THEN '"' || replace(${guarded}, '"', '""') || '"' ELSE ${guarded} END, '')`;
}

/** The export line of an event, written by DuckDB: a JSON object (StoredEvent's fields, in order) or a CSV row. */
function exportLineSql(format: 'csv' | 'ndjson'): string {
  return format === 'ndjson'
    ? `to_json(struct_pack(${EVENT_COLUMNS.map(([col, type, field]) => `"${field}" := ${fieldSql(col, type)}`).join(', ')}))::VARCHAR`
    : EVENT_COLUMNS.map(([col, type]) => csvFieldSql(col, type)).join(` || ',' || `);
}

/** How much of a period one export statement reads: its sort then fits in memory however long the period. */
const EXPORT_WINDOW_MS = 86_400_000;

/**
 * A site's raw events in [startUtc, endUtc), in time order, as CSV (with a header) or NDJSON text
 * in chunks, the lines written by DuckDB: converting every value of every event to JavaScript
 * took most of an export's time. A day at a time, so that no statement sorts the whole period.
 */
export async function* streamExportText(conn: DuckDBConnection, site: string, startUtc: number, endUtc: number, format: 'csv' | 'ndjson'): AsyncGenerator<string> {
  let header = format === 'csv' ? `${EVENT_COLUMNS.map(([, , field]) => field).join(',')}\n` : '';
  for (let from = startUtc; from < endUtc; from += EXPORT_WINDOW_MS) {
    const result = await conn.stream(
      `SELECT ${exportLineSql(format)} AS line FROM events WHERE site = ? AND ts >= epoch_ms(?::BIGINT) AND ts < epoch_ms(?::BIGINT) ORDER BY ts`,
      [site, from, Math.min(from + EXPORT_WINDOW_MS, endUtc)],
    );
    for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
      yield `${header}${(chunk.getColumnValues(0) as string[]).join('\n')}\n`;
      header = '';
    }
  }
}

/** A site's events in [startUtc, endUtc), in time order, in the chunks DuckDB streams. */
export async function* streamEvents(conn: DuckDBConnection, site: string, startUtc: number, endUtc: number): AsyncGenerator<StoredEvent[]> {
  const result = await conn.stream(
    `SELECT ${SELECT_EVENT} FROM events WHERE site = ? AND ts >= epoch_ms(?::BIGINT) AND ts < epoch_ms(?::BIGINT) ORDER BY ts`,
    [site, startUtc, endUtc],
  );
  const names = result.columnNames();
  for await (const rows of result.yieldRowsJs()) {
    yield rows.map((row) => {
      const o: Row = {};
      names.forEach((n, i) => (o[n] = row[i] ?? null));
      return eventOf(o);
    });
  }
}
