/**
 * Events dropped at ingest, counted per site, UTC day and reason, in the embedded store: the
 * statements, on a connection the caller holds, and the Store's operations running them on the
 * writer's connection (`exec`: duckdb-store.ts).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DropCount, DropCountStore } from '../store.ts';
import { rowsOf, type Exec } from './connections.ts';

/** Adds each count to the total of its site, day and reason. */
async function addDropCounts(conn: DuckDBConnection, counts: readonly DropCount[]): Promise<void> {
  for (const c of counts) {
    await conn.run(
      `INSERT INTO drop_counts VALUES (?, ?::DATE, ?, ?::UBIGINT)
       ON CONFLICT (site, day, reason) DO UPDATE SET count = count + excluded.count`,
      [c.site, c.day, c.reason, c.count],
    );
  }
}

/** A site's totals, by day, then reason. */
async function listDropCounts(conn: DuckDBConnection, site: string): Promise<DropCount[]> {
  const rows = await rowsOf(
    conn,
    `SELECT site, strftime(day, '%Y-%m-%d') AS day, reason, count::DOUBLE AS count
     FROM drop_counts WHERE site = ? ORDER BY day, reason`,
    [site],
  );
  return rows as unknown as DropCount[];
}

/** The drop counts of the Store, on the writer's connection. */
export const dropCountStore = (exec: Exec): DropCountStore => ({
  add: async (counts) => {
    if (counts.length > 0) await exec('dropCounts.add', (conn) => addDropCounts(conn, counts));
  },
  list: (site) => exec('dropCounts.list', (conn) => listDropCounts(conn, site)),
});
