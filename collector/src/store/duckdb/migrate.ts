/** Creates the embedded store's schema on first open, or brings an older one up to SCHEMA_VERSION. */
import type { DuckDBConnection } from '@duckdb/node-api';
import { migratedKey } from '../migrated-key.ts';
import { SCHEMA_SQL, SCHEMA_VERSION } from './schema.ts';
import { insertKey } from './sites.ts';

async function schemaVersion(conn: DuckDBConnection): Promise<number | null> {
  const v = (await conn.runAndReadAll(`SELECT value FROM meta WHERE key = 'schema_version'`)).getRows()[0]?.[0];
  return v === undefined || v === null ? null : Number(v);
}

export async function migrate(conn: DuckDBConnection): Promise<void> {
  // Tables and columns added by later schemas are created here (IF NOT EXISTS): what is left is data.
  await conn.run(SCHEMA_SQL);
  // Written to the database file now, not left in the write-ahead log: DuckDB fails to replay an
  // ALTER TABLE … ADD COLUMN on a table with a `DEFAULT now()` column (goals) after a crash
  // ("GetDefaultDatabase with no default database set"), and the store would not open again.
  await conn.run('CHECKPOINT');
  const found = await schemaVersion(conn);
  if (found === null) {
    await conn.run(`INSERT INTO meta VALUES ('schema_version', '${SCHEMA_VERSION}')`);
    return;
  }
  if (found > SCHEMA_VERSION) {
    throw new Error(`the data was written by a newer Cairn (schema ${found}, this one knows ${SCHEMA_VERSION}); upgrade Cairn`);
  }
  if (found === SCHEMA_VERSION) return;
  if (found < 3) {
    // Schema 3 changed the rollups' columns: rollups are derived data, so they are dropped and
    // the rollup job computes them again from raw events.
    await conn.run('DROP TABLE rollups; DROP TABLE rollup_days;');
    await conn.run(SCHEMA_SQL);
  }
  await conn.run('BEGIN TRANSACTION');
  try {
    if (found < 4) await moveKeys(conn);
    // Schema 6 (filter rollups) needs no data moved: days rolled before it have filter_min NULL,
    // so filters read their raw events until the rollup job rolls them again (it does: they are
    // pending), and the page rollups of schema 5 go.
    if (found < 6) await conn.run('DROP TABLE IF EXISTS page_rollups');
    // Schema 7 counts every dropped event, not only bots: the bot counts move to drop_counts.
    if (found < 7 && (await conn.runAndReadAll(`SELECT 1 FROM information_schema.tables WHERE table_name = 'bot_counts'`)).currentRowCount > 0) {
      await conn.run('INSERT INTO drop_counts SELECT * FROM bot_counts; DROP TABLE bot_counts');
    }
    await conn.run(`UPDATE meta SET value = '${SCHEMA_VERSION}' WHERE key = 'schema_version'`);
    await conn.run('COMMIT');
  } catch (err) {
    await conn.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/**
 * Schema 4: a site's one key hash (sites.key_hash) becomes a row of site_keys, and sites get a
 * name (their first domain). Safe to run again: a site with a key gets no other.
 */
async function moveKeys(conn: DuckDBConnection): Promise<void> {
  const sites = (
    await conn.runAndReadAll(
      `SELECT id, key_hash, epoch_ms(created_at)::DOUBLE AS created_at FROM sites s
       WHERE key_hash <> '' AND NOT EXISTS (SELECT 1 FROM site_keys k WHERE k.site = s.id OR k.hash = s.key_hash) ORDER BY created_at, id`,
    )
  ).getRowObjectsJS();
  const hashes = new Set<string>();
  for (const s of sites) {
    // Two sites sharing a hash (one key for both) cannot be told apart: the older keeps it.
    if (hashes.has(String(s.key_hash))) continue;
    hashes.add(String(s.key_hash));
    await insertKey(conn, migratedKey(String(s.id), String(s.key_hash), Number(s.created_at)));
  }
  await conn.run(`UPDATE sites SET key_hash = '' WHERE key_hash <> ''`);
  await conn.run(`UPDATE sites SET name = coalesce(domains[1], id) WHERE name IS NULL OR name = ''`);
}
