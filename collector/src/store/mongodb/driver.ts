/**
 * The MongoDB adapter's executor on a real server, through the official driver.
 *
 * Writes use write concern `majority` with journaling: an acknowledged event is on disk on a
 * majority of the replica set and survives a failover. Reads use read concern `majority` on the
 * primary: a dashboard never shows data a failover could roll back, and a read that follows an
 * acknowledged write on the same primary sees it.
 */
import { MongoBulkWriteError, MongoClient, type Db } from 'mongodb';
import type { Doc, FindOptions, IndexSpec, MongoExecutor } from './executor.ts';

export class DriverExecutor implements MongoExecutor {
  readonly #client: MongoClient;
  readonly #db: Db;

  private constructor(client: MongoClient, db: string) {
    this.#client = client;
    this.#db = client.db(db);
  }

  static async connect(url: string): Promise<DriverExecutor> {
    const client = new MongoClient(url, {
      writeConcern: { w: 'majority', journal: true },
      readConcern: { level: 'majority' },
      readPreference: 'primary',
      promoteBuffers: true,
      serverSelectionTimeoutMS: 10_000,
      appName: 'cairn',
    });
    await client.connect();
    return new DriverExecutor(client, databaseOf(url));
  }

  async insertMany(collection: string, docs: readonly Doc[]) {
    if (docs.length === 0) return { inserted: 0, duplicates: 0 };
    try {
      const r = await this.#db.collection(collection).insertMany(docs.map((d) => ({ ...d })), { ordered: false });
      return { inserted: r.insertedCount, duplicates: 0 };
    } catch (err) {
      // Unordered: the others went in. Duplicate keys are reported (an id that exists); anything
      // else is a failure.
      if (err instanceof MongoBulkWriteError) {
        const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
        if (errors.every((e) => e.code === 11000)) return { inserted: err.insertedCount, duplicates: errors.length };
      }
      throw err;
    }
  }

  async find(collection: string, filter: Doc, options: FindOptions = {}) {
    let cursor = this.#db.collection(collection).find(filter, options.projection ? { projection: options.projection } : {});
    if (options.sort) cursor = cursor.sort(options.sort);
    if (options.limit) cursor = cursor.limit(options.limit);
    return (await cursor.toArray()) as Doc[];
  }

  async aggregate(collection: string, pipeline: readonly Doc[]) {
    return (await this.#db.collection(collection).aggregate([...pipeline], { allowDiskUse: true }).toArray()) as Doc[];
  }

  async updateOne(collection: string, filter: Doc, update: Doc, options: { upsert?: boolean } = {}) {
    const r = await this.#db.collection(collection).updateOne(filter, update, { upsert: options.upsert ?? false });
    return { matched: r.matchedCount, upserted: r.upsertedCount > 0 };
  }

  async deleteMany(collection: string, filter: Doc) {
    return (await this.#db.collection(collection).deleteMany(filter)).deletedCount;
  }

  async createIndexes(collection: string, indexes: readonly IndexSpec[]) {
    if (indexes.length > 0) await this.#db.collection(collection).createIndexes(indexes.map((i) => ({ ...i })));
  }

  async ping() {
    await this.#db.command({ ping: 1 });
  }

  async close() {
    await this.#client.close();
  }
}

/** The database a connection string names (mongodb://host/<db>?…), "cairn" when it names none. */
export function databaseOf(url: string): string {
  return decodeURIComponent(/^mongodb(?:\+srv)?:\/\/[^/]*\/([^?]*)/.exec(url)?.[1] ?? '') || 'cairn';
}
