/**
 * Dashboard users, their login sessions and the audit log in the embedded store: the statements,
 * on a connection the caller holds, and the Store's operations running them on the writer's
 * connection, one at a time (`exec`: duckdb-store.ts).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { AuditEntry, AuditQuery, AuditStore, LoginSession, LoginStore, User, UserStore } from '../store.ts';
import { rowsOf, type Exec, type Param, type Row } from './connections.ts';

type UserChanges = Partial<Pick<User, 'name' | 'role' | 'passwordHash' | 'grants' | 'passwordChangedAt'>>;

const changed = async (conn: DuckDBConnection, sql: string, params: Param[]) => Number((await conn.run(sql, params)).rowsChanged);

const SELECT_USER = `SELECT id, email, name, role, password_hash, grants, epoch_ms(created_at)::DOUBLE AS created_at,
  epoch_ms(password_changed_at)::DOUBLE AS password_changed_at FROM users`;

const userOf = (r: Row): User => ({
  id: String(r.id),
  email: String(r.email),
  name: String(r.name),
  role: r.role as User['role'],
  passwordHash: r.password_hash === null ? null : String(r.password_hash),
  grants: JSON.parse(String(r.grants)) as User['grants'],
  createdAt: Number(r.created_at),
  passwordChangedAt: r.password_changed_at === null ? null : Number(r.password_changed_at),
});

/** Inserts a user; DuckDB refuses an id or an email that exists. */
async function insertUser(conn: DuckDBConnection, u: User): Promise<void> {
  await conn.run(`INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, epoch_ms(?::BIGINT), epoch_ms(?::BIGINT))`, [
    u.id,
    u.email,
    u.name,
    u.role,
    u.passwordHash,
    JSON.stringify(u.grants),
    u.createdAt,
    u.passwordChangedAt,
  ]);
}

/** Every user, oldest first. */
async function listUsers(conn: DuckDBConnection): Promise<User[]> {
  return (await rowsOf(conn, `${SELECT_USER} ORDER BY created_at, id`)).map(userOf);
}

/** The user whose `id` or `email` is `value`, if any. */
async function userBy(conn: DuckDBConnection, column: 'id' | 'email', value: string): Promise<User | null> {
  return (await rowsOf(conn, `${SELECT_USER} WHERE ${column} = ?`, [value])).map(userOf)[0] ?? null;
}

/** Changes the fields `changes` names; false when there is no such user. */
async function updateUser(conn: DuckDBConnection, id: string, changes: UserChanges): Promise<boolean> {
  const sets: string[] = [];
  const params: Param[] = [];
  const set = (column: string, value: string | number | null, sql = '?') => {
    sets.push(`${column} = ${sql}`);
    params.push(value);
  };
  if (changes.name !== undefined) set('name', changes.name);
  if (changes.role !== undefined) set('role', changes.role);
  if (changes.passwordHash !== undefined) set('password_hash', changes.passwordHash);
  if (changes.grants !== undefined) set('grants', JSON.stringify(changes.grants));
  if (changes.passwordChangedAt !== undefined) set('password_changed_at', changes.passwordChangedAt, 'epoch_ms(?::BIGINT)');
  if (sets.length === 0) return (await rowsOf(conn, 'SELECT 1 FROM users WHERE id = ?', [id])).length > 0;
  return (await changed(conn, `UPDATE users SET ${sets.join(', ')} WHERE id = ?`, [...params, id])) > 0;
}

/** Deletes a user; false when there was none. */
async function deleteUser(conn: DuckDBConnection, id: string): Promise<boolean> {
  return (await changed(conn, 'DELETE FROM users WHERE id = ?', [id])) > 0;
}

/** Inserts a login session. */
async function insertLogin(conn: DuckDBConnection, l: LoginSession): Promise<void> {
  await conn.run('INSERT INTO logins VALUES (?, ?, ?, epoch_ms(?::BIGINT), epoch_ms(?::BIGINT))', [l.idHash, l.user, l.csrf, l.createdAt, l.lastSeenAt]);
}

/** The login session of a token's hash, if any. */
async function loginOf(conn: DuckDBConnection, idHash: string): Promise<LoginSession | null> {
  const [r] = await rowsOf(
    conn,
    'SELECT id_hash, user_id, csrf, epoch_ms(created_at)::DOUBLE AS created_at, epoch_ms(last_seen_at)::DOUBLE AS last_seen_at FROM logins WHERE id_hash = ?',
    [idHash],
  );
  return r ? { idHash: String(r.id_hash), user: String(r.user_id), csrf: String(r.csrf), createdAt: Number(r.created_at), lastSeenAt: Number(r.last_seen_at) } : null;
}

/** Notes that a login session was used at `at`. */
async function touchLogin(conn: DuckDBConnection, idHash: string, at: number): Promise<void> {
  await conn.run('UPDATE logins SET last_seen_at = epoch_ms(?::BIGINT) WHERE id_hash = ?', [at, idHash]);
}

/** Deletes a login session; false when there was none. */
async function deleteLogin(conn: DuckDBConnection, idHash: string): Promise<boolean> {
  return (await changed(conn, 'DELETE FROM logins WHERE id_hash = ?', [idHash])) > 0;
}

/** Deletes every login session of a user; resolves with how many there were. */
function deleteLoginsOf(conn: DuckDBConnection, user: string): Promise<number> {
  return changed(conn, 'DELETE FROM logins WHERE user_id = ?', [user]);
}

/** Deletes the login sessions created before `createdBefore` or last used before `seenBefore`; resolves with how many. */
function deleteExpiredLogins(conn: DuckDBConnection, createdBefore: number, seenBefore: number): Promise<number> {
  return changed(conn, 'DELETE FROM logins WHERE created_at < epoch_ms(?::BIGINT) OR last_seen_at < epoch_ms(?::BIGINT)', [createdBefore, seenBefore]);
}

/** Inserts an audit entry. */
async function insertAudit(conn: DuckDBConnection, a: AuditEntry): Promise<void> {
  await conn.run('INSERT INTO audit VALUES (?, epoch_ms(?::BIGINT), ?, ?, ?, ?, ?)', [a.id, a.ts, a.actor, a.action, a.target, a.ipHash, JSON.stringify(a.details)]);
}

/** A page of audit entries matching `q`, newest first, and how many match in all. */
async function listAudit(conn: DuckDBConnection, q: AuditQuery): Promise<{ entries: AuditEntry[]; total: number }> {
  const conds: string[] = [];
  const params: string[] = [];
  for (const [column, value] of [['actor', q.actor], ['action', q.action], ['target', q.target]] as const) {
    if (value === undefined) continue;
    conds.push(`${column} = ?`);
    params.push(value);
  }
  const where = conds.length > 0 ? `WHERE ${conds.join(' AND ')}` : '';
  const rows = await rowsOf(
    conn,
    `SELECT id, epoch_ms(ts)::DOUBLE AS ts, actor, action, target, ip_hash, details, count(*) OVER ()::DOUBLE AS total FROM audit ${where}
     ORDER BY ts DESC, id DESC LIMIT ${Math.floor(q.perPage)} OFFSET ${Math.floor((q.page - 1) * q.perPage)}`,
    params,
  );
  // A page past the last has no row to carry the total.
  const total = rows.length > 0 ? Number(rows[0]!.total) : Number((await rowsOf(conn, `SELECT count(*)::DOUBLE AS n FROM audit ${where}`, params))[0]!.n);
  return {
    entries: rows.map((r) => ({
      id: String(r.id),
      ts: Number(r.ts),
      actor: r.actor === null ? null : String(r.actor),
      action: String(r.action),
      target: r.target === null ? null : String(r.target),
      ipHash: r.ip_hash === null ? null : String(r.ip_hash),
      details: JSON.parse(String(r.details)) as AuditEntry['details'],
    })),
    total,
  };
}

/** Deletes the audit entries older than `ts`; resolves with how many. */
function deleteAuditBefore(conn: DuckDBConnection, ts: number): Promise<number> {
  return changed(conn, 'DELETE FROM audit WHERE ts < epoch_ms(?::BIGINT)', [ts]);
}

/** The users of the Store, on the writer's connection. */
export const userStore = (exec: Exec): UserStore => ({
  create: (u) => exec('users.create', (conn) => insertUser(conn, u)),
  list: () => exec('users.list', listUsers),
  get: (id) => exec('users.get', (conn) => userBy(conn, 'id', id)),
  byEmail: (email) => exec('users.byEmail', (conn) => userBy(conn, 'email', email)),
  update: (id, changes) => exec('users.update', (conn) => updateUser(conn, id, changes)),
  remove: (id) => exec('users.remove', (conn) => deleteUser(conn, id)),
});

/** The login sessions of the Store, on the writer's connection. */
export const loginStore = (exec: Exec): LoginStore => ({
  create: (l) => exec('logins.create', (conn) => insertLogin(conn, l)),
  get: (idHash) => exec('logins.get', (conn) => loginOf(conn, idHash)),
  touch: (idHash, at) => exec('logins.touch', (conn) => touchLogin(conn, idHash, at)),
  remove: (idHash) => exec('logins.remove', (conn) => deleteLogin(conn, idHash)),
  removeForUser: (user) => exec('logins.removeForUser', (conn) => deleteLoginsOf(conn, user)),
  removeExpired: (createdBefore, seenBefore) => exec('logins.removeExpired', (conn) => deleteExpiredLogins(conn, createdBefore, seenBefore)),
});

/** The audit log of the Store, on the writer's connection. */
export const auditStore = (exec: Exec): AuditStore => ({
  add: (a) => exec('audit.add', (conn) => insertAudit(conn, a)),
  list: (q) => exec('audit.list', (conn) => listAudit(conn, q)),
  deleteBefore: (ts) => exec('audit.deleteBefore', (conn) => deleteAuditBefore(conn, ts)),
});
