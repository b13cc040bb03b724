/**
 * The MongoDB adapter's executor for tests: the filter, update and pipeline documents the adapter
 * builds run through mingo (an in-process implementation of MongoDB's query and aggregation
 * language) over in-memory collections. What mingo does not do, and MongoDB does, is emulated here
 * explicitly and nowhere else (docs/mongodb.md lists it):
 * - `_id`s: an insertion-ordered 24-hex-digit string, as ObjectIds generated in one process sort;
 * - unique indexes (`_id`, and others on top-level fields): enforced on insert, update and upsert,
 *   code 11000 as the server (partial indexes and nested keys are refused, not emulated);
 * - upserts and `$setOnInsert`: the new document is the filter's equality fields, then
 *   `$setOnInsert`, then the other operators;
 * - BSON round trips: every document is deep-copied on the way in and out, dates stay dates, and
 *   binary data comes back as a Buffer (as the driver with `promoteBuffers`).
 * Test-only: mingo is a development dependency.
 */
import { aggregate, find, Query, update } from 'mingo';
import type { Doc, FindOptions, IndexSpec, MongoExecutor } from './executor.ts';

class DuplicateKeyError extends Error {
  readonly code = 11000;
}

function copy<T>(v: T): T {
  if (v instanceof Date) return new Date(v.getTime()) as T;
  if (v instanceof Uint8Array) return Buffer.from(v) as T;
  if (Array.isArray(v)) return v.map(copy) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x)])) as T;
  return v;
}

/** One in-memory database: what several executors (processes) connected to it share. */
interface Database {
  collections: Map<string, Doc[]>;
  indexes: Map<string, IndexSpec[]>;
  ids: Map<string, Set<string>>;
  nextId: number;
}

export class MingoExecutor implements MongoExecutor {
  readonly #db: Database;
  #closed = false;

  constructor(db: Database = { collections: new Map(), indexes: new Map(), ids: new Map(), nextId: 0 }) {
    this.#db = db;
  }

  /** The _id keys of a collection (JSON), for the unique _id index. */
  #ids(name: string): Set<string> {
    let ids = this.#db.ids.get(name);
    if (!ids) this.#db.ids.set(name, (ids = new Set(this.#coll(name).map((d) => JSON.stringify(d._id)))));
    return ids;
  }

  #newId(): string {
    return (this.#db.nextId++).toString(16).padStart(24, '0');
  }

  #coll(name: string): Doc[] {
    if (this.#closed) throw new Error('the client is closed');
    let c = this.#db.collections.get(name);
    if (!c) this.#db.collections.set(name, (c = []));
    return c;
  }

  /** Refuses `doc` when the collection already holds its `_id`, or its key of a unique index (ignoring `self`). */
  #checkUnique(name: string, doc: Doc, self?: Doc): void {
    const ids = this.#ids(name);
    const id = JSON.stringify(doc._id);
    if (ids.has(id) && (!self || JSON.stringify(self._id) !== id)) throw new DuplicateKeyError(`E11000 duplicate key error collection: ${name} index: _id_ dup key: ${id}`);
    for (const spec of (this.#db.indexes.get(name) ?? []).filter((i) => i.unique)) {
      // A missing field is indexed as null, as MongoDB does.
      const keyOf = (d: Doc) => JSON.stringify(Object.keys(spec.key).map((k) => d[k] ?? null));
      const key = keyOf(doc);
      if (this.#coll(name).some((d) => d !== self && keyOf(d) === key)) {
        throw new DuplicateKeyError(`E11000 duplicate key error collection: ${name} index: ${spec.name} dup key: ${key}`);
      }
    }
  }

  async insertMany(name: string, docs: readonly Doc[]) {
    const coll = this.#coll(name);
    let inserted = 0;
    let duplicates = 0;
    for (const d of docs) {
      const doc = { _id: this.#newId(), ...copy(d) };
      try {
        this.#checkUnique(name, doc);
      } catch (err) {
        if (!(err instanceof DuplicateKeyError)) throw err;
        duplicates++;
        continue;
      }
      coll.push(doc);
      this.#ids(name).add(JSON.stringify(doc._id));
      inserted++;
    }
    return { inserted, duplicates };
  }

  async find(name: string, filter: Doc, options: FindOptions = {}) {
    let cursor = find(this.#coll(name), filter, options.projection);
    if (options.sort) cursor = cursor.sort(options.sort);
    if (options.limit) cursor = cursor.limit(options.limit);
    return copy(cursor.all() as Doc[]);
  }

  async aggregate(name: string, pipeline: readonly Doc[]) {
    const out = copy(aggregate(this.#coll(name), [...pipeline], { collectionResolver: (n: string) => this.#coll(n) }) as Doc[]);
    // $merge wrote into a collection behind the _id sets' back.
    if (pipeline.some((stage) => '$merge' in stage || '$out' in stage)) this.#db.ids.clear();
    return out;
  }

  async updateOne(name: string, filter: Doc, modifier: Doc, options: { upsert?: boolean } = {}) {
    const coll = this.#coll(name);
    const { $setOnInsert, ...rest } = copy(modifier) as Doc & { $setOnInsert?: Doc };
    const found = coll.find((d) => new Query(filter).test(d));
    if (found) {
      const next = copy(found);
      if (Object.keys(rest).length > 0) update(next, rest);
      this.#checkUnique(name, next, found);
      // Replaced, not merged into: `$unset` removes fields.
      coll[coll.indexOf(found)] = next;
      return { matched: 1, upserted: false };
    }
    if (!options.upsert) return { matched: 0, upserted: false };
    // The filter's equality fields (values that are not operator documents) seed the new document.
    const seed = Object.fromEntries(
      Object.entries(filter).filter(([k, v]) => !k.startsWith('$') && !(v && typeof v === 'object' && !(v instanceof Date) && Object.keys(v).some((x) => x.startsWith('$')))),
    );
    const doc: Doc = { ...copy(seed), ...($setOnInsert ?? {}) };
    if (Object.keys(rest).length > 0) update(doc, rest);
    if (doc._id === undefined) doc._id = this.#newId();
    this.#checkUnique(name, doc);
    coll.push(doc);
    this.#ids(name).add(JSON.stringify(doc._id));
    return { matched: 0, upserted: true };
  }

  async deleteMany(name: string, filter: Doc) {
    const coll = this.#coll(name);
    const q = new Query(filter);
    const kept = coll.filter((d) => !q.test(d));
    const deleted = coll.length - kept.length;
    coll.length = 0;
    for (const d of kept) coll.push(d);
    this.#db.ids.delete(name);
    return deleted;
  }

  async createIndexes(name: string, indexes: readonly IndexSpec[]) {
    const known = this.#db.indexes.get(name) ?? [];
    for (const spec of indexes) {
      // Unique indexes on top-level fields are enforced; anything more would need emulating first.
      if (spec.unique && (spec.partialFilterExpression || Object.keys(spec.key).some((k) => k.includes('.')))) {
        throw new Error(`partial indexes and unique keys on nested fields are not emulated (${name}.${spec.name})`);
      }
      const same = known.find((k) => k.name === spec.name);
      if (same && JSON.stringify(same) !== JSON.stringify(spec)) throw new Error(`An existing index has the same name as the requested index: ${spec.name}`);
      if (!same) known.push(copy(spec));
    }
    this.#db.indexes.set(name, known);
    this.#coll(name);
  }

  async ping() {
    this.#coll('meta');
  }

  async close() {
    this.#closed = true;
  }

  /** A second executor on the same in-memory database, as another process would connect. */
  reconnect(): MingoExecutor {
    return new MingoExecutor(this.#db);
  }
}
