/**
 * The only part of the MongoDB adapter that talks to a database: a handful of collection
 * operations taking the filter, update and pipeline documents that queries.ts builds. Two
 * implementations: driver.ts (the official driver, against a real server) and, in tests,
 * mingo-executor.ts (the same documents through mingo, an in-process MongoDB query engine).
 */

export type Doc = Record<string, unknown>;

export interface IndexSpec {
  name: string;
  key: Record<string, 1 | -1>;
  unique?: boolean;
  /** Only documents matching this filter are indexed (and held unique). */
  partialFilterExpression?: Doc;
}

export interface FindOptions {
  sort?: Record<string, 1 | -1>;
  limit?: number;
  projection?: Record<string, 0 | 1>;
}

export interface MongoExecutor {
  /** Inserts documents, unordered: one refused for a duplicate key does not stop the others. */
  insertMany(collection: string, docs: readonly Doc[]): Promise<{ inserted: number; duplicates: number }>;
  find(collection: string, filter: Doc, options?: FindOptions): Promise<Doc[]>;
  aggregate(collection: string, pipeline: readonly Doc[]): Promise<Doc[]>;
  /** One document's update; with `upsert`, inserted when none matches (MongoDB's upsert rules). */
  updateOne(collection: string, filter: Doc, update: Doc, options?: { upsert?: boolean }): Promise<{ matched: number; upserted: boolean }>;
  deleteMany(collection: string, filter: Doc): Promise<number>;
  createIndexes(collection: string, indexes: readonly IndexSpec[]): Promise<void>;
  /** Round trip to the server (health). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A duplicate key error (code 11000), as the driver and the in-process executor report it. */
export const isDuplicateKey = (err: unknown): boolean => (err as { code?: number } | null)?.code === 11000;

/** Runs one operation of the Store with the executor, failures reported as a StoreError named after it (mongodb-store.ts). */
export type Op = <T>(operation: string, job: (x: MongoExecutor) => Promise<T>) => Promise<T>;
