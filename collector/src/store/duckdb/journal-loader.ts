/**
 * Moves durable journal ranges into DuckDB, oldest first. Each range goes in one transaction that
 * also moves the journal mark (segment, offset) past it, so a crash at any point loads every
 * acknowledged event exactly once.
 *
 * A row DuckDB refuses (it should not happen: the wire schema is stricter than the table) must
 * neither block every later row nor be dropped in silence: the range is split until the refused
 * lines are isolated, those go to `rejected/` in the data directory with an error in the log,
 * and the rest is loaded.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Journal, Mark, Range, ReadableRange } from './journal.ts';
import { EVENT_COLUMNS } from './schema.ts';

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

// The journal holds rows as JSON.stringify(StoredEvent) writes them; read_json maps each field
// to its column (UUIDs and times converted).
const JSON_COLUMNS = `{${EVENT_COLUMNS.map(([col, type, field]) => {
  const base = type.replace(' NOT NULL', '');
  const json = col === 'ts' ? 'BIGINT' : base === 'UUID' ? 'VARCHAR' : base;
  return `"${field}": '${json}'`;
}).join(', ')}}`;
const SELECT_FROM_JSON = EVENT_COLUMNS.map(([col, type, field]) =>
  col === 'ts' ? `epoch_ms("${field}") AS ts` : type.startsWith('UUID') ? `"${field}"::UUID AS ${col}` : `"${field}" AS ${col}`,
).join(', ');
const fromJson = (files: readonly string[]) =>
  `SELECT ${SELECT_FROM_JSON} FROM read_json([${files.map(sqlString).join(', ')}], format = 'newline_delimited', columns = ${JSON_COLUMNS})`;

/**
 * Journal bytes loaded in one transaction at most. DuckDB's cost per row falls by half from
 * ≈ 30,000 to ≈ 240,000 rows per transaction (measured here: commits and checkpoints are shared,
 * and inserts of a row group or more skip its write-ahead log), so the ranges of one load go in
 * together, up to this (≈ 130,000 events of ≈ 500 B).
 */
const GROUP_BYTES = 64 << 20;

/** Loads from this size on run on one thread less than DuckDB has (≈ 2,000 events). */
const SHARE_CORES_BYTES = 1 << 20;

/** Errors that come from the data itself, as opposed to a store that cannot write right now. */
const DATA_ERROR = /Malformed JSON|Conversion Error|Could not convert|Failed to cast|Invalid Input Error|Constraint Error/i;

const MARK_KEY = 'journal_mark';

/**
 * Rolled-up days that the events of the temporary table `batch` change: the days they happened
 * on, and the days their visits started on (a visit running over midnight changes its first day's
 * numbers). Only clean rolled days can change, and a loader runs this every few seconds on tables
 * of millions of events, so each part reads as little as it can:
 * - the events' days from their quarter hours (every time zone's midnight falls on one), not
 *   from every distinct time against every rolled day;
 * - the visits' first events from the events between a day before the batch (a visit lasts less
 *   than a day, sessions.ts) and the end of the last clean rolled day: a visit that started on a
 *   rolled day has an event before that end. Late in the day that is a sliver of yesterday, not
 *   the whole of today's and yesterday's events.
 */
export const MARK_DIRTY = `
UPDATE rollup_days SET dirty = true FROM (
  SELECT r.site, r.day FROM rollup_days r JOIN (SELECT DISTINCT site, time_bucket(INTERVAL 15 MINUTE, ts) AS ts FROM batch) b ON b.site = r.site
  WHERE NOT r.dirty AND CAST(timezone(r.timezone, b.ts::TIMESTAMPTZ) AS DATE) = r.day
  UNION
  SELECT r.site, r.day FROM rollup_days r JOIN (
    SELECT e.site, min(e.ts) FILTER (WHERE e.name NOT IN ('engagement', 'vital')) AS start
    FROM events e SEMI JOIN (SELECT DISTINCT site, session FROM batch) b ON e.site = b.site AND e.session = b.session
    WHERE e.ts >= (SELECT min(ts) FROM batch) - INTERVAL 1 DAY
      AND e.ts < (SELECT max(timezone(timezone, (day + 1)::TIMESTAMP)::TIMESTAMP) FROM rollup_days WHERE NOT dirty)
    GROUP BY e.site, e.session
  ) v ON v.site = r.site
  WHERE NOT r.dirty AND CAST(timezone(r.timezone, v.start::TIMESTAMPTZ) AS DATE) = r.day
) d
WHERE rollup_days.site = d.site AND rollup_days.day = d.day AND NOT rollup_days.dirty`;

/** How far the journal is loaded: the mark the last load committed, at the start of the journal on a new database. */
export async function readMark(conn: DuckDBConnection): Promise<Mark> {
  const value = (await conn.runAndReadAll('SELECT value FROM meta WHERE key = ?', [MARK_KEY])).getRows()[0]?.[0];
  const [seq, offset] = (value === undefined || value === null ? '0:0' : String(value)).split(':').map(Number);
  return { seq: seq ?? 0, offset: offset ?? 0 };
}

export class JournalLoader {
  #journal: Journal;
  #rejectedDir: string;
  #onRejected: (lines: number, file: string) => void;
  #onDone: (rows: number) => void;
  #allThreads: number | undefined;

  /**
   * `onRejected`: rows DuckDB refused were set aside in `file`. `onDone`: rows left the journal
   * (committed to DuckDB, or set aside), called after each commit.
   */
  constructor(journal: Journal, dataDir: string, hooks: { onRejected: (lines: number, file: string) => void; onDone: (rows: number) => void }) {
    this.#journal = journal;
    this.#rejectedDir = join(dataDir, 'rejected');
    this.#onRejected = hooks.onRejected;
    this.#onDone = hooks.onDone;
  }

  /**
   * Loads everything durable in the journal now, on the loader's connection `conn`; with `until`
   * (a time in ms), starts no group of ranges after it, and returns whether everything was loaded.
   */
  async loadAll(conn: DuckDBConnection, until = Infinity): Promise<boolean> {
    const ranges = (await this.#journal.loadable()).filter((r) => r.to > r.from);
    const total = ranges.reduce((n, r) => n + r.to - r.from, 0);
    // A large load leaves one core to the event loop: with every core, DuckDB's read, insert and
    // checkpoint halved ingest's throughput while they ran (BENCHMARKS.md, ingest). Stats queries
    // that run meanwhile get the same fewer threads.
    const threads = total >= SHARE_CORES_BYTES ? await this.#threads(conn) : 0;
    if (threads > 1) await conn.run(`SET threads = ${threads - 1}`);
    try {
      while (ranges.length > 0) {
        if (Date.now() >= until) return false;
        let bytes = 0;
        let n = 0;
        while (n < ranges.length && (n === 0 || bytes + ranges[n]!.to - ranges[n]!.from <= GROUP_BYTES)) bytes += ranges[n]!.to - ranges[n++]!.from;
        const group = ranges.splice(0, n);
        await this.#load(conn, group);
        for (const range of group) await this.#journal.loaded(range);
      }
    } finally {
      if (threads > 1) await conn.run(`SET threads = ${threads}`).catch(() => undefined);
    }
    return true;
  }

  /** DuckDB's threads when no load runs (a setting of the whole database, cores by default). */
  async #threads(conn: DuckDBConnection): Promise<number> {
    this.#allThreads ??= Number((await conn.runAndReadAll(`SELECT current_setting('threads')::INTEGER AS n`)).getRowObjectsJS()[0]!.n);
    return this.#allThreads;
  }

  /** Loads consecutive ranges in one transaction; a row DuckDB refuses sends each to #salvage. */
  async #load(conn: DuckDBConnection, group: Range[]): Promise<void> {
    const files: ReadableRange[] = [];
    try {
      for (const range of group) files.push(await this.#journal.readable(range));
      const paths = files.map((f) => f.path);
      try {
        await this.#commit(conn, fromJson(paths), group.at(-1)!);
      } catch (err) {
        if (!DATA_ERROR.test(String(err))) throw err;
        for (const [i, range] of group.entries()) await this.#loadOne(conn, paths[i]!, range);
      }
    } finally {
      await Promise.all(files.map((f) => f.release()));
    }
  }

  async #loadOne(conn: DuckDBConnection, file: string, range: Range): Promise<void> {
    try {
      await this.#commit(conn, fromJson([file]), range);
    } catch (err) {
      if (!DATA_ERROR.test(String(err))) throw err;
      await this.#salvage(conn, file, range);
    }
  }

  /**
   * Inserts the rows `select` yields and moves the mark past `range` (and so past every range
   * before it), in one transaction. `setAside`: rows of the range kept in `rejected/` instead.
   */
  async #commit(conn: DuckDBConnection, select: string, range: Range, setAside = 0): Promise<void> {
    await conn.run('BEGIN TRANSACTION');
    try {
      await conn.run(`CREATE OR REPLACE TEMP TABLE batch AS ${select}`);
      const inserted = Number((await conn.run('INSERT INTO events SELECT * FROM batch')).rowsChanged);
      await conn.run(MARK_DIRTY);
      await conn.run('DROP TABLE batch');
      await conn.run(
        `INSERT INTO meta VALUES ('${MARK_KEY}', '${range.seq}:${range.to}') ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      );
      await conn.run('COMMIT');
      this.#onDone(inserted + setAside);
    } catch (err) {
      await conn.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  async #salvage(conn: DuckDBConnection, file: string, range: Range): Promise<void> {
    const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l.length > 0);
    // A connection-local temporary table: nothing of it survives a crash, so nothing is loaded twice.
    await conn.run('CREATE TEMP TABLE IF NOT EXISTS staging AS SELECT * FROM events LIMIT 0');
    await conn.run('DELETE FROM staging');
    const refused = await this.#stage(conn, lines, file);
    const kept = join(this.#rejectedDir, `${String(range.seq).padStart(20, '0')}-${range.from}.ndjson`);
    await mkdir(this.#rejectedDir, { recursive: true });
    await writeFile(kept, refused.join('\n') + '\n', { flush: true });
    await this.#commit(conn, 'SELECT * FROM staging', range, refused.length);
    await conn.run('DELETE FROM staging');
    this.#onRejected(refused.length, kept);
  }

  /** Inserts `lines` into staging, halving on refusal; returns the lines refused one by one. */
  async #stage(conn: DuckDBConnection, lines: string[], file: string): Promise<string[]> {
    const part = `${file}.part`;
    await writeFile(part, lines.join('\n') + '\n');
    try {
      await conn.run(`INSERT INTO staging ${fromJson([part])}`);
      return [];
    } catch (err) {
      if (!DATA_ERROR.test(String(err))) throw err;
      if (lines.length === 1) return lines;
      const mid = Math.ceil(lines.length / 2);
      return [...(await this.#stage(conn, lines.slice(0, mid), file)), ...(await this.#stage(conn, lines.slice(mid), file))];
    } finally {
      await rm(part, { force: true });
    }
  }
}
