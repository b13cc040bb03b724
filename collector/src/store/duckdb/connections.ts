/**
 * The embedded store's DuckDB database and every connection to it. A DuckDB connection runs one
 * statement at a time, so each is held by one job at a time, behind a lock.
 *
 * Lock order of the embedded store: load → write → read.
 * - load(): the loader's connection. Loads of the journal, rollups, and the deletions that must
 *   follow a load run one at a time here; a load job may then call write().
 * - write(): the writer's connection: every change, and the reads of everything but stats.
 * - read(): one reader connection, the least busy (stats: two queries run side by side, one per
 *   core, beside writes and loads, which DuckDB isolates).
 * - exclusive(): every connection (taking the load lock first unless the job already holds it):
 *   only there may reopen() replace them.
 * A job may ask only for a lock later in the order than every lock it holds. Asking for the one
 * it holds or an earlier one could wait for itself forever (a write job waiting for load() while
 * the load holding that lock waits for write()): such a request is rejected at once with a
 * LockOrderError. The locks a job holds follow it through its awaits (AsyncLocalStorage, next to
 * free on Node 24, which the collector requires). Work a job starts without waiting for it (a
 * hook, a load for later) is no part of it: detached() runs it outside every lock.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { AsyncLocalStorage } from 'node:async_hooks';
import { StoreError } from '../store.ts';
import { Serial } from './serial.ts';

/** Connections that answer stats queries side by side. */
const READERS = 2;

/** The locks in the order a job may take them; `all` (exclusive) comes last: nothing may be asked for inside it. */
const ORDER = ['load', 'write', 'read', 'all'] as const;
type Lock = (typeof ORDER)[number];

export type Param = string | number | boolean | null;
export type Row = Record<string, unknown>;

/** A job asked for a lock it could wait for forever: a bug in the store, never a state of the database. */
export class LockOrderError extends Error {
  constructor(asked: string, held: readonly Lock[]) {
    super(
      `${asked} asked for inside ${held.at(-1) === 'all' ? 'exclusive' : held.at(-1)}(), which would wait for itself forever: ` +
        'the embedded store takes its locks in the order load, write, read, never one it holds or an earlier one (connections.ts)',
    );
    this.name = 'LockOrderError';
  }
}

/** A job on the writer's connection as the store runs it (write()), failures named after `operation`. */
export type Exec = <T>(operation: string, job: (conn: DuckDBConnection) => Promise<T>) => Promise<T>;

/** The rows of a query, as plain JS values. */
export async function rowsOf(conn: DuckDBConnection, sql: string, params: Param[] = []): Promise<Row[]> {
  return (await conn.runAndReadAll(sql, params)).getRowObjectsJS() as Row[];
}

interface Reader {
  conn: DuckDBConnection;
  serial: Serial;
  /** Jobs queued or running: a new read goes to the reader with the fewest. */
  pending: number;
}

/**
 * How much DuckDB may use: its buffer manager's memory (`memory_limit`, e.g. '512MB'; what does
 * not fit spills to `<file>.tmp`) and its worker threads. Unset, DuckDB's own defaults: 80% of the
 * machine's memory and one thread per core.
 */
export interface EngineSettings {
  memoryLimit?: string;
  threads?: number;
}

const duckdbOptions = (e: EngineSettings): Record<string, string> => ({
  ...(e.memoryLimit ? { memory_limit: e.memoryLimit } : {}),
  ...(e.threads ? { threads: String(e.threads) } : {}),
});

export class Connections {
  /** The database file. */
  readonly file: string;
  readonly engine: EngineSettings;
  #instance: DuckDBInstance;
  #writer: DuckDBConnection;
  #loader: DuckDBConnection;
  #readers: Reader[];
  #loads = new Serial();
  #writes = new Serial();
  /** The locks the running job holds, in the order it took them. */
  #held = new AsyncLocalStorage<readonly Lock[]>();

  private constructor(file: string, engine: EngineSettings, instance: DuckDBInstance, [writer, loader, ...readers]: DuckDBConnection[]) {
    this.file = file;
    this.engine = engine;
    this.#instance = instance;
    this.#writer = writer!;
    this.#loader = loader!;
    this.#readers = readers.map((conn) => ({ conn, serial: new Serial(), pending: 0 }));
  }

  /** Opens the database file and its connections; a file another process holds is refused in words a person can act on. */
  static async open(file: string, engine: EngineSettings = {}): Promise<Connections> {
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(file, duckdbOptions(engine));
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
    try {
      return new Connections(file, engine, instance, await connectAll(instance));
    } catch (err) {
      instance.closeSync();
      throw err;
    }
  }

  /** Runs `job` when the loads queued before it are done; it reads the loader's connection from `loader`. */
  load<T>(job: () => Promise<T>): Promise<T> {
    return this.#take('load', (inner) => this.#loads.run(inner), job);
  }

  /** The loader's connection, inside load() only; read it again after a reopen(), which replaces it. */
  get loader(): DuckDBConnection {
    if (!this.#held.getStore()?.includes('load')) throw new Error('the loader connection is used outside load() (connections.ts)');
    return this.#loader;
  }

  /** Runs `job` on the writer's connection when the writes queued before it are done. */
  write<T>(job: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.#take('write', (inner) => this.#writes.run(inner), () => job(this.#writer));
  }

  /** Runs `job` on the reader connection with the fewest jobs queued. */
  read<T>(job: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    let reader: Reader | undefined;
    return this.#take(
      'read',
      (inner) => {
        reader = this.#readers.reduce((a, b) => (b.pending < a.pending ? b : a));
        reader.pending++;
        return reader.serial.run(inner).finally(() => reader!.pending--);
      },
      // The reader's connection as it is when the job runs: a reopen may have replaced it meanwhile.
      () => job(reader!.conn),
    );
  }

  /** Runs `job` holding every connection: inside a load, or taking the load lock first. */
  exclusive<T>(job: () => Promise<T>): Promise<T> {
    const held = this.#held.getStore() ?? [];
    if (held.some((lock) => lock !== 'load')) return Promise.reject(new LockOrderError('exclusive()', held));
    const all = () =>
      this.#writes.run(() => holdAll(this.#readers.map((r) => r.serial), () => this.#held.run(['load', 'all'], job)));
    return held.length > 0 ? all() : this.#loads.run(all);
  }

  /**
   * Closes every connection and the database and opens them again, inside exclusive() only: after
   * DuckDB invalidated the database (a fatal error), it refuses every statement until then.
   */
  async reopen(): Promise<void> {
    const held = this.#held.getStore() ?? [];
    if (!held.includes('all')) throw new Error('reopen() outside exclusive() (connections.ts)');
    for (const conn of [...this.#readers.map((r) => r.conn), this.#writer, this.#loader]) {
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
    this.#instance = await DuckDBInstance.create(this.file, duckdbOptions(this.engine));
    const [writer, loader, ...readers] = await connectAll(this.#instance);
    this.#writer = writer!;
    this.#loader = loader!;
    this.#readers.forEach((r, i) => (r.conn = readers[i]!));
  }

  /** A connection outside the locks, for a long read (an export) that must hold nothing up; the caller closes it. */
  async connect(): Promise<DuckDBConnection> {
    const conn = await this.#instance.connect();
    try {
      await utcSession(conn);
    } catch (err) {
      conn.closeSync();
      throw err;
    }
    return conn;
  }

  /** Runs `fn` outside every lock: for work a job starts without waiting for it. */
  detached<T>(fn: () => T): T {
    return this.#held.exit(fn);
  }

  /** Closes every connection and the database once the jobs queued before are done. */
  close(): Promise<void> {
    return this.exclusive(async () => {
      for (const r of this.#readers) r.conn.closeSync();
      this.#writer.closeSync();
      this.#loader.closeSync();
      this.#instance.closeSync();
    });
  }

  /** Takes `lock` through `acquire` and runs `job` holding it, unless the calling job holds the same or a later one. */
  #take<T>(lock: Lock, acquire: (inner: () => Promise<T>) => Promise<T>, job: () => Promise<T>): Promise<T> {
    const held = this.#held.getStore() ?? [];
    if (held.some((h) => ORDER.indexOf(h) >= ORDER.indexOf(lock))) return Promise.reject(new LockOrderError(`${lock}()`, held));
    const holding = [...held, lock];
    return acquire(() => this.#held.run(holding, job));
  }
}

/** The writer's, the loader's and the readers' connections, in that order. */
async function connectAll(instance: DuckDBInstance): Promise<DuckDBConnection[]> {
  const conns: DuckDBConnection[] = [];
  for (let i = 0; i < 2 + READERS; i++) conns.push(await instance.connect());
  for (const conn of conns) await utcSession(conn);
  return conns;
}

/** Timestamps are stored as naive UTC; time zone conversions must read them as UTC. */
async function utcSession(conn: DuckDBConnection): Promise<void> {
  await conn.run(`SET TimeZone = 'UTC'`);
}

/** Runs `job` while holding every one of `serials` (each runs nothing else meanwhile). */
function holdAll<T>(serials: readonly Serial[], job: () => Promise<T>): Promise<T> {
  return serials.reduce<() => Promise<T>>((inner, serial) => () => serial.run(inner), job)();
}
