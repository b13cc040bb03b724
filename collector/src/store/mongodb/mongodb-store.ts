/**
 * The MongoDB store: the same Store contract as the embedded one (contract.suite.ts), for
 * several stateless collectors in front of one replica set. Its filters, updates and pipelines
 * are built by pure functions (queries.ts, stats-pipeline.ts, rollups.ts; lookups by `_id`
 * inline), and an executor runs them (driver.ts on a server, mingo-executor.ts in tests). Events,
 * stats and rollups are run here; the other operations beside their concern's (sites.ts,
 * accounts.ts, goals.ts, drop-counts.ts), through the same #op.
 *
 * Every operation of the contract is implemented; what differs from the embedded store (string
 * case folding, ordering of events in the same millisecond) is listed in docs/mongodb.md.
 */
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { rangeOf } from '../../time.ts';
import { closedDays, emptyDaysBefore, rolledRun, rollupable } from '../rollup-days.ts';
import { StoreError, type Realtime, type SessionTail, type Site, type StatsRow, type StatsSpec, type Store, type StoreHealth, type StoredEvent, type VitalRow } from '../store.ts';
import { auditStore, loginStore, userStore } from './accounts.ts';
import { dropCountStore } from './drop-counts.ts';
import { isDuplicateKey, type MongoExecutor, type Op } from './executor.ts';
import { goalStore } from './goals.ts';
import {
  C,
  clientIdsQuery,
  eventDoc,
  eventOf,
  eventsBefore,
  eventsOfSite,
  eventsWithProp,
  exportChunk,
  INDEXES,
  realtimePipeline,
  saltUpsert,
  SCHEMA_VERSION,
  sessionTailsPipeline,
} from './queries.ts';
import { keyStore, metaStore, siteStore } from './sites.ts';
import { funnelPipeline, keptSource, rowsOf, statsPipeline, sumsPipeline, vitalsOf, vitalsPipeline } from './stats-pipeline.ts';
import { migrate } from './migrate.ts';
import { combineRows, fromRollupsPipeline, leaseUpdate, nearRolledDays, rollDayPipeline, rolledDaysQuery, visitEventsPipeline, visitStartsPipeline } from './rollups.ts';

/** Events per insertMany in bulk imports. */
const BULK_BATCH = 10_000;

export interface MongoStoreOptions {
  executor: MongoExecutor;
  /** Where the data lives, for messages (the URL without credentials). */
  location: string;
  now?: () => number;
  /** Events per chunk of an export (default 5,000). */
  exportChunk?: number;
}

/** Opens the store: indexes created (idempotently), the schema version checked, older layouts migrated. */
export async function openMongoStore(options: MongoStoreOptions): Promise<MongoStore> {
  const { executor } = options;
  try {
    const [meta] = await executor.find(C.meta, { _id: 'schema' });
    const found = meta?.version as number | undefined;
    if (found !== undefined && found > SCHEMA_VERSION) {
      throw new StoreError('store.open', { message: `the database was written by a newer Cairn (schema ${found}, this one knows ${SCHEMA_VERSION}); upgrade Cairn` });
    }
    for (const [collection, indexes] of Object.entries(INDEXES)) await executor.createIndexes(collection, indexes);
    await migrate(executor, found ?? 0);
    await executor.updateOne(C.meta, { _id: 'schema' }, { $set: { version: SCHEMA_VERSION } }, { upsert: true });
  } catch (cause) {
    await executor.close().catch(() => undefined);
    throw cause instanceof StoreError ? cause : new StoreError('store.open', { cause });
  }
  return new MongoStore(options);
}

export class MongoStore implements Store {
  readonly kind = 'mongodb';
  readonly location: string;
  readonly #x: MongoExecutor;
  readonly #now: () => number;
  readonly #exportChunk: number;
  /** Who holds leases taken by this store (one per process). */
  readonly #owner = randomUUID();
  #closed = false;

  /** Runs one operation, reporting any failure as a StoreError named after it. */
  readonly #op: Op = async (operation, job) => {
    if (this.#closed) throw new StoreError(operation, { message: 'the store is closed' });
    try {
      return await job(this.#x);
    } catch (cause) {
      throw cause instanceof StoreError ? cause : new StoreError(operation, { cause });
    }
  };

  constructor(options: MongoStoreOptions) {
    this.#x = options.executor;
    this.location = options.location;
    this.#now = options.now ?? Date.now;
    this.#exportChunk = options.exportChunk ?? 5_000;
  }

  readonly events = {
    /** Acknowledged once a majority of the replica set has it in its journal (driver.ts). */
    append: (rows: readonly StoredEvent[]) =>
      this.#op('events.append', async (x) => {
        if (rows.length === 0) return;
        await x.insertMany(C.events, rows.map(eventDoc));
        await this.#markDirty(x, rows);
      }),
    /** Nothing to wait for: an acknowledged insert is visible to the next read. */
    settle: () => this.#op('events.settle', async () => undefined),
    bulkInsert: (rows: Iterable<StoredEvent>, progress?: (n: number) => void) =>
      this.#op('events.bulkInsert', async (x) => {
        let n = 0;
        let batch: StoredEvent[] = [];
        const flush = async () => {
          n += (await x.insertMany(C.events, batch.map(eventDoc))).inserted;
          await this.#markDirty(x, batch);
          batch = [];
          progress?.(n);
        };
        for (const row of rows) {
          batch.push(row);
          if (batch.length === BULK_BATCH) await flush();
        }
        if (batch.length > 0) await flush();
        return n;
      }),
    deleteBefore: (site: string, ts: number) =>
      this.#op('events.deleteBefore', async (x) => {
        // Their copies with their visits go first (a failure leaves the events, to go next time).
        await x.deleteMany(C.visitEvents, eventsBefore(site, ts));
        return x.deleteMany(C.events, eventsBefore(site, ts));
      }),
    findByProp: (site: string, key: string, value: string) =>
      this.#op('events.findByProp', async (x) => (await x.find(C.events, eventsWithProp(site, key, value), { sort: { ts: 1, _id: 1 } })).map(eventOf)),
    deleteByProp: (site: string, key: string, value: string) =>
      this.#op('events.deleteByProp', async (x) => {
        const filter = eventsWithProp(site, key, value);
        const sessions = [...new Set((await x.find(C.events, filter, { projection: { session: 1 } })).map((d) => d.session as number))];
        if (sessions.length === 0) return 0;
        // Every event of the visits concerned marks its days (and its visit's first day) dirty.
        await this.#markDirty(x, (await x.find(C.events, { site, session: { $in: sessions } })).map(eventOf));
        // Their days are dirty now (not read until rolled again); their copies go at once.
        await x.deleteMany(C.visitEvents, { site, session: { $in: sessions } });
        return x.deleteMany(C.events, filter);
      }),
    list: (site: string, opts: { limit?: number } = {}) =>
      this.#op('events.list', async (x) => {
        const q = eventsOfSite(site);
        return (await x.find(C.events, q.filter, { sort: q.sort, ...(opts.limit ? { limit: opts.limit } : {}) })).map(eventOf);
      }),
    sessionTails: (since: number) =>
      this.#op('events.sessionTails', async (x): Promise<SessionTail[]> =>
        (await x.aggregate(C.events, sessionTailsPipeline(since))).map((d) => ({
          visitor: d.visitor as string,
          session: d.session as number,
          firstTs: (d.firstTs as Date).getTime(),
          lastTs: (d.lastTs as Date).getTime(),
        })),
      ),
    clientIds: (since: number) =>
      this.#op('events.clientIds', async (x) => {
        const q = clientIdsQuery(since);
        return (await x.find(C.events, q.filter, { projection: q.projection })).map((d) => ({ site: d.site as string, clientId: d.clientId as string, ts: (d.ts as Date).getTime() }));
      }),
  };

  readonly salts = {
    ensure: (day: string, candidate: Uint8Array) =>
      this.#op('salts.ensure', async (x) => {
        const u = saltUpsert(day, candidate);
        try {
          await x.updateOne(C.salts, u.filter, u.update, { upsert: true });
        } catch (err) {
          // Two collectors upserting the same new day at once: one wins, the other reads its salt.
          if (!isDuplicateKey(err)) throw err;
        }
        const [doc] = await x.find(C.salts, { _id: day });
        return new Uint8Array(doc!.salt as Uint8Array);
      }),
    destroyBefore: (day: string) => this.#op('salts.destroyBefore', (x) => x.deleteMany(C.salts, { _id: { $lt: day } })),
    days: () => this.#op('salts.days', async (x) => (await x.find(C.salts, {}, { sort: { _id: 1 }, projection: { _id: 1 } })).map((d) => d._id as string)),
  };

  readonly sites = siteStore(this.#op);
  readonly keys = keyStore(this.#op);
  readonly meta = metaStore(this.#op);
  readonly dropCounts = dropCountStore(this.#op);
  readonly goals = goalStore(this.#op, () => this.#now());
  readonly users = userStore(this.#op);
  readonly logins = loginStore(this.#op);
  readonly audit = auditStore(this.#op);

  readonly stats = {
    /** Rolled days (a run from the first day on) from rollups, the rest from raw events. */
    query: (spec: StatsSpec): Promise<StatsRow[]> =>
      this.#op('stats.query', async (x) => {
        const all = await this.#rolledVersions(x, spec);
        const versions = rollupable(spec) ? new Map([...all].map(([day, d]) => [day, d.v])) : new Map<string, string>();
        // Days before the site's first event hold nothing: rollups answer them without rows.
        const [first] = all.size > 0 ? await x.find(C.events, { site: spec.site }, { sort: { ts: 1 }, limit: 1, projection: { ts: 1 } }) : [];
        const empty = first ? emptyDaysBefore(spec, (first.ts as Date).getTime()) : [];
        const { days, k } = rolledRun(spec, new Set([...empty, ...versions.keys()]));
        if (k === 0) {
          // What rollups cannot answer: the rolled days' visit events, the days after them raw.
          const kept = new Map([...all].flatMap(([day, d]) => (d.kept ? [[day, d.v] as const] : [])));
          const run = rolledRun(spec, new Set([...empty, ...kept.keys()]));
          if (run.k === 0) return rowsOf(spec, await x.aggregate(C.events, statsPipeline(spec)));
          const rest = run.k < run.days.length ? { ...spec, ...rangeOf(run.days[run.k]!, spec.to, spec.tz) } : null;
          const versionsOfRun = new Map(run.days.slice(0, run.k).flatMap((d) => (kept.has(d) ? [[d, kept.get(d)!] as const] : [])));
          // Every day of the run holds nothing (before the first event): the raw rest alone.
          if (versionsOfRun.size === 0) return rowsOf(spec, await x.aggregate(C.events, statsPipeline(spec)));
          return rowsOf(spec, await x.aggregate(C.visitEvents, statsPipeline(spec, keptSource(spec, versionsOfRun, rest))));
        }
        const rolled = new Map(days.slice(0, k).flatMap((d) => (versions.has(d) ? [[d, versions.get(d)!] as const] : [])));
        const parts = rolled.size > 0 ? [x.aggregate(C.rollups, fromRollupsPipeline(spec, rolled))] : [];
        if (k < days.length) parts.push(x.aggregate(C.events, sumsPipeline({ ...spec, ...rangeOf(days[k]!, spec.to, spec.tz) })));
        return combineRows(spec, await Promise.all(parts));
      }),
    queryMany: (specs: readonly StatsSpec[]): Promise<StatsRow[][]> => Promise.all(specs.map((s) => this.stats.query(s))),
    funnel: (spec: StatsSpec, steps: readonly { kind: 'page' | 'event'; match: string }[]) =>
      this.#op('stats.funnel', async (x) => {
        const [doc] = await x.aggregate(C.events, funnelPipeline(spec, steps));
        return { visits: Number(doc?.visits ?? 0), steps: steps.map((_, i) => Number(doc?.[`step${i + 1}`] ?? 0)) };
      }),
    vitals: (spec: StatsSpec, limit: number, offset: number): Promise<VitalRow[]> =>
      this.#op('stats.vitals', async (x) => vitalsOf(await x.aggregate(C.events, vitalsPipeline(spec, limit, offset)))),
    realtime: (site: string, since: number, opts: { pages?: number; recent?: number } = {}): Promise<Realtime> =>
      this.#op('stats.realtime', async (x) => {
        const [doc] = (await x.aggregate(C.events, realtimePipeline(site, since, Math.floor(opts.pages ?? 10), Math.floor(opts.recent ?? 20)))) as {
          visitors: { n: number }[];
          pageviews: { n: number }[];
          pages: Realtime['pages'];
          recent: (Omit<Realtime['recent'][number], 'ts'> & { ts: Date })[];
        }[];
        return {
          visitors: doc?.visitors[0]?.n ?? 0,
          pageviews: doc?.pageviews[0]?.n ?? 0,
          pages: doc?.pages ?? [],
          recent: (doc?.recent ?? []).map((r) => ({ ...r, ts: r.ts.getTime() })),
        };
      }),
    /** In chunks, each read after the last one's (ts, _id): no cursor stays open between chunks. */
    exportEvents: (site: string, startUtc: number, endUtc: number): AsyncIterable<StoredEvent[]> => {
      const size = this.#exportChunk;
      const read = (after?: { ts: Date; _id: unknown }) => {
        const q = exportChunk(site, startUtc, endUtc, after);
        return this.#op('stats.exportEvents', (x) => x.find(C.events, q.filter, { sort: q.sort, limit: size }));
      };
      return {
        async *[Symbol.asyncIterator]() {
          let after: { ts: Date; _id: unknown } | undefined;
          for (;;) {
            const docs = await read(after);
            if (docs.length > 0) yield docs.map(eventOf);
            if (docs.length < size) return;
            const last = docs.at(-1)!;
            after = { ts: last.ts as Date, _id: last._id };
          }
        },
      };
    },
  };

  readonly rollups = {
    pending: (site: Site, now: number): Promise<string[]> =>
      this.#op('rollups.pending', async (x) => {
        const [first] = await x.find(C.events, { site: site.id }, { sort: { ts: 1 }, limit: 1, projection: { ts: 1 } });
        if (!first) return [];
        // Days rolled before visit events were kept (not `kept`) are rolled again.
        const rolled = new Set((await x.find(C.rollupDays, { ...rolledDaysQuery(site.id, site.timezone), kept: true }, { projection: { day: 1 } })).map((d) => d.day as string));
        return closedDays((first.ts as Date).getTime(), site.timezone, now).filter((day) => !rolled.has(day));
      }),
    /**
     * Rolls one day under a lease; when another collector holds it, leaves the day to it (it
     * stays pending until that one is done).
     */
    roll: (site: Site, day: string, now: number): Promise<void> =>
      this.#op('rollups.roll', async (x) => {
        const lease = `rollup:${site.id}:${day}`;
        const take = leaseUpdate(lease, this.#owner, now);
        try {
          await x.updateOne(C.leases, take.filter, take.update, { upsert: true });
        } catch (err) {
          if (isDuplicateKey(err)) return; // another collector holds the lease
          throw err;
        }
        try {
          const version = `${now}-${randomUUID().slice(0, 8)}`;
          await x.aggregate(C.events, rollDayPipeline(site, day, version));
          await x.aggregate(C.events, visitEventsPipeline(site, day, version));
          // kept: the version's visit_events are written (days rolled before them have none).
          await x.updateOne(
            C.rollupDays,
            { _id: { site: site.id, day } },
            { $set: { site: site.id, day, timezone: site.timezone, v: version, kept: true, dirty: false, rolledAt: new Date(now) } },
            { upsert: true },
          );
          await x.deleteMany(C.rollups, { site: site.id, day, v: { $ne: version } });
          await x.deleteMany(C.visitEvents, { site: site.id, day, v: { $ne: version } });
        } finally {
          await x.deleteMany(C.leases, { _id: lease, owner: this.#owner });
        }
      }),
  };

  /** The versions to read of a spec's rolled days (in its time zone, not dirty). */
  async #rolledVersions(x: MongoExecutor, spec: StatsSpec): Promise<Map<string, { v: string; kept: boolean }>> {
    const docs = await x.find(C.rollupDays, rolledDaysQuery(spec.site, spec.tz, spec.from, spec.to), { projection: { day: 1, v: 1, kept: 1 } });
    return new Map(docs.map((d) => [d.day as string, { v: d.v as string, kept: d.kept === true }]));
  }

  /**
   * Marks rolled days dirty that new events change: the local days of the events themselves, and
   * of the starts of their visits (a visit counts on the day it starts), as the embedded store's
   * loader does. Cheap when no rolled day is near the events (the usual case: today's traffic).
   */
  async #markDirty(x: MongoExecutor, rows: readonly StoredEvent[]): Promise<void> {
    const bySite = Map.groupBy(rows, (r) => r.site);
    for (const [site, events] of bySite) {
      const min = Math.min(...events.map((e) => e.ts));
      const max = Math.max(...events.map((e) => e.ts));
      const near = await x.find(C.rollupDays, nearRolledDays(site, min, max));
      if (near.length === 0) continue;
      const starts = await x.aggregate(C.events, visitStartsPipeline(site, [...new Set(events.map((e) => e.session))], min));
      const instants = [...events.map((e) => e.ts), ...starts.map((d) => (d.start as Date).getTime())];
      for (const doc of near) {
        const tz = doc.timezone as string;
        if (instants.some((t) => DateTime.fromMillis(t, { zone: tz }).toISODate() === doc.day)) {
          await x.updateOne(C.rollupDays, { _id: doc._id }, { $set: { dirty: true } });
        }
      }
    }
  }

  async health(): Promise<StoreHealth> {
    try {
      await this.#op('store.health', (x) => x.ping());
      return { ok: true, accepting: true };
    } catch (err) {
      // Appends go straight to MongoDB: while it cannot be reached, none is acknowledged.
      return { ok: false, accepting: false, reason: 'unreachable', detail: (err as StoreError).reason };
    }
  }

  /** Appends are written to MongoDB before they are acknowledged: nothing is left pending. */
  async close(): Promise<{ pendingEvents: number }> {
    if (!this.#closed) {
      this.#closed = true;
      await this.#x.close();
    }
    return { pendingEvents: 0 };
  }
}
