/**
 * The one storage interface every adapter implements (ARCHITECTURE.md §6). Services call it;
 * only `store/<adapter>/` imports a database driver.
 */
import type { AuditEntry, Grant, Role, Section, SiteView } from '../protocol/management.ts';
import type { Filter, FilterDimension, Goal, Metric } from '../protocol/query.ts';

/** An enriched event as it is stored: no IP, no user agent, nothing that identifies a person. */
export interface StoredEvent {
  site: string;
  /** Milliseconds since the epoch, UTC. */
  ts: number;
  name: string;
  /** First 16 bytes of SHA-256(dailySalt || site || ip || ua), 32 hex characters. */
  visitor: string;
  /** Server-assigned session number, unique per visitor. */
  session: number;
  hostname: string;
  pathname: string;
  /** The query string kept after the allowlist, without `?`, or null. */
  query: string | null;
  /** Referrer as host + path (never its query string), or null for direct traffic. */
  referrer: string | null;
  referrerHost: string | null;
  source: string | null;
  medium: string;
  utmSource: string | null;
  utmMedium: string | null;
  utmCampaign: string | null;
  utmTerm: string | null;
  utmContent: string | null;
  country: string | null;
  browser: string | null;
  browserVersion: string | null;
  os: string | null;
  osVersion: string | null;
  device: string;
  screenWidth: number | null;
  /** Flat props serialized as JSON, or null. */
  props: string | null;
  engagedMs: number | null;
  scrollDepth: number | null;
  clientId: string | null;
}

/** A registered site: the site as the API shows it (protocol/management.ts), as the store keeps it. */
export interface Site extends Omit<SiteView, 'deletedAt'> {
  /**
   * When its deletion was asked for, or null: a deleted site counts nothing and is hidden, and
   * after the grace period everything of it is purged; until then it can be restored.
   */
  deletedAt?: number | null;
}

/** What can be changed on a site once it exists. */
export type SiteChanges = Partial<Pick<Site, 'name' | 'domains' | 'allowSubdomains' | 'queryKeys' | 'timezone' | 'retentionMonths' | 'deletedAt' | 'integration'>>;

/**
 * A site key: the long-lived secret a plugin's server holds (ARCHITECTURE.md §4). Only its hash
 * is stored; the key itself is shown once, when it is created.
 */
export interface SiteKey {
  /** `k_` and 12 random characters: how the API names a key (revocation, view tokens); `ik_…` for an integration key. */
  id: string;
  /** Its site; '' for an integration key (sites/integration-keys.ts), which belongs to no site but to the installation. */
  site: string;
  /** What it is for ("WordPress plugin"). */
  name: string;
  /** SHA-256 (hex) of the key. */
  hash: string;
  /** The key's last 4 characters, to tell keys apart ('' for keys made before they were kept). */
  last4: string;
  createdAt: number;
  /** When it was revoked (it opens nothing since, nor do its view tokens), or null. */
  revokedAt: number | null;
  /**
   * Set for a share link's key (sites/share-links.ts): it reads only these sections, through view
   * tokens it is exchanged for (never as a bearer), with its password, until it expires.
   */
  share?: ShareTerms;
}

export interface ShareTerms {
  sections: Section[];
  /** scrypt hash of the link's password, or null for a link without one. */
  passwordHash: string | null;
  /** When the link stops opening anything (ms since the epoch), or null. */
  expiresAt: number | null;
}

export interface SiteKeyStore {
  /** Refuses (StoreError "keys.create") an id or a hash that exists. */
  create(key: SiteKey): Promise<void>;
  /** A site's keys, revoked ones included, oldest first. */
  list(site: string): Promise<SiteKey[]>;
  get(id: string): Promise<SiteKey | null>;
  byHash(hash: string): Promise<SiteKey | null>;
  /** Marks a key revoked at `at`; false when there is no such key or it was already revoked. */
  revoke(id: string, at: number): Promise<boolean>;
}

/** Installation-wide values every collector sharing the store must agree on (e.g. the view-token secret). */
export interface MetaStore {
  /** The value stored under `name`, storing `candidate` first when there is none (one winner across collectors). */
  ensure(name: string, candidate: string): Promise<string>;
}

/** The last event of a recent session, to resume session assignment after a restart. */
export interface SessionTail {
  visitor: string;
  session: number;
  firstTs: number;
  lastTs: number;
}

/** Events dropped at ingest (bots, rate limits, foreign hosts, duplicates…), counted per site, UTC day and reason (protocol/dropped.ts). */
export interface DropCount {
  site: string;
  day: string;
  reason: string;
  count: number;
}

export interface EventStore {
  /** Durably appends rows: when the promise resolves, the rows survive a crash of the process. */
  append(rows: readonly StoredEvent[]): Promise<void>;
  /** Makes everything appended so far visible to reads. */
  settle(): Promise<void>;
  /**
   * Imports many rows at once, bypassing the journal (synthetic data, migrations): not durable row
   * by row, only once it resolves. Calls `progress` with the rows written so far.
   */
  bulkInsert(rows: Iterable<StoredEvent>, progress?: (n: number) => void): Promise<number>;
  /** Deletes a site's raw events before `ts` (retention; rollups stay); returns how many went. */
  deleteBefore(site: string, ts: number): Promise<number>;
  /**
   * Events of a site whose prop `key` reads `value` (as JSON text: 42 reads "42"), in time order:
   * what a server SDK sent about one person (GDPR access requests).
   */
  findByProp(site: string, key: string, value: string): Promise<StoredEvent[]>;
  /**
   * Deletes those events, everything journaled included (GDPR erasure); the rolled-up days that
   * their visits touched are rolled up again. Returns how many events went.
   */
  deleteByProp(site: string, key: string, value: string): Promise<number>;
  /** Events of one site in time order (tests, exports). */
  list(site: string, opts?: { limit?: number }): Promise<StoredEvent[]>;
  /** The latest event of every session active since `since`. */
  sessionTails(since: number): Promise<SessionTail[]>;
  /** Client event ids of events at or after `since`, for deduplication after a restart. */
  clientIds(since: number): Promise<{ site: string; clientId: string; ts: number }[]>;
}

/** A stats question for the store: a UTC range of whole local days, filters, and a grouping. */
export interface StatsSpec {
  site: string;
  /** The site's time zone: local days, hours and buckets are read in it. */
  tz: string;
  /** First and last local day, both included (YYYY-MM-DD), and the UTC instants bounding them. */
  from: string;
  to: string;
  startUtc: number;
  endUtc: number;
  filters: Filter[];
  /** A prop whose numeric values are summed, as `revenue`, over the events counted. */
  revenueProp?: string;
  group:
    | { by: 'none' }
    | { by: 'time'; interval: 'hour' | 'day' | 'week' | 'month' }
    | { by: 'dimension'; dimension: FilterDimension; sort: Metric; limit: number; offset: number }
    /** Rollups: the totals (key "") and every value of each dimension (key "dimension<TAB>value"). */
    | { by: 'dimensions'; dimensions: readonly FilterDimension[] };
}

/** Sums for one key (a bucket label, a dimension value, or '' without grouping). */
export interface StatsRow {
  key: string;
  visitors: number;
  visits: number;
  pageviews: number;
  events: number;
  bounces: number;
  /** Pageviews of the visits counted (for views per visit). */
  visit_pageviews: number;
  /** Engaged milliseconds of the visits counted. */
  duration: number;
  /** Sum and number of the scroll depths (%) engagement events reported. */
  scroll_sum: number;
  scroll_n: number;
  /** With a dimension: how many keys there are in all (for paging). */
  total?: number;
  /** With `revenueProp`: the sum of its numeric values. */
  revenue?: number;
}

/** What is happening on a site right now. */
export interface Realtime {
  /** Distinct visitors with an event (other than engagement and vitals) since `since`. */
  visitors: number;
  pageviews: number;
  /** The pages those visitors are on, most visitors first. */
  pages: { page: string; visitors: number }[];
  /** The latest events, newest first. */
  recent: { ts: number; name: string; page: string; country: string | null; source: string | null; device: string }[];
}

/** p75 of one Web Vital and how many reports it is computed from. */
export interface VitalRow {
  /** '' for every page together. */
  page: string;
  metric: string;
  p75: number;
  n: number;
  /** Pages with reports in all (for paging). */
  total: number;
}

export interface StatsStore {
  query(spec: StatsSpec): Promise<StatsRow[]>;
  /**
   * Several specs at once, as `query` would answer each; adapters may share the work when they
   * differ only in their grouping (a dashboard).
   */
  queryMany(specs: readonly StatsSpec[]): Promise<StatsRow[][]>;
  /** Visits the spec counts, and how many of them completed each step in order (raw events). */
  funnel(spec: StatsSpec, steps: readonly { kind: 'page' | 'event'; match: string }[]): Promise<{ visits: number; steps: number[] }>;
  /** Web Vitals p75 over all pages and for a page of pages (raw events). */
  vitals(spec: StatsSpec, limit: number, offset: number): Promise<VitalRow[]>;
  realtime(site: string, since: number, opts?: { pages?: number; recent?: number }): Promise<Realtime>;
  /** Streams a site's raw events in [startUtc, endUtc), in time order, in chunks. */
  exportEvents(site: string, startUtc: number, endUtc: number): AsyncIterable<StoredEvent[]>;
  /**
   * The same events as export text written by the store itself (CSV with a header, or NDJSON: the
   * lines stats/export.ts writes from exportEvents' rows), in chunks. Optional: an adapter that
   * can write them faster than the service offers it; the service writes the others' rows.
   */
  exportText?(site: string, startUtc: number, endUtc: number, format: 'csv' | 'ndjson'): AsyncIterable<string>;
}

/** Daily rollups: precomputed days that make long periods fast (see the adapter's rollups). */
export interface RollupStore {
  /** Local days of a site that are closed and not rolled up (or changed since, or in another time zone). */
  pending(site: Site, now: number): Promise<string[]>;
  /** Computes and stores one day's rollup, replacing any earlier one. */
  roll(site: Site, day: string, now: number): Promise<void>;
}

// Sections and audit entries are part of the API's answers: defined with the protocol.
export { SECTIONS, type AuditEntry, type Section } from '../protocol/management.ts';

/** A dashboard user: the owner (one), admins (every site), clients (the sites granted to them). */
export interface User {
  id: string;
  /** Lower case; unique. */
  email: string;
  name: string;
  role: Role;
  /** accounts/passwords.ts's format; null until an invited user sets one. */
  passwordHash: string | null;
  /** For clients: each site they may see, and which sections of it. */
  grants: Grant[];
  createdAt: number;
  passwordChangedAt: number | null;
}

export interface UserStore {
  /** Refuses (StoreError "users.create") an id or an email that exists. */
  create(user: User): Promise<void>;
  /** Oldest first. */
  list(): Promise<User[]>;
  get(id: string): Promise<User | null>;
  byEmail(email: string): Promise<User | null>;
  /** Changes some fields; false when there is no such user. */
  update(id: string, changes: Partial<Pick<User, 'name' | 'role' | 'passwordHash' | 'grants' | 'passwordChangedAt'>>): Promise<boolean>;
  remove(id: string): Promise<boolean>;
}

/** A dashboard login (a cookie session). */
export interface LoginSession {
  /** SHA-256 (hex) of the cookie's token: the database alone does not open sessions. */
  idHash: string;
  user: string;
  /** The token state-changing requests of this session must echo (X-CSRF-Token). */
  csrf: string;
  createdAt: number;
  lastSeenAt: number;
}

export interface LoginStore {
  create(session: LoginSession): Promise<void>;
  get(idHash: string): Promise<LoginSession | null>;
  touch(idHash: string, at: number): Promise<void>;
  remove(idHash: string): Promise<boolean>;
  /** Ends every session of a user (logout everywhere, password change); returns how many. */
  removeForUser(user: string): Promise<number>;
  /** Deletes sessions created before `createdBefore` or idle since before `seenBefore`. */
  removeExpired(createdBefore: number, seenBefore: number): Promise<number>;
}


export interface AuditQuery {
  page: number;
  perPage: number;
  actor?: string;
  action?: string;
  target?: string;
}

export interface AuditStore {
  add(entry: AuditEntry): Promise<void>;
  /** Newest first, a page at a time, with how many match in all. */
  list(q: AuditQuery): Promise<{ entries: AuditEntry[]; total: number }>;
  /** Retention: deletes entries before `ts`; returns how many. */
  deleteBefore(ts: number): Promise<number>;
}

export interface GoalStore {
  list(site: string): Promise<Goal[]>;
  create(site: string, goal: Goal): Promise<void>;
  /** Removes a goal; false when it did not exist. */
  remove(site: string, id: string): Promise<boolean>;
}

export interface SaltStore {
  /** Returns the salt of a UTC day (YYYY-MM-DD), storing `candidate` if there is none yet. */
  ensure(day: string, candidate: Uint8Array): Promise<Uint8Array>;
  /** Destroys every salt of a day before `day`; returns how many were destroyed. */
  destroyBefore(day: string): Promise<number>;
  /** Days that still have a salt, ascending. */
  days(): Promise<string[]>;
}

export interface SiteStore {
  create(site: Site): Promise<void>;
  /** Every site, deleted ones (awaiting their purge) included; oldest first. */
  list(): Promise<Site[]>;
  /** Changes some of a site's fields (`deletedAt: null` restores it); false when there is no such site. */
  update(id: string, changes: SiteChanges): Promise<boolean>;
  /**
   * Deletes a site and everything of it for good: raw events (journaled ones too), rollups,
   * goals, keys and drop counts. Users' grants are the caller's to remove. False when there was no such site.
   */
  purge(id: string): Promise<boolean>;
}

export interface DropCountStore {
  add(counts: readonly DropCount[]): Promise<void>;
  list(site: string): Promise<DropCount[]>;
}

export interface Store {
  readonly kind: string;
  /** Where the data lives, for messages ("duckdb at ./data/cairn.duckdb"). */
  readonly location: string;
  readonly events: EventStore;
  readonly salts: SaltStore;
  readonly sites: SiteStore;
  readonly dropCounts: DropCountStore;
  readonly stats: StatsStore;
  readonly rollups: RollupStore;
  readonly goals: GoalStore;
  readonly users: UserStore;
  readonly logins: LoginStore;
  readonly audit: AuditStore;
  readonly keys: SiteKeyStore;
  readonly meta: MetaStore;
  /** Resolves when the store answers; rejects with a StoreError otherwise. */
  health(): Promise<StoreHealth>;
  /**
   * Flushes what is pending (within a bounded time) and releases the database. Resolves with the
   * events acknowledged but not yet in the database: durable, and loaded at the next start.
   */
  close(): Promise<{ pendingEvents: number }>;
}

export interface StoreHealth {
  ok: boolean;
  /** False while new events are refused (503), e.g. because the disk is too full to keep them safely. */
  accepting?: boolean;
  /** Why not ok, in one word: `disk_full`, `loads_failing`, `store_reopening`, `unreachable`. */
  reason?: 'disk_full' | 'loads_failing' | 'store_reopening' | 'unreachable';
  /** Events acknowledged but not yet visible to reads. */
  pendingEvents?: number;
  /** Free space of the data directory's disk, and what the store needs there to take events (bytes). */
  disk?: { free: number; needed: number };
  /** The embedded database's memory limit (as DuckDB writes it, e.g. "488.2 MiB") and threads. */
  engine?: { memoryLimit: string; threads: number };
  /** What went wrong, for operators (may name files): never shown publicly. */
  detail?: string;
}

/** A failure of the storage layer, named after the operation that failed. */
export class StoreError extends Error {
  readonly operation: string;
  /** What went wrong, without the operation: for messages to a person. */
  readonly reason: string;
  /** `no_space`: refused before anything was written, because the disk is too full (expected, retried later). */
  readonly code: 'no_space' | undefined;
  constructor(operation: string, options?: { cause?: unknown; message?: string; code?: 'no_space' }) {
    const why = options?.message ?? (options?.cause instanceof Error ? options.cause.message : String(options?.cause ?? 'failed'));
    super(`${operation}: ${why}`, { cause: options?.cause });
    this.name = 'StoreError';
    this.operation = operation;
    this.reason = why;
    this.code = options?.code;
  }
}
