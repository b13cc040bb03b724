/**
 * Sites, their keys and installation-wide values in the embedded store: the statements, on a
 * connection the caller holds, and the Store's operations running them on the writer's
 * connection, one at a time (`exec`: duckdb-store.ts).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { StoreError, type MetaStore, type Site, type SiteChanges, type ShareTerms, type SiteKey, type SiteKeyStore, type SiteStore } from '../store.ts';
import { rowsOf, type Exec, type Row } from './connections.ts';

const time = (v: unknown) => (v === null || v === undefined ? null : Number(v));

const SELECT_SITE = `SELECT id, name, to_json(domains)::VARCHAR AS domains, allow_subdomains, to_json(query_keys)::VARCHAR AS query_keys,
  timezone, epoch_ms(created_at)::DOUBLE AS created_at, retention_months, synthetic, epoch_ms(deleted_at)::DOUBLE AS deleted_at, integration FROM sites`;

const siteOf = (r: Row): Site => ({
  id: String(r.id),
  name: String(r.name ?? ''),
  domains: JSON.parse(String(r.domains)) as string[],
  allowSubdomains: Boolean(r.allow_subdomains),
  queryKeys: JSON.parse(String(r.query_keys)) as string[],
  timezone: String(r.timezone),
  createdAt: Number(r.created_at),
  retentionMonths: Number(r.retention_months),
  synthetic: Boolean(r.synthetic),
  deletedAt: time(r.deleted_at),
  ...(r.integration ? { integration: String(r.integration) } : {}),
});

async function insertSite(conn: DuckDBConnection, site: Site): Promise<void> {
  // key_hash: '' since keys have their own table (schema.ts).
  await conn.run(
    `INSERT INTO sites (id, name, domains, allow_subdomains, query_keys, timezone, key_hash, created_at, retention_months, synthetic, deleted_at, integration)
     VALUES (?, ?, ?::VARCHAR[], ?, ?::VARCHAR[], ?, '', epoch_ms(?::BIGINT), ?, ?, epoch_ms(?::BIGINT), ?)`,
    [
      site.id,
      site.name,
      JSON.stringify(site.domains),
      site.allowSubdomains,
      JSON.stringify(site.queryKeys),
      site.timezone,
      site.createdAt,
      site.retentionMonths ?? 25,
      site.synthetic ?? false,
      site.deletedAt ?? null,
      site.integration ?? null,
    ],
  );
}

/** Changes the fields `changes` names; false when there is no such site. */
async function updateSite(conn: DuckDBConnection, id: string, changes: SiteChanges): Promise<boolean> {
  const sets: string[] = [];
  const params: (string | number | boolean | null)[] = [];
  const set = (column: string, value: string | number | boolean | null, sql = '?') => {
    sets.push(`${column} = ${sql}`);
    params.push(value);
  };
  if (changes.name !== undefined) set('name', changes.name);
  if (changes.domains !== undefined) set('domains', JSON.stringify(changes.domains), '?::VARCHAR[]');
  if (changes.allowSubdomains !== undefined) set('allow_subdomains', changes.allowSubdomains);
  if (changes.queryKeys !== undefined) set('query_keys', JSON.stringify(changes.queryKeys), '?::VARCHAR[]');
  if (changes.timezone !== undefined) set('timezone', changes.timezone);
  if (changes.retentionMonths !== undefined) set('retention_months', changes.retentionMonths);
  if (changes.deletedAt !== undefined) set('deleted_at', changes.deletedAt, 'epoch_ms(?::BIGINT)');
  if (changes.integration !== undefined) set('integration', changes.integration);
  if (sets.length === 0) return (await rowsOf(conn, 'SELECT 1 FROM sites WHERE id = ?', [id])).length > 0;
  const r = await conn.run(`UPDATE sites SET ${sets.join(', ')} WHERE id = ?`, [...params, id]);
  return Number(r.rowsChanged) > 0;
}

/** Tables holding rows of a site (by their `site` column), besides `sites`. */
const SITE_TABLES = ['events', 'rollups', 'filter_rollups', 'visit_events', 'rollup_days', 'goals', 'site_keys', 'drop_counts'] as const;

/** Deletes a site and every row of it, all or nothing (a failed purge leaves it to try again); false when there was no such site. */
async function purgeSite(conn: DuckDBConnection, id: string): Promise<boolean> {
  await conn.run('BEGIN TRANSACTION');
  try {
    for (const table of SITE_TABLES) await conn.run(`DELETE FROM ${table} WHERE site = ?`, [id]);
    const r = await conn.run('DELETE FROM sites WHERE id = ?', [id]);
    await conn.run('COMMIT');
    return Number(r.rowsChanged) > 0;
  } catch (err) {
    await conn.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

const SELECT_KEY = `SELECT id, site, name, hash, last4, epoch_ms(created_at)::DOUBLE AS created_at, epoch_ms(revoked_at)::DOUBLE AS revoked_at, share FROM site_keys`;

const keyOf = (r: Row): SiteKey => ({
  id: String(r.id),
  site: String(r.site),
  name: String(r.name),
  hash: String(r.hash),
  last4: String(r.last4),
  createdAt: Number(r.created_at),
  revokedAt: time(r.revoked_at),
  ...(r.share === null || r.share === undefined ? {} : { share: JSON.parse(String(r.share)) as ShareTerms }),
});

/** Inserts a key; DuckDB refuses an id or a hash that exists (a Constraint Error). */
export async function insertKey(conn: DuckDBConnection, k: SiteKey): Promise<void> {
  await conn.run(
    'INSERT INTO site_keys (id, site, name, hash, last4, created_at, revoked_at, share) VALUES (?, ?, ?, ?, ?, epoch_ms(?::BIGINT), epoch_ms(?::BIGINT), ?)',
    [k.id, k.site, k.name, k.hash, k.last4, k.createdAt, k.revokedAt, k.share ? JSON.stringify(k.share) : null],
  );
}

async function revokeKey(conn: DuckDBConnection, id: string, at: number): Promise<boolean> {
  const r = await conn.run('UPDATE site_keys SET revoked_at = epoch_ms(?::BIGINT) WHERE id = ? AND revoked_at IS NULL', [at, id]);
  return Number(r.rowsChanged) > 0;
}

/**
 * The value stored under `name`, storing `candidate` first when there is none. Names share the
 * `meta` table with the store's own bookkeeping (schema version, journal mark), hence the prefix.
 * The first insert wins: another process sharing the file would be refused by DuckDB's lock.
 */
async function ensureMeta(conn: DuckDBConnection, name: string, candidate: string): Promise<string> {
  const key = `value:${name}`;
  await conn.run('INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO NOTHING', [key, candidate]);
  return String((await rowsOf(conn, 'SELECT value FROM meta WHERE key = ?', [key]))[0]!.value);
}

/** The sites of the Store, on the writer's connection; a purge right after a load (`afterLoad`), so that journaled events of the site go with the others. */
export const siteStore = (exec: Exec, afterLoad: Exec): SiteStore => ({
  create: (site) => exec('sites.create', (conn) => insertSite(conn, site)),
  update: (id, changes) => exec('sites.update', (conn) => updateSite(conn, id, changes)),
  list: () => exec('sites.list', async (conn) => (await rowsOf(conn, `${SELECT_SITE} ORDER BY created_at, id`)).map(siteOf)),
  purge: (id) => afterLoad('sites.purge', (conn) => purgeSite(conn, id)),
});

/** The site keys of the Store, on the writer's connection. */
export const keyStore = (exec: Exec): SiteKeyStore => ({
  create: (k) =>
    exec('keys.create', async (conn) => {
      try {
        await insertKey(conn, k);
      } catch (cause) {
        if (!/Constraint Error/i.test(String(cause))) throw cause;
        throw new StoreError('keys.create', { cause, message: `a key "${k.id}" or with the same hash already exists` });
      }
    }),
  list: (site) => exec('keys.list', async (conn) => (await rowsOf(conn, `${SELECT_KEY} WHERE site = ? ORDER BY created_at, id`, [site])).map(keyOf)),
  get: (id) => exec('keys.get', async (conn) => (await rowsOf(conn, `${SELECT_KEY} WHERE id = ?`, [id])).map(keyOf)[0] ?? null),
  byHash: (hash) => exec('keys.byHash', async (conn) => (await rowsOf(conn, `${SELECT_KEY} WHERE hash = ?`, [hash])).map(keyOf)[0] ?? null),
  revoke: (id, at) => exec('keys.revoke', (conn) => revokeKey(conn, id, at)),
});

/** The installation-wide values of the Store, on the writer's connection. */
export const metaStore = (exec: Exec): MetaStore => ({
  ensure: (name, candidate) => exec('meta.ensure', (conn) => ensureMeta(conn, name, candidate)),
});
