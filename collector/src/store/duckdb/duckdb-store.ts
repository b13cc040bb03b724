/**
 * The embedded store: one DuckDB file under the data directory, its ingest journal and its salt
 * file. Appends are durable once journaled; every `loadIntervalMs` (5 s by default) the loader
 * moves what is durable into DuckDB (journal-loader.ts), so reads lag ingest by about that much,
 * except where a reader loads first (`events.settle()`: the realtime numbers do).
 *
 * Why not every second: each load has a cost of its own (DuckDB reading the copied range, the
 * dirty-day marking, the commit and its WAL flush) that fewer, larger loads share. Under heavy
 * ingest, loads every second took ≈ 20 µs of CPU per event more than loads every 5 s
 * (BENCHMARKS.md, ingest).
 *
 * A full disk (docs/self-hosting.md#disk-space): appends are refused while the free space is
 * below what loading the journal needs (twice its size) plus a reserve, so that an acknowledged
 * event can always be loaded once space returns; the store comes up on a full disk and catches up
 * by itself; and a database DuckDB invalidated (a checkpoint that found no space) is opened again
 * in place before the next load.
 */
import { DuckDBInstance, DuckDBTimestampValue, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  StoreError,
  type AuditEntry,
  type AuditQuery,
  type BotCount,
  type LoginSession,
  type SessionTail,
  type Site,
  type SiteChanges,
  type SiteKey,
  type Store,
  type StoreHealth,
  type Realtime,
  type StatsRow,
  type StatsSpec,
  type StoredEvent,
  type User,
  type VitalRow,
} from '../store.ts';
import { DiskSpace, type StatFs } from './disk-space.ts';
import { Journal } from './journal.ts';
import { JournalLoader, MARK_DIRTY, MARK_KEY, parseMark } from './journal-loader.ts';
import type { Goal } from '../../protocol/query.ts';
import { EVENT_COLUMNS } from './schema.ts';
import { migrate } from './migrate.ts';
import { ensureMeta, insertKey, insertSite, keyOf, purgeSite, revokeKey, SELECT_KEY, SELECT_SITE, siteOf, updateSite } from './sites.ts';
import { SaltFile } from './salt-file.ts';
import { pendingDays, plannedSql, rollDay, rolledDaysSql, sharedSql, usesRollups } from './rollups.ts';
import { funnelSql, statsSql, vitalsSql } from './stats-sql.ts';
import { Serial } from './serial.ts';

export interface DuckDbStoreOptions {
  dataDir: string;
  /** How often journaled events are loaded into DuckDB. */
  loadIntervalMs?: number;
  /** Size of a preallocated journal segment (default 16 MiB). */
  segmentBytes?: number;
  /** Called when a background load fails (the events stay journaled and are retried). */
  onLoadError?: (err: StoreError) => void;
  /** Called when rows DuckDB refused were set aside in `file` (they are kept, not loaded). */
  onRejected?: (lines: number, file: string) => void;
  /** Pages with fewer visitors on a day are left out of its page rollups (default PAGE_ROLLUP_MIN_VISITORS). */
  pageRollupMinVisitors?: number;
  /** Free disk space kept beyond what loading the journal needs; below it, appends are refused (default 256 MiB). */
  minFreeBytes?: number;
  /** Called when appends start or stop being refused for want of disk space. */
  onDiskSpace?: (state: DiskState) => void;
  /** How the data directory's free space is read (tests). */
  statfs?: StatFs;
  /** The longest close() spends loading the journal into DuckDB (default 5 s); the rest loads at the next start. */
  closeLoadMs?: number;
}

/** Whether appends are refused for want of disk space, with the figures that decided it (bytes). */
export interface DiskState {
  low: boolean;
  free: number;
  needed: number;
}

export const DEFAULT_MIN_FREE_BYTES = 256 << 20;

/** How often the data directory's free space is read. */
const DISK_CHECK_MS = 1000;

/** What DuckDB says when a fatal error (e.g. a checkpoint on a full disk) invalidated a database. */
const INVALIDATED = /database has been invalidated|FATAL Error/i;

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

const SELECT_USER = `SELECT id, email, name, role, password_hash, grants, epoch_ms(created_at)::DOUBLE AS created_at,
  epoch_ms(password_changed_at)::DOUBLE AS password_changed_at FROM users`;

function toUser(r: Record<string, unknown>): User {
  return {
    id: String(r.id),
    email: String(r.email),
    name: String(r.name),
    role: r.role as User['role'],
    passwordHash: r.password_hash === null ? null : String(r.password_hash),
    grants: JSON.parse(String(r.grants)) as User['grants'],
    createdAt: Number(r.created_at),
    passwordChangedAt: r.password_changed_at === null ? null : Number(r.password_changed_at),
  };
}

function toStoredEvent(r: Record<string, unknown>): StoredEvent {
  const o: Record<string, unknown> = {};
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

/** Serializes one row for the journal (a hot path: one call per event). */
const journalLine = (row: StoredEvent) => JSON.stringify(row) + '\n';

/** Opens (and creates on first run) the embedded store in `dataDir`. */
export async function openDuckDbStore(options: DuckDbStoreOptions): Promise<DuckDbStore> {
  const dataDir = resolve(options.dataDir);
  const file = join(dataDir, 'cairn.duckdb');
  try {
    await mkdir(dataDir, { recursive: true });
  } catch (cause) {
    throw new StoreError('store.open', { cause, message: `cannot create the data directory ${dataDir}` });
  }
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(file);
  } catch (cause) {
    const msg = cause instanceof Error ? cause.message : String(cause);
    const pid = /PID (\d+)/.exec(msg)?.[1];
    if (/lock/i.test(msg)) {
      throw new StoreError('store.open', {
        cause,
        message: `${file} is in use by another process${pid ? ` (pid ${pid})` : ''}; stop it or use another data directory`,
      });
    }
    throw new StoreError('store.open', { cause });
  }
  const store = new DuckDbStore(instance, await instance.connect(), await instance.connect(), dataDir, file, options);
  try {
    await store.init();
  } catch (err) {
    instance.closeSync();
    throw err;
  }
  return store;
}

/** Connections that answer stats queries side by side. */
const READERS = 2;

export class DuckDbStore implements Store {
  readonly kind = 'duckdb';
  readonly location: string;
  readonly dataDir: string;
  #instance: DuckDBInstance;
  #conn: DuckDBConnection;
  #loaderConn: DuckDBConnection;
  #db = new Serial();
  #loads = new Serial();
  /**
   * Connections for stats reads, each running one query at a time: a dashboard's queries run two
   * at once (one per core) beside writes and loads, which DuckDB isolates (MVCC).
   */
  #readers: { conn: DuckDBConnection; serial: Serial; pending: number }[] = [];
  #journal!: Journal;
  /** Events acknowledged and not yet in DuckDB. */
  #pendingRows = 0;
  #loader!: JournalLoader;
  #options: DuckDbStoreOptions;
  #timer: NodeJS.Timeout | undefined;
  #lastLoadError: StoreError | null = null;
  /** The fatal error after which DuckDB refuses every statement until the database is opened again. */
  #invalidated: StoreError | null = null;
  #space: DiskSpace;
  #minFree: number;
  /** Appends are refused: the disk is too full to load them. */
  #spaceLow = false;
  #closed = false;

  constructor(
    instance: DuckDBInstance,
    conn: DuckDBConnection,
    loaderConn: DuckDBConnection,
    dataDir: string,
    file: string,
    options: DuckDbStoreOptions,
  ) {
    this.#instance = instance;
    this.#conn = conn;
    this.#loaderConn = loaderConn;
    this.dataDir = dataDir;
    this.location = file;
    this.#options = options;
    this.#space = new DiskSpace(dataDir, options.statfs ? { statfs: options.statfs } : {});
    this.#minFree = options.minFreeBytes ?? DEFAULT_MIN_FREE_BYTES;
  }

  /**
   * Creates or checks the schema, then loads whatever an earlier process journaled. A load that
   * fails here (a full disk) does not stop the start: appends are refused while space is short,
   * and the journal is loaded once it returns.
   */
  async init(): Promise<void> {
    await this.#exec('store.migrate', async () => {
      await utcSessions([this.#conn, this.#loaderConn]);
      await migrate(this.#conn);
    });
    for (let i = 0; i < READERS; i++) {
      const conn = await this.#instance.connect();
      await utcSessions([conn]);
      this.#readers.push({ conn, serial: new Serial(), pending: 0 });
    }
    this.salts = await SaltFile.open(join(this.dataDir, 'salts.json'));
    const mark = parseMark(await this.#meta(MARK_KEY));
    this.#journal = await Journal.open(join(this.dataDir, 'journal'), mark, { segmentBytes: this.#options.segmentBytes });
    this.#pendingRows = this.#journal.rowsAtOpen;
    this.#loader = this.#newLoader();
    await this.#space.refresh();
    this.#checkSpace();
    await this.settle().catch(() => undefined);
    this.#space.start(DISK_CHECK_MS, () => this.#checkSpace());
    const every = this.#options.loadIntervalMs ?? 5000;
    this.#timer = setInterval(() => {
      this.settle().catch(() => undefined);
    }, every);
    this.#timer.unref();
  }

  #newLoader(): JournalLoader {
    return new JournalLoader(this.#loaderConn, this.#journal, this.dataDir, {
      onRejected: (lines, file) => this.#options.onRejected?.(lines, file),
      onDone: (rows) => (this.#pendingRows -= rows),
    });
  }

  /** Free space the next loads need: the reserve, and twice what waits in the journal (a copy, then DuckDB's log and checkpoint). */
  #neededSpace(): number {
    return this.#minFree + 2 * this.#journal.pendingBytes;
  }

  /**
   * Decides whether appends are refused, from the last reading of the free space. Once refusing,
   * appends resume with a quarter of the reserve to spare, so that the state does not flap.
   */
  #checkSpace(): boolean {
    const free = this.#space.free;
    const needed = this.#neededSpace();
    const low = free < needed + (this.#spaceLow ? this.#minFree / 4 : 0);
    if (low !== this.#spaceLow) {
      this.#spaceLow = low;
      this.#options.onDiskSpace?.({ low, free, needed });
    }
    return low;
  }

  readonly events = {
    append: async (rows: readonly StoredEvent[]): Promise<void> => {
      if (this.#closed) throw new StoreError('events.append', { message: 'the store is closed' });
      if (this.#checkSpace()) {
        throw new StoreError('events.append', { code: 'no_space', message: `not enough free disk space in ${this.dataDir} to load more events` });
      }
      let lines = '';
      for (const row of rows) lines += journalLine(row);
      try {
        await this.#journal.append(lines, rows.length);
        this.#pendingRows += rows.length;
      } catch (cause) {
        throw new StoreError('events.append', { cause });
      }
    },

    settle: () => this.settle(),

    bulkInsert: (rows: Iterable<StoredEvent>, progress?: (n: number) => void) =>
      this.#exec('events.bulkInsert', async () => {
        const appender = await this.#conn.createAppender('events');
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
      }),

    deleteBefore: (site: string, ts: number) =>
      this.#exec('events.deleteBefore', async () => {
        const r = await this.#conn.run('DELETE FROM events WHERE site = ? AND ts < epoch_ms(?::BIGINT)', [site, ts]);
        return Number(r.rowsChanged);
      }),

    findByProp: async (site: string, key: string, value: string): Promise<StoredEvent[]> => {
      await this.events.settle();
      const rows = await this.#query('events.findByProp', `SELECT ${SELECT_EVENT} FROM events WHERE site = ? AND json_extract_string(props, ?) = ? ORDER BY ts, rowid`, [
        site,
        jsonPath(key),
        value,
      ]);
      return rows.map(toStoredEvent);
    },

    // Right after a load, between loads: every event journaled before the call is in DuckDB, and
    // none is loaded (on the loader's connection) while the delete runs, unseen by it.
    deleteByProp: (site: string, key: string, value: string): Promise<number> =>
      this.#afterLoad('events.deleteByProp', async () => {
        const conn = this.#conn;
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
          await conn.run('DROP TABLE batch');
          const r = await conn.run('DELETE FROM events WHERE site = ? AND json_extract_string(props, ?) = ?', [site, jsonPath(key), value]);
          await conn.run('COMMIT');
          return Number(r.rowsChanged);
        } catch (err) {
          await conn.run('ROLLBACK').catch(() => undefined);
          throw err;
        }
      }),

    list: async (site: string, opts: { limit?: number } = {}): Promise<StoredEvent[]> => {
      const rows = await this.#query(
        'events.list',
        `SELECT ${SELECT_EVENT} FROM events WHERE site = ? ORDER BY ts, rowid LIMIT ${Math.max(0, Math.floor(opts.limit ?? 1e9))}`,
        [site],
      );
      return rows.map(toStoredEvent);
    },

    sessionTails: async (since: number): Promise<SessionTail[]> => {
      const rows = await this.#query(
        'events.sessionTails',
        `SELECT replace(visitor::VARCHAR, '-', '') AS visitor, session::DOUBLE AS session,
                epoch_ms(min(ts))::DOUBLE AS firstTs, epoch_ms(max(ts))::DOUBLE AS lastTs
         FROM events WHERE ts >= epoch_ms(?::BIGINT) - INTERVAL 1 DAY AND session IN (
           SELECT session FROM events WHERE ts >= epoch_ms(?::BIGINT))
         GROUP BY visitor, session`,
        [since, since],
      );
      return rows as unknown as SessionTail[];
    },

    clientIds: async (since: number) => {
      const rows = await this.#query(
        'events.clientIds',
        `SELECT site, client_id AS clientId, epoch_ms(ts)::DOUBLE AS ts FROM events
         WHERE client_id IS NOT NULL AND ts >= epoch_ms(?::BIGINT)`,
        [since],
      );
      return rows as unknown as { site: string; clientId: string; ts: number }[];
    },
  };

  /** Daily salts live in their own file, so that destroying one really removes it (salt-file.ts). */
  salts!: SaltFile;

  readonly sites = {
    create: (site: Site) => this.#exec('sites.create', () => insertSite(this.#conn, site)),
    update: (id: string, changes: SiteChanges) => this.#exec('sites.update', () => updateSite(this.#conn, id, changes)),
    list: async (): Promise<Site[]> => (await this.#query('sites.list', `${SELECT_SITE} ORDER BY created_at, id`)).map(siteOf),
    // After a load, as deleteByProp: journaled events of the site go with the others.
    purge: (id: string) => this.#afterLoad('sites.purge', () => purgeSite(this.#conn, id)),
  };

  readonly keys = {
    create: (k: SiteKey) =>
      this.#exec('keys.create', async () => {
        try {
          await insertKey(this.#conn, k);
        } catch (cause) {
          if (!/Constraint Error/i.test(String(cause))) throw cause;
          throw new StoreError('keys.create', { cause, message: `a key "${k.id}" or with the same hash already exists` });
        }
      }),
    list: async (site: string): Promise<SiteKey[]> => (await this.#query('keys.list', `${SELECT_KEY} WHERE site = ? ORDER BY created_at, id`, [site])).map(keyOf),
    get: async (id: string): Promise<SiteKey | null> => (await this.#query('keys.get', `${SELECT_KEY} WHERE id = ?`, [id])).map(keyOf)[0] ?? null,
    byHash: async (hash: string): Promise<SiteKey | null> => (await this.#query('keys.byHash', `${SELECT_KEY} WHERE hash = ?`, [hash])).map(keyOf)[0] ?? null,
    revoke: (id: string, at: number) => this.#exec('keys.revoke', () => revokeKey(this.#conn, id, at)),
  };

  readonly meta = {
    ensure: (name: string, candidate: string) => this.#exec('meta.ensure', () => ensureMeta(this.#conn, name, candidate)),
  };

  readonly stats = {
    realtime: async (site: string, since: number, opts: { pages?: number; recent?: number } = {}): Promise<Realtime> => {
      const window = `site = ? AND ts >= epoch_ms(?::BIGINT)`;
      const [totals, pages, recent] = await Promise.all([
        this.#read(
          'stats.realtime',
          `SELECT count(DISTINCT visitor) FILTER (WHERE name NOT IN ('engagement', 'vital'))::DOUBLE AS visitors,
                  count(*) FILTER (WHERE name = 'pageview')::DOUBLE AS pageviews FROM events WHERE ${window}`,
          [site, since],
        ),
        // A visitor is on the page of their latest pageview.
        this.#read(
          'stats.realtime',
          `SELECT page, count(*)::DOUBLE AS visitors FROM (
             SELECT arg_max(pathname, ts) AS page FROM events WHERE ${window} AND name = 'pageview' GROUP BY visitor
           ) GROUP BY page ORDER BY visitors DESC, page LIMIT ${Math.floor(opts.pages ?? 10)}`,
          [site, since],
        ),
        this.#read(
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
    },

    exportEvents: (site: string, startUtc: number, endUtc: number): AsyncIterable<StoredEvent[]> => {
      const instance = this.#instance;
      return {
        async *[Symbol.asyncIterator]() {
          // A connection of its own: a long export must not hold up queries and loads.
          const conn = await instance.connect();
          try {
            await conn.run(`SET TimeZone = 'UTC'`);
            const result = await conn.stream(
              `SELECT ${SELECT_EVENT} FROM events WHERE site = ? AND ts >= epoch_ms(?::BIGINT) AND ts < epoch_ms(?::BIGINT) ORDER BY ts`,
              [site, startUtc, endUtc],
            );
            const names = result.columnNames();
            for await (const rows of result.yieldRowsJs()) {
              yield rows.map((row) => {
                const o: Record<string, unknown> = {};
                names.forEach((n, i) => (o[n] = row[i] ?? null));
                return toStoredEvent(o);
              });
            }
          } finally {
            conn.closeSync();
          }
        },
      };
    },

    funnel: async (spec: StatsSpec, steps: readonly { kind: 'page' | 'event'; match: string }[]) => {
      const row = (await this.#read('stats.funnel', funnelSql(spec, steps)))[0]!;
      return { visits: Number(row.visits), steps: steps.map((_, i) => Number(row[`step${i + 1}`])) };
    },

    vitals: async (spec: StatsSpec, limit: number, offset: number): Promise<VitalRow[]> =>
      (await this.#read('stats.vitals', vitalsSql(spec, limit, offset))) as unknown as VitalRow[],

    query: async (spec: StatsSpec): Promise<StatsRow[]> => {
      const sql = usesRollups(spec) ? plannedSql(spec, await this.#rolledDays(spec)) : statsSql(spec);
      return (await this.#read('stats.query', sql)) as unknown as StatsRow[];
    },

    queryMany: async (specs: readonly StatsSpec[]): Promise<StatsRow[][]> => {
      const one = (s: StatsSpec) => this.stats.query(s);
      const [base] = specs;
      const same = (s: StatsSpec) =>
        s.site === base!.site && s.tz === base!.tz && s.from === base!.from && s.to === base!.to && JSON.stringify(s.filters) === JSON.stringify(base!.filters);
      if (specs.length < 2 || !specs.every(same) || specs.some((s) => s.revenueProp)) return Promise.all(specs.map(one));
      const rolled = specs.some(usesRollups) ? await this.#rolledDays(base!) : new Set<string>();
      // Those that can use rollups share a read of the days not rolled up; the others, of all days.
      const groups = (rolled.size > 0 ? [specs.filter(usesRollups), specs.filter((s) => !usesRollups(s))] : [specs]).filter((g) => g.length > 0);
      const answers = new Map<StatsSpec, StatsRow[]>();
      await Promise.all(
        groups.map(async (group) => {
          const sql = group.length > 1 ? sharedSql(group, rolled) : null;
          if (!sql) {
            await Promise.all(group.map(async (s) => answers.set(s, await one(s))));
            return;
          }
          const rows = group.map((): StatsRow[] => []);
          for (const { part, total, ...row } of await this.#read('stats.queryMany', sql)) {
            rows[Number(part)]!.push((group[Number(part)]!.group.by === 'dimension' ? { ...row, total } : row) as unknown as StatsRow);
          }
          group.forEach((s, i) => answers.set(s, rows[i]!));
        }),
      );
      return specs.map((s) => answers.get(s)!);
    },
  };

  readonly users = {
    create: (u: User) =>
      this.#exec('users.create', async () => {
        await this.#conn.run(
          `INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, epoch_ms(?::BIGINT), epoch_ms(?::BIGINT))`,
          [u.id, u.email, u.name, u.role, u.passwordHash, JSON.stringify(u.grants), u.createdAt, u.passwordChangedAt],
        );
      }),
    list: async (): Promise<User[]> => (await this.#query('users.list', `${SELECT_USER} ORDER BY created_at, id`)).map(toUser),
    get: async (id: string): Promise<User | null> => (await this.#query('users.get', `${SELECT_USER} WHERE id = ?`, [id])).map(toUser)[0] ?? null,
    byEmail: async (email: string): Promise<User | null> => (await this.#query('users.byEmail', `${SELECT_USER} WHERE email = ?`, [email])).map(toUser)[0] ?? null,
    update: (id: string, changes: Partial<Pick<User, 'name' | 'role' | 'passwordHash' | 'grants' | 'passwordChangedAt'>>) =>
      this.#exec('users.update', async () => {
        const sets: string[] = [];
        const params: (string | number | null)[] = [];
        const set = (column: string, value: string | number | null, sql = '?') => {
          sets.push(`${column} = ${sql}`);
          params.push(value);
        };
        if (changes.name !== undefined) set('name', changes.name);
        if (changes.role !== undefined) set('role', changes.role);
        if (changes.passwordHash !== undefined) set('password_hash', changes.passwordHash);
        if (changes.grants !== undefined) set('grants', JSON.stringify(changes.grants));
        if (changes.passwordChangedAt !== undefined) set('password_changed_at', changes.passwordChangedAt, 'epoch_ms(?::BIGINT)');
        // (Inside #exec: another #exec or #query here would wait for this one forever.)
        if (sets.length === 0) return (await this.#conn.runAndReadAll('SELECT 1 FROM users WHERE id = ?', [id])).getRows().length > 0;
        const r = await this.#conn.run(`UPDATE users SET ${sets.join(', ')} WHERE id = ?`, [...params, id]);
        return Number(r.rowsChanged) > 0;
      }),
    remove: (id: string) => this.#exec('users.remove', async () => Number((await this.#conn.run('DELETE FROM users WHERE id = ?', [id])).rowsChanged) > 0),
  };

  readonly logins = {
    create: (l: LoginSession) =>
      this.#exec('logins.create', async () => {
        await this.#conn.run('INSERT INTO logins VALUES (?, ?, ?, epoch_ms(?::BIGINT), epoch_ms(?::BIGINT))', [l.idHash, l.user, l.csrf, l.createdAt, l.lastSeenAt]);
      }),
    get: async (idHash: string): Promise<LoginSession | null> => {
      const rows = await this.#query(
        'logins.get',
        'SELECT id_hash, user_id, csrf, epoch_ms(created_at)::DOUBLE AS created_at, epoch_ms(last_seen_at)::DOUBLE AS last_seen_at FROM logins WHERE id_hash = ?',
        [idHash],
      );
      const r = rows[0];
      return r ? { idHash: String(r.id_hash), user: String(r.user_id), csrf: String(r.csrf), createdAt: Number(r.created_at), lastSeenAt: Number(r.last_seen_at) } : null;
    },
    touch: (idHash: string, at: number) =>
      this.#exec('logins.touch', async () => {
        await this.#conn.run('UPDATE logins SET last_seen_at = epoch_ms(?::BIGINT) WHERE id_hash = ?', [at, idHash]);
      }),
    remove: (idHash: string) => this.#exec('logins.remove', async () => Number((await this.#conn.run('DELETE FROM logins WHERE id_hash = ?', [idHash])).rowsChanged) > 0),
    removeForUser: (user: string) => this.#exec('logins.removeForUser', async () => Number((await this.#conn.run('DELETE FROM logins WHERE user_id = ?', [user])).rowsChanged)),
    removeExpired: (createdBefore: number, seenBefore: number) =>
      this.#exec('logins.removeExpired', async () =>
        Number((await this.#conn.run('DELETE FROM logins WHERE created_at < epoch_ms(?::BIGINT) OR last_seen_at < epoch_ms(?::BIGINT)', [createdBefore, seenBefore])).rowsChanged),
      ),
  };

  readonly audit = {
    add: (a: AuditEntry) =>
      this.#exec('audit.add', async () => {
        await this.#conn.run('INSERT INTO audit VALUES (?, epoch_ms(?::BIGINT), ?, ?, ?, ?, ?)', [a.id, a.ts, a.actor, a.action, a.target, a.ipHash, JSON.stringify(a.details)]);
      }),
    list: async (q: AuditQuery): Promise<{ entries: AuditEntry[]; total: number }> => {
      const conds: string[] = [];
      const params: string[] = [];
      for (const [column, value] of [['actor', q.actor], ['action', q.action], ['target', q.target]] as const) {
        if (value === undefined) continue;
        conds.push(`${column} = ?`);
        params.push(value);
      }
      const where = conds.length > 0 ? `WHERE ${conds.join(' AND ')}` : '';
      const rows = await this.#query(
        'audit.list',
        `SELECT id, epoch_ms(ts)::DOUBLE AS ts, actor, action, target, ip_hash, details, count(*) OVER ()::DOUBLE AS total FROM audit ${where}
         ORDER BY ts DESC, id DESC LIMIT ${Math.floor(q.perPage)} OFFSET ${Math.floor((q.page - 1) * q.perPage)}`,
        params,
      );
      const total = rows.length > 0 ? Number(rows[0]!.total) : Number((await this.#query('audit.list', `SELECT count(*)::DOUBLE AS n FROM audit ${where}`, params))[0]!.n);
      return {
        entries: rows.map((r) => ({
          id: String(r.id),
          ts: Number(r.ts),
          actor: r.actor === null ? null : String(r.actor),
          action: String(r.action),
          target: r.target === null ? null : String(r.target),
          ipHash: r.ip_hash === null ? null : String(r.ip_hash),
          details: JSON.parse(String(r.details)) as AuditEntry['details'],
        })),
        total,
      };
    },
    deleteBefore: (ts: number) => this.#exec('audit.deleteBefore', async () => Number((await this.#conn.run('DELETE FROM audit WHERE ts < epoch_ms(?::BIGINT)', [ts])).rowsChanged)),
  };

  readonly goals = {
    list: async (site: string): Promise<Goal[]> => {
      const rows = await this.#query('goals.list', 'SELECT id, name, kind, match, revenue FROM goals WHERE site = ? ORDER BY created_at, id', [site]);
      return rows.map((r) => ({ id: String(r.id), name: String(r.name), kind: r.kind as Goal['kind'], match: String(r.match), ...(r.revenue ? { revenue: String(r.revenue) } : {}) }));
    },
    create: (site: string, g: Goal) =>
      this.#exec('goals.create', async () => {
        await this.#conn.run('INSERT INTO goals (site, id, name, kind, match, revenue) VALUES (?, ?, ?, ?, ?, ?)', [site, g.id, g.name, g.kind, g.match, g.revenue ?? null]);
      }),
    remove: (site: string, id: string) =>
      this.#exec('goals.remove', async () => Number((await this.#conn.run('DELETE FROM goals WHERE site = ? AND id = ?', [site, id])).rowsChanged) > 0),
  };

  readonly rollups = {
    pending: (site: Site, now: number) => this.#exec('rollups.pending', () => pendingDays(this.#conn, site, now)),
    // On the loader's connection, between loads: a load marking the day dirty cannot interleave.
    roll: (site: Site, day: string, now: number) =>
      this.#loads.run(async () => {
        try {
          await rollDay(this.#loaderConn, site, day, now, this.#options.pageRollupMinVisitors);
        } catch (cause) {
          throw new StoreError('rollups.roll', { cause, message: `${site.id} ${day}: ${String(cause)}` });
        }
      }),
  };

  readonly botCounts = {
    add: async (counts: readonly BotCount[]): Promise<void> => {
      if (counts.length === 0) return;
      await this.#exec('botCounts.add', async () => {
        for (const c of counts) {
          await this.#conn.run(
            `INSERT INTO bot_counts VALUES (?, ?::DATE, ?, ?::UBIGINT)
             ON CONFLICT (site, day, reason) DO UPDATE SET count = count + excluded.count`,
            [c.site, c.day, c.reason, c.count],
          );
        }
      });
    },

    list: async (site: string): Promise<BotCount[]> => {
      const rows = await this.#query(
        'botCounts.list',
        `SELECT site, strftime(day, '%Y-%m-%d') AS day, reason, count::DOUBLE AS count
         FROM bot_counts WHERE site = ? ORDER BY day, reason`,
        [site],
      );
      return rows as unknown as BotCount[];
    },
  };

  async health(): Promise<StoreHealth> {
    const facts = { pendingEvents: this.#pendingRows, disk: { free: this.#space.free, needed: this.#neededSpace() } };
    if (this.#spaceLow) {
      const mib = (n: number) => `${Math.floor(n / 2 ** 20)} MiB`;
      const detail = `${mib(facts.disk.free)} free in ${this.dataDir}, ${mib(facts.disk.needed)} needed to load what is journaled and keep the reserve: new events are refused (503) until space returns`;
      return { ok: false, accepting: false, reason: 'disk_full', detail: this.#lastLoadError ? `${detail}; last load: ${this.#lastLoadError.message}` : detail, ...facts };
    }
    if (this.#invalidated) return { ok: false, accepting: true, reason: 'store_reopening', detail: this.#invalidated.message, ...facts };
    await this.#query('store.health', 'SELECT 1');
    if (this.#lastLoadError) return { ok: false, accepting: true, reason: 'loads_failing', detail: this.#lastLoadError.message, ...facts };
    return { ok: true, accepting: true, ...facts };
  }

  /** Every rollup row of a site, in a stable order (diagnostics and tests). */
  rollupRows(site: string): Promise<Record<string, unknown>[]> {
    return this.#query(
      'rollups.rows',
      `SELECT strftime(day, '%Y-%m-%d') AS day, dimension, value, visitors::DOUBLE AS visitors, visits::DOUBLE AS visits,
        pageviews::DOUBLE AS pageviews, events::DOUBLE AS events, bounces::DOUBLE AS bounces,
        visit_pageviews::DOUBLE AS visit_pageviews, duration::DOUBLE AS duration, scroll_sum::DOUBLE AS scroll_sum, scroll_n::DOUBLE AS scroll_n
       FROM rollups WHERE site = ? ORDER BY day, dimension, value`,
      [site],
    );
  }

  /** Every page rollup row of a site, in a stable order (diagnostics and tests). */
  pageRollupRows(site: string): Promise<Record<string, unknown>[]> {
    return this.#query(
      'rollups.rows',
      `SELECT strftime(day, '%Y-%m-%d') AS day, page, dimension, value, visitors::DOUBLE AS visitors, visits::DOUBLE AS visits,
        pageviews::DOUBLE AS pageviews, events::DOUBLE AS events, bounces::DOUBLE AS bounces,
        visit_pageviews::DOUBLE AS visit_pageviews, duration::DOUBLE AS duration, scroll_sum::DOUBLE AS scroll_sum, scroll_n::DOUBLE AS scroll_n
       FROM page_rollups WHERE site = ? ORDER BY day, page, dimension, value`,
      [site],
    );
  }

  /** Reads the data directory's free space now and decides whether appends are refused (it is also read every second). */
  async diskSpace(): Promise<DiskState> {
    await this.#space.refresh();
    const low = this.#checkSpace();
    return { low, free: this.#space.free, needed: this.#neededSpace() };
  }

  /** The ingest journal (diagnostics and failure tests). */
  get journal(): Journal {
    return this.#journal;
  }

  /** Loads every event journaled so far into DuckDB. */
  async settle(): Promise<void> {
    await this.#loads.run(() => this.#load());
  }

  /** Loads the journal (no new group of ranges after `until`); resolves with whether all of it is in. */
  async #load(until = Infinity): Promise<boolean> {
    try {
      if (this.#invalidated) await this.#reopen();
      const complete = await this.#loader.loadAll(until);
      this.#lastLoadError = null;
      return complete;
    } catch (cause) {
      const err = cause instanceof StoreError ? cause : new StoreError('events.load', { cause });
      if (INVALIDATED.test(err.message)) this.#invalidated ??= err;
      this.#lastLoadError = err;
      this.#options.onLoadError?.(err);
      throw err;
    } finally {
      this.#checkSpace();
    }
  }

  /**
   * Opens the database again after DuckDB invalidated it: until then it refuses every statement.
   * Nothing is lost: what was committed is in its file and write-ahead log, and every event
   * acknowledged after the mark read back is still in the journal. Runs inside a load (#loads),
   * holding the writer and every reader connection.
   */
  async #reopen(): Promise<void> {
    await this.#db.run(() =>
      holdAll(
        this.#readers.map((r) => r.serial),
        async () => {
          for (const conn of [...this.#readers.map((r) => r.conn), this.#conn, this.#loaderConn]) {
            try {
              conn.closeSync();
            } catch {
              // Already unusable: the instance goes next.
            }
          }
          try {
            this.#instance.closeSync();
          } catch {
            // Invalidated: closing may complain, the file lock is released all the same.
          }
          try {
            this.#instance = await DuckDBInstance.create(this.location);
            this.#conn = await this.#instance.connect();
            this.#loaderConn = await this.#instance.connect();
            for (const reader of this.#readers) reader.conn = await this.#instance.connect();
            await utcSessions([this.#conn, this.#loaderConn, ...this.#readers.map((r) => r.conn)]);
            const skipped = await this.#journal.advanceTo(parseMark(await this.#meta(MARK_KEY)));
            this.#pendingRows -= skipped;
          } catch (cause) {
            throw new StoreError('store.reopen', { cause });
          }
          this.#loader = this.#newLoader();
          this.#invalidated = null;
        },
      ),
    );
  }

  /**
   * Runs `job` (as #exec does) right after loading the journal and before the next load: for
   * deletions that must reach every event acknowledged before them. (Loads, then #db: never the
   * other way round.)
   */
  #afterLoad<T>(operation: string, job: () => Promise<T>): Promise<T> {
    return this.#loads.run(async () => {
      try {
        await this.#load();
      } catch (cause) {
        throw new StoreError(operation, { cause });
      }
      return this.#exec(operation, job);
    });
  }

  /**
   * Stops loading and releases the database, after loading what the journal holds for at most
   * `closeLoadMs`. Resolves with the events left in the journal: durable, loaded at the next start.
   */
  async close(): Promise<{ pendingEvents: number }> {
    if (this.#closed) return { pendingEvents: this.#pendingRows };
    this.#closed = true;
    clearInterval(this.#timer);
    this.#space.stop();
    await this.#journal.close();
    const until = Date.now() + (this.#options.closeLoadMs ?? 5000);
    await this.#loads.run(() => this.#load(until)).catch(() => false);
    await Promise.all(this.#readers.map((r) => r.serial.run(async () => r.conn.closeSync())));
    await this.#db.run(async () => {
      this.#conn.closeSync();
      this.#loaderConn.closeSync();
      this.#instance.closeSync();
    });
    return { pendingEvents: this.#pendingRows };
  }

  async #meta(key: string): Promise<string | null> {
    const reader = await this.#conn.runAndReadAll('SELECT value FROM meta WHERE key = ?', [key]);
    const v = reader.getRows()[0]?.[0];
    return v === undefined || v === null ? null : String(v);
  }

  #exec<T>(operation: string, job: () => Promise<T>): Promise<T> {
    return this.#db.run(async () => {
      try {
        return await job();
      } catch (cause) {
        throw this.#failed(cause instanceof StoreError ? cause : new StoreError(operation, { cause }));
      }
    });
  }

  /** Notes a failure that invalidated the database, so that the next load opens it again. */
  #failed(err: StoreError): StoreError {
    if (!this.#invalidated && INVALIDATED.test(err.message)) {
      this.#invalidated = err;
      // Reopen now rather than at the next tick of the load timer.
      if (!this.#closed) this.settle().catch(() => undefined);
    }
    return err;
  }

  /** The days of a spec's period that rollups answer (in the spec's time zone, not dirty, holding its page filter's page). */
  async #rolledDays(spec: StatsSpec): Promise<Set<string>> {
    const days = await this.#read('stats.query', rolledDaysSql(spec));
    return new Set(days.map((r) => String(r.d)));
  }

  /** A read-only query on the least busy reader connection. */
  async #read(operation: string, sql: string, params: (string | number | boolean)[] = []): Promise<Record<string, unknown>[]> {
    if (this.#closed) throw new StoreError(operation, { message: 'the store is closed' });
    const reader = this.#readers.reduce((a, b) => (b.pending < a.pending ? b : a));
    reader.pending++;
    try {
      return await reader.serial.run(async () => (await reader.conn.runAndReadAll(sql, params)).getRowObjectsJS() as Record<string, unknown>[]);
    } catch (cause) {
      throw this.#failed(new StoreError(operation, { cause }));
    } finally {
      reader.pending--;
    }
  }

  #query(operation: string, sql: string, params: (string | number | boolean)[] = []) {
    return this.#exec(operation, async () => {
      const reader = await this.#conn.runAndReadAll(sql, params);
      return reader.getRowObjectsJS() as Record<string, unknown>[];
    });
  }
}

/** Timestamps are stored as naive UTC; time zone conversions must read them as UTC. */
async function utcSessions(conns: readonly DuckDBConnection[]): Promise<void> {
  for (const conn of conns) await conn.run(`SET TimeZone = 'UTC'`);
}

/** Runs `job` while holding every one of `serials` (each runs nothing else meanwhile). */
function holdAll<T>(serials: readonly Serial[], job: () => Promise<T>): Promise<T> {
  return serials.reduce<() => Promise<T>>((inner, serial) => () => serial.run(inner), job)();
}
