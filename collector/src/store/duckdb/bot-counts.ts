/**
 * Bots dropped at ingest, counted per site, UTC day and reason, in the embedded store: the
 * statements, on a connection the caller holds, and the Store's operations running them on the
 * writer's connection (`exec`: duckdb-store.ts).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { BotCount, BotCountStore } from '../store.ts';
import { rowsOf, type Exec } from './connections.ts';

/** Adds each count to the total of its site, day and reason. */
async function addBotCounts(conn: DuckDBConnection, counts: readonly BotCount[]): Promise<void> {
  for (const c of counts) {
    await conn.run(
      `INSERT INTO bot_counts VALUES (?, ?::DATE, ?, ?::UBIGINT)
       ON CONFLICT (site, day, reason) DO UPDATE SET count = count + excluded.count`,
      [c.site, c.day, c.reason, c.count],
    );
  }
}

/** A site's totals, by day, then reason. */
async function listBotCounts(conn: DuckDBConnection, site: string): Promise<BotCount[]> {
  const rows = await rowsOf(
    conn,
    `SELECT site, strftime(day, '%Y-%m-%d') AS day, reason, count::DOUBLE AS count
     FROM bot_counts WHERE site = ? ORDER BY day, reason`,
    [site],
  );
  return rows as unknown as BotCount[];
}

/** The bot counts of the Store, on the writer's connection. */
export const botCountStore = (exec: Exec): BotCountStore => ({
  add: async (counts) => {
    if (counts.length > 0) await exec('botCounts.add', (conn) => addBotCounts(conn, counts));
  },
  list: (site) => exec('botCounts.list', (conn) => listBotCounts(conn, site)),
});
