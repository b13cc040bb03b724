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
 *
 * Every statement runs under a lock of connections.ts (load → write → read). The lifecycle, events
 * and rollups take theirs here; the other operations are defined beside their SQL (sites.ts,
 * accounts.ts, goals.ts, drop-counts.ts, stats-reads.ts), on the locks this class hands them.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { StoreError, type EventStore, type RollupStore, type Store, type StoreHealth } from '../store.ts';
import { auditStore, loginStore, userStore } from './accounts.ts';
import { dropCountStore } from './drop-counts.ts';
import { Connections, rowsOf, type EngineSettings, type Exec, type Param } from './connections.ts';
import { DiskAdmission, type DiskState, type StatFs } from './disk-space.ts';
import * as events from './events.ts';
import { goalStore } from './goals.ts';
import { Journal } from './journal.ts';
import { JournalLoader, readMark } from './journal-loader.ts';
import { migrate } from './migrate.ts';
import { FILTER_ROLLUP_ROWS_SQL, pendingDays, rollDay, ROLLUP_ROWS_SQL } from './rollups.ts';
import { SaltFile } from './salt-file.ts';
import { keyStore, metaStore, siteStore } from './sites.ts';
import { statsStore } from './stats-reads.ts';

export interface DuckDbStoreOptions extends EngineSettings {
  dataDir: string;
  /** How often journaled events are loaded into DuckDB. */
  loadIntervalMs?: number;
  /** Size of a preallocated journal segment (default 16 MiB). */
  segmentBytes?: number;
  /** Called when a background load fails (the events stay journaled and are retried). */
  onLoadError?: (err: StoreError) => void;
  /** Called when rows DuckDB refused were set aside in `file` (they are kept, not loaded). */
  onRejected?: (lines: number, file: string) => void;
  /** Filter values with fewer visitors on a day are left out of its filter rollups (default FILTER_ROLLUP_MIN_VISITORS). */
  filterRollupMinVisitors?: number;
  /** Prop keys with more values on a day are left out of its rollup (default PROP_ROLLUP_MAX_VALUES). */
  propRollupMaxValues?: number;
  /** Free disk space kept beyond what loading the journal needs; below it, appends are refused (default 256 MiB). */
  minFreeBytes?: number;
  /** Called when appends start or stop being refused for want of disk space. */
  onDiskSpace?: (state: DiskState) => void;
  /** How the data directory's free space is read (tests). */
  statfs?: StatFs;
  /** The longest close() spends loading the journal into DuckDB (default 5 s); the rest loads at the next start. */
  closeLoadMs?: number;
}

export { DEFAULT_MIN_FREE_BYTES, type DiskState } from './disk-space.ts';

/** What DuckDB says when a fatal error (e.g. a checkpoint on a full disk) invalidated a database. */
const INVALIDATED = /database has been invalidated|FATAL Error/i;

/** Opens (and creates on first run) the embedded store in `dataDir`. */
export async function openDuckDbStore(options: DuckDbStoreOptions): Promise<DuckDbStore> {
  const dataDir = resolve(options.dataDir);
  const file = join(dataDir, 'cairn.duckdb');
  try {
    await mkdir(dataDir, { recursive: true });
  } catch (cause) {
    throw new StoreError('store.open', { cause, message: `cannot create the data directory ${dataDir}` });
  }
  const conns = await Connections.open(file, { memoryLimit: options.memoryLimit, threads: options.threads });
  const store = new DuckDbStore(conns, dataDir, options);
  try {
    await store.init();
  } catch (err) {
    await conns.close().catch(() => undefined);
    throw err;
  }
  return store;
}

export class DuckDbStore implements Store {
  readonly kind = 'duckdb';
  readonly location: string;
  readonly dataDir: string;
  #conns: Connections;
  #journal!: Journal;
  /** Events acknowledged and not yet in DuckDB. */
  #pendingRows = 0;
  #loader!: JournalLoader;
  #options: DuckDbStoreOptions;
  #timer: NodeJS.Timeout | undefined;
  #lastLoadError: StoreError | null = null;
  /** The fatal error after which DuckDB refuses every statement until the database is opened again. */
  #invalidated: StoreError | null = null;
  #disk: DiskAdmission;
  #closed = false;

  /** Runs `job` on the writer's connection (write()), failures named after `operation`. */
  readonly #exec: Exec = async (operation, job) => {
    try {
      return await this.#conns.write(job);
    } catch (cause) {
      throw this.#failed(cause instanceof StoreError ? cause : new StoreError(operation, { cause }));
    }
  };

  /**
   * Runs `job` as #exec does, right after loading the journal and before the next load: for
   * deletions that must reach every event acknowledged before them.
   */
  readonly #afterLoad: Exec = (operation, job) =>
    this.#conns.load(async () => {
      try {
        await this.#load();
      } catch (cause) {
        throw new StoreError(operation, { cause });
      }
      return this.#exec(operation, job);
    });

  constructor(conns: Connections, dataDir: string, options: DuckDbStoreOptions) {
    this.#conns = conns;
    this.dataDir = dataDir;
    this.location = conns.file;
    this.#options = options;
    this.#disk = new DiskAdmission(dataDir, {
      minFreeBytes: options.minFreeBytes,
      statfs: options.statfs,
      pendingBytes: () => this.#journal.pendingBytes,
      onChange: (state) => this.#hook(options.onDiskSpace, state),
    });
  }

  /**
   * Creates or checks the schema, then loads whatever an earlier process journaled. A load that
   * fails here (a full disk) does not stop the start: appends are refused while space is short,
   * and the journal is loaded once it returns.
   */
  async init(): Promise<void> {
    await this.#exec('store.migrate', migrate);
    this.salts = await SaltFile.open(join(this.dataDir, 'salts.json'));
    const mark = await this.#conns.load(() => readMark(this.#conns.loader));
    this.#journal = await Journal.open(join(this.dataDir, 'journal'), mark, { segmentBytes: this.#options.segmentBytes });
    this.#pendingRows = this.#journal.rowsAtOpen;
    this.#loader = this.#newLoader();
    await this.#disk.read();
    await this.settle().catch(() => undefined);
    this.#disk.start();
    const every = this.#options.loadIntervalMs ?? 5000;
    this.#timer = setInterval(() => {
      this.settle().catch(() => undefined);
    }, every);
    this.#timer.unref();
  }

  #newLoader(): JournalLoader {
    return new JournalLoader(this.#journal, this.dataDir, {
      onRejected: (lines, file) => this.#hook(this.#options.onRejected, lines, file),
      onDone: (rows) => (this.#pendingRows -= rows),
    });
  }

  readonly events: EventStore = {
    append: async (rows) => {
      if (this.#closed) throw new StoreError('events.append', { message: 'the store is closed' });
      if (this.#disk.check()) {
        throw new StoreError('events.append', { code: 'no_space', message: `not enough free disk space in ${this.dataDir} to load more events` });
      }
      const lines = events.journalLines(rows);
      try {
        await this.#journal.append(lines, rows.length);
        this.#pendingRows += rows.length;
      } catch (cause) {
        throw new StoreError('events.append', { cause });
      }
    },
    settle: () => this.settle(),
    bulkInsert: (rows, progress) =>
      this.#exec('events.bulkInsert', (conn) => events.appendEvents(conn, rows, progress && ((n) => this.#hook(progress, n)))),
    deleteBefore: (site, ts) => this.#exec('events.deleteBefore', (conn) => events.deleteEventsBefore(conn, site, ts)),
    findByProp: async (site, key, value) => {
      await this.events.settle();
      return this.#exec('events.findByProp', (conn) => events.eventsWithProp(conn, site, key, value));
    },
    // Right after a load, between loads: every event journaled before the call is in DuckDB, and
    // none is loaded (on the loader's connection) while the delete runs, unseen by it.
    deleteByProp: (site, key, value) => this.#afterLoad('events.deleteByProp', (conn) => events.deleteEventsWithProp(conn, site, key, value)),
    list: (site, opts = {}) => this.#exec('events.list', (conn) => events.listEvents(conn, site, opts.limit)),
    sessionTails: (since) => this.#exec('events.sessionTails', (conn) => events.sessionTails(conn, since)),
    clientIds: (since) => this.#exec('events.clientIds', (conn) => events.clientIds(conn, since)),
  };

  /** Daily salts live in their own file, so that destroying one really removes it (salt-file.ts). */
  salts!: SaltFile;

  readonly sites = siteStore(this.#exec, this.#afterLoad);
  readonly keys = keyStore(this.#exec);
  readonly meta = metaStore(this.#exec);
  readonly stats = statsStore((operation, sql, params) => this.#read(operation, sql, params), () => this.#conns.connect());
  readonly users = userStore(this.#exec);
  readonly logins = loginStore(this.#exec);
  readonly audit = auditStore(this.#exec);
  readonly goals = goalStore(this.#exec);

  readonly rollups: RollupStore = {
    pending: (site, now) => this.#exec('rollups.pending', (conn) => pendingDays(conn, site, now)),
    // On the loader's connection, between loads: a load marking the day dirty cannot interleave.
    roll: (site, day, now) =>
      this.#conns.load(async () => {
        try {
          await rollDay(this.#conns.loader, site, day, now, {
            filterMinVisitors: this.#options.filterRollupMinVisitors,
            propMaxValues: this.#options.propRollupMaxValues,
          });
        } catch (cause) {
          throw new StoreError('rollups.roll', { cause, message: `${site.id} ${day}: ${String(cause)}` });
        }
      }),
  };

  readonly dropCounts = dropCountStore(this.#exec);

  async health(): Promise<StoreHealth> {
    const facts = { pendingEvents: this.#pendingRows, disk: { free: this.#disk.free, needed: this.#disk.needed() } };
    if (this.#disk.low) {
      const mib = (n: number) => `${Math.floor(n / 2 ** 20)} MiB`;
      const detail = `${mib(facts.disk.free)} free in ${this.dataDir}, ${mib(facts.disk.needed)} needed to load what is journaled and keep the reserve: new events are refused (503) until space returns`;
      return { ok: false, accepting: false, reason: 'disk_full', detail: this.#lastLoadError ? `${detail}; last load: ${this.#lastLoadError.message}` : detail, ...facts };
    }
    if (this.#invalidated) return { ok: false, accepting: true, reason: 'store_reopening', detail: this.#invalidated.message, ...facts };
    // What DuckDB runs with now (a large load takes a thread for a while: loads share the cores).
    const [setting] = await this.#query('store.health', `SELECT current_setting('memory_limit') AS memory, current_setting('threads')::INTEGER AS threads`);
    const engine = { memoryLimit: String(setting!.memory), threads: Number(setting!.threads) };
    if (this.#lastLoadError) return { ok: false, accepting: true, reason: 'loads_failing', detail: this.#lastLoadError.message, ...facts, engine };
    return { ok: true, accepting: true, ...facts, engine };
  }

  /** Every rollup row of a site, in a stable order (diagnostics and tests). */
  rollupRows(site: string): Promise<Record<string, unknown>[]> {
    return this.#query('rollups.rows', ROLLUP_ROWS_SQL, [site]);
  }

  /** Every page rollup row of a site, in a stable order (diagnostics and tests). */
  filterRollupRows(site: string): Promise<Record<string, unknown>[]> {
    return this.#query('rollups.rows', FILTER_ROLLUP_ROWS_SQL, [site]);
  }

  /** Reads the data directory's free space now and decides whether appends are refused (it is also read every second). */
  diskSpace(): Promise<DiskState> {
    return this.#disk.read();
  }

  /** The ingest journal (diagnostics and failure tests). */
  get journal(): Journal {
    return this.#journal;
  }

  /** Loads every event journaled so far into DuckDB. */
  async settle(): Promise<void> {
    await this.#conns.load(() => this.#load());
  }

  /** Inside load(): loads the journal (no new group of ranges after `until`); resolves with whether all of it is in. */
  async #load(until = Infinity): Promise<boolean> {
    try {
      if (this.#invalidated) await this.#reopen();
      const complete = await this.#loader.loadAll(this.#conns.loader, until);
      this.#lastLoadError = null;
      return complete;
    } catch (cause) {
      const err = cause instanceof StoreError ? cause : new StoreError('events.load', { cause });
      if (INVALIDATED.test(err.message)) this.#invalidated ??= err;
      this.#lastLoadError = err;
      this.#hook(this.#options.onLoadError, err);
      throw err;
    } finally {
      this.#disk.check();
    }
  }

  /**
   * Inside load(): opens the database again after DuckDB invalidated it, when it refuses every
   * statement. Nothing is lost: what was committed is in its file and write-ahead log, and every
   * event acknowledged after the mark read back is still in the journal.
   */
  async #reopen(): Promise<void> {
    await this.#conns.exclusive(async () => {
      try {
        await this.#conns.reopen();
        this.#pendingRows -= await this.#journal.advanceTo(await readMark(this.#conns.loader));
      } catch (cause) {
        throw new StoreError('store.reopen', { cause });
      }
      this.#loader = this.#newLoader();
      this.#invalidated = null;
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
    this.#disk.stop();
    await this.#journal.close();
    const until = Date.now() + (this.#options.closeLoadMs ?? 5000);
    await this.#conns.load(() => this.#load(until)).catch(() => false);
    await this.#conns.close();
    return { pendingEvents: this.#pendingRows };
  }

  #query(operation: string, sql: string, params: Param[] = []): Promise<Record<string, unknown>[]> {
    return this.#exec(operation, (conn) => rowsOf(conn, sql, params));
  }

  /** A read-only query on a reader connection (read()), for stats. */
  async #read(operation: string, sql: string, params: Param[] = []): Promise<Record<string, unknown>[]> {
    if (this.#closed) throw new StoreError(operation, { message: 'the store is closed' });
    try {
      return await this.#conns.read((conn) => rowsOf(conn, sql, params));
    } catch (cause) {
      throw this.#failed(new StoreError(operation, { cause }));
    }
  }

  /** Notes a failure that invalidated the database, so that the next load opens it again. */
  #failed(err: StoreError): StoreError {
    if (!this.#invalidated && INVALIDATED.test(err.message)) {
      this.#invalidated = err;
      // Reopen now rather than at the next tick of the load timer.
      if (!this.#closed) this.#conns.detached(() => this.settle()).catch(() => undefined);
    }
    return err;
  }

  /** Calls one of the caller's hooks outside the store's locks, so that it may call the store. */
  #hook<A extends unknown[]>(hook: ((...args: A) => void) | undefined, ...args: A): void {
    if (hook) this.#conns.detached(() => hook(...args));
  }
}
