/**
 * Goals of a site in the embedded store: the statements, on a connection the caller holds, and
 * the Store's operations running them on the writer's connection (`exec`: duckdb-store.ts).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Goal } from '../../protocol/query.ts';
import type { GoalStore } from '../store.ts';
import { rowsOf, type Exec } from './connections.ts';

/** A site's goals, in the order they were created. */
async function listGoals(conn: DuckDBConnection, site: string): Promise<Goal[]> {
  const rows = await rowsOf(conn, 'SELECT id, name, kind, match, revenue, currency FROM goals WHERE site = ? ORDER BY created_at, id', [site]);
  return rows.map((r) => ({
    id: String(r.id),
    name: String(r.name),
    kind: r.kind as Goal['kind'],
    match: String(r.match),
    ...(r.revenue ? { revenue: String(r.revenue) } : {}),
    ...(r.currency ? { currency: String(r.currency) } : {}),
  }));
}

/** Inserts a goal; DuckDB refuses an id the site already has. */
async function insertGoal(conn: DuckDBConnection, site: string, g: Goal): Promise<void> {
  await conn.run('INSERT INTO goals (site, id, name, kind, match, revenue, currency) VALUES (?, ?, ?, ?, ?, ?, ?)', [site, g.id, g.name, g.kind, g.match, g.revenue ?? null, g.currency ?? null]);
}

/** Deletes a goal; false when the site had none by that id. */
async function deleteGoal(conn: DuckDBConnection, site: string, id: string): Promise<boolean> {
  return Number((await conn.run('DELETE FROM goals WHERE site = ? AND id = ?', [site, id])).rowsChanged) > 0;
}

/** The goals of the Store, on the writer's connection. */
export const goalStore = (exec: Exec): GoalStore => ({
  list: (site) => exec('goals.list', (conn) => listGoals(conn, site)),
  create: (site, g) => exec('goals.create', (conn) => insertGoal(conn, site, g)),
  remove: (site, id) => exec('goals.remove', (conn) => deleteGoal(conn, site, id)),
});
