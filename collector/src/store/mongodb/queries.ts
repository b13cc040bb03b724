/**
 * Every document the MongoDB adapter sends, built by pure functions: collection layouts, indexes,
 * filters, updates and pipelines. The store's operations (mongodb-store.ts, sites.ts, accounts.ts,
 * goals.ts, drop-counts.ts) hand them to an executor (the driver, or mingo in tests), so what runs
 * on a real server is exactly what the tests ran.
 *
 * Layout (docs/mongodb.md explains the choices):
 * - `events`: one document per event, a regular collection indexed on `{ site, ts }` (and `{ ts }`
 *   for the startup reads that span sites); fields as StoredEvent, `ts` a date, null fields left out.
 * - `sites` (`_id` the site id), `keys` (`_id` the key id; hashes unique by index), `salts` (`_id`
 *   the UTC day), `goals` (`_id` {site, id}), `drop_counts` (`_id` {site, day, reason}), `meta`
 *   (`_id` "schema", and "value:<name>" for MetaStore's values).
 * - `rollups` (one row per site, local day, version, dimension and value), `rollup_days` (which
 *   days are rolled, in which time zone, at which version, and whether events came since), and
 *   `leases` (rollups.ts).
 * - `users` (`_id` the user id; emails unique by index), `logins` (`_id` the hash of a session token),
 *   `audit` (one document per audited action).
 */
import type { Goal } from '../../protocol/query.ts';
import type { AuditEntry, AuditQuery, DropCount, ShareTerms, LoginSession, Site, SiteChanges, SiteKey, StoredEvent, User } from '../store.ts';
import type { Doc, IndexSpec } from './executor.ts';

/**
 * The layout version this code writes; a database with a newer one is refused. 2: site keys in
 * `keys` (sites had one `keyHash`), sites named; 3: `bot_counts` became `drop_counts` (migrate.ts).
 */
export const SCHEMA_VERSION = 3;

export const C = {
  meta: 'meta',
  events: 'events',
  sites: 'sites',
  keys: 'keys',
  salts: 'salts',
  goals: 'goals',
  dropCounts: 'drop_counts',
  rollups: 'rollups',
  rollupDays: 'rollup_days',
  visitEvents: 'visit_events',
  leases: 'leases',
  users: 'users',
  logins: 'logins',
  audit: 'audit',
} as const;

export const INDEXES: Partial<Record<(typeof C)[keyof typeof C], IndexSpec[]>> = {
  events: [
    { name: 'site_ts', key: { site: 1, ts: 1 } },
    { name: 'ts', key: { ts: 1 } },
  ],
  keys: [
    { name: 'hash', key: { hash: 1 }, unique: true },
    { name: 'site_created', key: { site: 1, createdAt: 1 } },
  ],
  goals: [{ name: 'site_created', key: { '_id.site': 1, createdAt: 1 } }],
  rollups: [{ name: 'site_dimension_day', key: { site: 1, dimension: 1, day: 1 } }],
  rollup_days: [{ name: 'site_day', key: { site: 1, day: 1 } }],
  visit_events: [
    { name: 'site_day_v', key: { site: 1, day: 1, v: 1 } },
    { name: 'site_ts', key: { site: 1, ts: 1 } },
  ],
  users: [{ name: 'email', key: { email: 1 }, unique: true }],
  logins: [{ name: 'user', key: { user: 1 } }],
  audit: [{ name: 'ts', key: { ts: -1 } }],
};

const EVENT_FIELDS = [
  'site', 'ts', 'name', 'visitor', 'session', 'hostname', 'pathname', 'query', 'referrer', 'referrerHost', 'source', 'medium',
  'utmSource', 'utmMedium', 'utmCampaign', 'utmTerm', 'utmContent', 'country', 'browser', 'browserVersion', 'os', 'osVersion',
  'device', 'screenWidth', 'props', 'engagedMs', 'scrollDepth', 'clientId',
] as const satisfies readonly (keyof StoredEvent)[];

/**
 * An event as stored: `ts` a date, null fields left out, and props (flat JSON) as a list of
 * `{ k, v }` pairs in their order, so that any key (even with `.` or `$`) can be matched.
 */
export function eventDoc(e: StoredEvent): Doc {
  const doc: Doc = {};
  for (const f of EVENT_FIELDS) if (e[f] !== null) doc[f] = f === 'ts' ? new Date(e.ts) : e[f];
  if (e.props !== null) doc.props = Object.entries(JSON.parse(e.props) as Record<string, unknown>).map(([k, v]) => ({ k, v }));
  return doc;
}

export function eventOf(doc: Doc): StoredEvent {
  const e = Object.fromEntries(EVENT_FIELDS.map((f) => [f, doc[f] ?? null])) as unknown as StoredEvent;
  e.ts = (doc.ts as Date).getTime();
  if (doc.props) e.props = JSON.stringify(Object.fromEntries((doc.props as { k: string; v: unknown }[]).map((p) => [p.k, p.v])));
  return e;
}

/** A site's events in time order (arrival order within a millisecond). */
export const eventsOfSite = (site: string) => ({ filter: { site }, sort: { ts: 1 as const, _id: 1 as const } });

export const eventsBefore = (site: string, ts: number): Doc => ({ site, ts: { $lt: new Date(ts) } });

/**
 * The first and last event time of every session with an event since `since` (sessions last at
 * most 24 hours, so their events since a day earlier are enough).
 */
export const sessionTailsPipeline = (since: number): Doc[] => [
  { $match: { ts: { $gte: new Date(since - 86_400_000) } } },
  { $group: { _id: { visitor: '$visitor', session: '$session' }, firstTs: { $min: '$ts' }, lastTs: { $max: '$ts' } } },
  { $match: { lastTs: { $gte: new Date(since) } } },
  { $project: { _id: 0, visitor: '$_id.visitor', session: '$_id.session', firstTs: 1, lastTs: 1 } },
];

export const clientIdsQuery = (since: number) => ({
  filter: { ts: { $gte: new Date(since) }, clientId: { $type: 'string' } },
  projection: { _id: 0 as const, site: 1 as const, clientId: 1 as const, ts: 1 as const },
});

/** A day's salt, stored by the first collector that asks (an atomic upsert: one salt per day). */
export const saltUpsert = (day: string, candidate: Uint8Array) => ({ filter: { _id: day }, update: { $setOnInsert: { salt: candidate } } });

const dateOrNull = (t: number | null | undefined) => (t === null || t === undefined ? null : new Date(t));
const timeOrNull = (d: unknown) => (d instanceof Date ? d.getTime() : null);

export const siteDoc = (s: Site): Doc => ({
  _id: s.id,
  name: s.name,
  domains: s.domains,
  allowSubdomains: s.allowSubdomains,
  queryKeys: s.queryKeys,
  timezone: s.timezone,
  createdAt: new Date(s.createdAt),
  retentionMonths: s.retentionMonths ?? 25,
  synthetic: s.synthetic ?? false,
  deletedAt: dateOrNull(s.deletedAt),
  ...(s.integration ? { integration: s.integration } : {}),
});

export const siteOf = (d: Doc): Site => ({
  id: d._id as string,
  name: (d.name as string | undefined) ?? '',
  domains: d.domains as string[],
  allowSubdomains: d.allowSubdomains as boolean,
  queryKeys: d.queryKeys as string[],
  timezone: d.timezone as string,
  createdAt: (d.createdAt as Date).getTime(),
  retentionMonths: d.retentionMonths as number,
  synthetic: d.synthetic as boolean,
  deletedAt: timeOrNull(d.deletedAt),
  ...(typeof d.integration === 'string' ? { integration: d.integration } : {}),
});

/** `$set` of the fields `changes` names (deletedAt as a date, or null). */
export const siteUpdate = (changes: SiteChanges): Doc => ({
  $set: Object.fromEntries(
    Object.entries(changes)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, k === 'deletedAt' ? dateOrNull(v as number | null) : v]),
  ),
});

/** Filters, per collection, of everything of a site but its `sites` document (purge). */
export const siteData = (site: string): [string, Doc][] => [
  [C.events, { site }],
  [C.rollups, { site }],
  [C.rollupDays, { site }],
  [C.visitEvents, { site }],
  // Leases are named "rollup:<site>:<day>" (mongodb-store.ts).
  [C.leases, { _id: { $regex: `^rollup:${site.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:` } }],
  [C.goals, { '_id.site': site }],
  [C.keys, { site }],
  [C.dropCounts, { '_id.site': site }],
];

export const keyDoc = (k: SiteKey): Doc => ({
  _id: k.id,
  site: k.site,
  name: k.name,
  hash: k.hash,
  last4: k.last4,
  createdAt: new Date(k.createdAt),
  revokedAt: dateOrNull(k.revokedAt),
  ...(k.share ? { share: k.share } : {}),
});

export const keyOf = (d: Doc): SiteKey => ({
  id: d._id as string,
  site: d.site as string,
  name: d.name as string,
  hash: d.hash as string,
  last4: d.last4 as string,
  createdAt: (d.createdAt as Date).getTime(),
  revokedAt: timeOrNull(d.revokedAt),
  ...(d.share ? { share: d.share as ShareTerms } : {}),
});

/** Revokes a key not revoked yet (matches nothing otherwise). */
export const keyRevoke = (id: string, at: number) => ({ filter: { _id: id, revokedAt: null }, update: { $set: { revokedAt: new Date(at) } } });

/**
 * A MetaStore value, stored by the first collector that asks (an atomic upsert), under a prefix
 * that keeps names apart from the store's own documents ("schema").
 */
export const metaUpsert = (name: string, candidate: string) => ({ filter: { _id: `value:${name}` }, update: { $setOnInsert: { value: candidate } } });

export const goalDoc = (site: string, g: Goal, createdAt: number): Doc => ({
  _id: { site, id: g.id },
  name: g.name,
  kind: g.kind,
  match: g.match,
  ...(g.revenue ? { revenue: g.revenue } : {}),
  ...(g.currency ? { currency: g.currency } : {}),
  createdAt: new Date(createdAt),
});

export const goalOf = (d: Doc): Goal => {
  const { id } = d._id as { id: string };
  return { id, name: d.name as string, kind: d.kind as Goal['kind'], match: d.match as string, ...(d.revenue ? { revenue: d.revenue as string } : {}), ...(d.currency ? { currency: d.currency as string } : {}) };
};

export const dropCountUpsert = (c: DropCount) => ({ filter: { _id: { site: c.site, day: c.day, reason: c.reason } }, update: { $inc: { count: c.count } } });

export const dropCountOf = (d: Doc): DropCount => {
  const { site, day, reason } = d._id as { site: string; day: string; reason: string };
  return { site, day, reason, count: d.count as number };
};

const NOT_ACTIVE = ['engagement', 'vital'];

/** What is happening on a site since `since`: one document with totals, pages and recent events. */
export const realtimePipeline = (site: string, since: number, pages: number, recent: number): Doc[] => [
  { $match: { site, ts: { $gte: new Date(since) } } },
  {
    $facet: {
      visitors: [{ $match: { name: { $nin: NOT_ACTIVE } } }, { $group: { _id: '$visitor' } }, { $count: 'n' }],
      pageviews: [{ $match: { name: 'pageview' } }, { $count: 'n' }],
      // A visitor is on the page of their latest pageview.
      pages: [
        { $match: { name: 'pageview' } },
        { $sort: { ts: 1, _id: 1 } },
        { $group: { _id: '$visitor', page: { $last: '$pathname' } } },
        { $group: { _id: '$page', visitors: { $sum: 1 } } },
        { $sort: { visitors: -1, _id: 1 } },
        { $limit: pages },
        { $project: { _id: 0, page: '$_id', visitors: 1 } },
      ],
      recent: [
        { $match: { name: { $nin: NOT_ACTIVE } } },
        { $sort: { ts: -1, _id: -1 } },
        { $limit: recent },
        {
          $project: {
            _id: 0,
            ts: 1,
            name: 1,
            page: '$pathname',
            country: { $ifNull: ['$country', null] },
            source: { $ifNull: ['$source', null] },
            device: 1,
          },
        },
      ],
    },
  },
];

/** A chunk of a site's events in [start, end), in time (then arrival) order, after `after`. */
export const exportChunk = (site: string, start: number, end: number, after?: { ts: Date; _id: unknown }) => ({
  filter: {
    site,
    ts: { $gte: new Date(start), $lt: new Date(end) },
    ...(after ? { $or: [{ ts: { $gt: after.ts } }, { ts: after.ts, _id: { $gt: after._id } }] } : {}),
  },
  sort: { ts: 1 as const, _id: 1 as const },
});

export const userDoc = (u: User): Doc => ({
  _id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  passwordHash: u.passwordHash,
  grants: u.grants,
  createdAt: new Date(u.createdAt),
  passwordChangedAt: u.passwordChangedAt === null ? null : new Date(u.passwordChangedAt),
});

export const userOf = (d: Doc): User => ({
  id: d._id as string,
  email: d.email as string,
  name: d.name as string,
  role: d.role as User['role'],
  passwordHash: (d.passwordHash as string | null) ?? null,
  grants: d.grants as User['grants'],
  createdAt: (d.createdAt as Date).getTime(),
  passwordChangedAt: d.passwordChangedAt ? (d.passwordChangedAt as Date).getTime() : null,
});

export const userUpdate = (changes: Partial<Pick<User, 'name' | 'role' | 'passwordHash' | 'grants' | 'passwordChangedAt'>>): Doc => ({
  $set: Object.fromEntries(
    Object.entries(changes)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, k === 'passwordChangedAt' && v !== null ? new Date(v as number) : v]),
  ),
});

export const loginDoc = (l: LoginSession): Doc => ({ _id: l.idHash, user: l.user, csrf: l.csrf, createdAt: new Date(l.createdAt), lastSeenAt: new Date(l.lastSeenAt) });

export const loginOf = (d: Doc): LoginSession => ({
  idHash: d._id as string,
  user: d.user as string,
  csrf: d.csrf as string,
  createdAt: (d.createdAt as Date).getTime(),
  lastSeenAt: (d.lastSeenAt as Date).getTime(),
});

export const expiredLogins = (createdBefore: number, seenBefore: number): Doc => ({
  $or: [{ createdAt: { $lt: new Date(createdBefore) } }, { lastSeenAt: { $lt: new Date(seenBefore) } }],
});

export const auditDoc = (a: AuditEntry): Doc => ({ _id: a.id, ts: new Date(a.ts), actor: a.actor, action: a.action, target: a.target, ipHash: a.ipHash, details: a.details });

export const auditOf = (d: Doc): AuditEntry => ({
  id: d._id as string,
  ts: (d.ts as Date).getTime(),
  actor: (d.actor as string | null) ?? null,
  action: d.action as string,
  target: (d.target as string | null) ?? null,
  ipHash: (d.ipHash as string | null) ?? null,
  details: d.details as AuditEntry['details'],
});

/** A page of audit entries, newest first, and how many match: one document `{ entries, total }`. */
export const auditPipeline = (q: AuditQuery): Doc[] => [
  { $match: { ...(q.actor !== undefined ? { actor: q.actor } : {}), ...(q.action !== undefined ? { action: q.action } : {}), ...(q.target !== undefined ? { target: q.target } : {}) } },
  { $facet: { entries: [{ $sort: { ts: -1, _id: -1 } }, { $skip: (q.page - 1) * q.perPage }, { $limit: q.perPage }], total: [{ $count: 'n' }] } },
];

/**
 * Events of a site whose prop `key` reads `value` as JSON text (as the embedded store's
 * json_extract_string): the string itself, or the number or boolean it spells.
 */
export function eventsWithProp(site: string, key: string, value: string): Doc {
  const values: unknown[] = [value];
  if (value.trim() !== '' && String(Number(value)) === value) values.push(Number(value));
  if (value === 'true' || value === 'false') values.push(value === 'true');
  return { site, props: { $elemMatch: { k: key, v: { $in: values } } } };
}
