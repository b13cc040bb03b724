/** The Store contract on dashboard users, login sessions and the audit log (contract.suite.ts). */
import { describe, expect, it } from 'vitest';
import type { User } from '../store.ts';
import { T0, type ContractStores } from './fixtures.ts';

/** Users, login sessions and audit entries, across restarts. */
export function describeAccountsContract({ fresh, restart }: ContractStores): void {
  describe('users', () => {
    const user = (id: string, email: string, at: number, overrides: Partial<User> = {}): User => ({
      id,
      email,
      name: `User ${id}`,
      role: 'client',
      passwordHash: null,
      grants: [],
      createdAt: at,
      passwordChangedAt: null,
      ...overrides,
    });

    it('are found by id and email, listed oldest first, changed and removed, across restarts', async () => {
      const store = await fresh();
      const owner = user('u1', 'owner@example.com', T0 + 1, { role: 'owner', passwordHash: 'scrypt$32768$8$2$c2FsdA$a2V5', passwordChangedAt: T0 + 1 });
      const client = user('u2', 'client@büro.example', T0, { grants: [{ site: 'site-a', sections: ['traffic', 'goals'] }, { site: 'site-b', sections: ['export'] }] });
      await store.users.create(owner);
      await store.users.create(client);
      expect(await store.users.list()).toEqual([client, owner]);
      const again = await restart(store);
      expect(await again.users.get('u1')).toEqual(owner);
      expect(await again.users.byEmail('client@büro.example')).toEqual(client);
      expect(await again.users.byEmail('nobody@example.com')).toBeNull();
      expect(await again.users.get('nobody')).toBeNull();
      expect(await again.users.update('u2', { passwordHash: 'scrypt$x', passwordChangedAt: T0 + 5, grants: [] })).toBe(true);
      expect(await again.users.update('u2', {})).toBe(true);
      expect(await again.users.update('nobody', { name: 'x' })).toBe(false);
      expect(await again.users.get('u2')).toEqual({ ...client, passwordHash: 'scrypt$x', passwordChangedAt: T0 + 5, grants: [] });
      expect(await again.users.update('u1', { passwordHash: null, passwordChangedAt: null, role: 'admin', name: 'Renamed' })).toBe(true);
      expect(await again.users.get('u1')).toEqual({ ...owner, passwordHash: null, passwordChangedAt: null, role: 'admin', name: 'Renamed' });
      expect(await again.users.remove('u1')).toBe(true);
      expect(await again.users.remove('u1')).toBe(false);
      expect((await again.users.list()).map((u) => u.id)).toEqual(['u2']);
    });

    it('refuse a second user with the same id or the same email', async () => {
      const store = await fresh();
      await store.users.create(user('u1', 'a@example.com', T0));
      await expect(store.users.create(user('u1', 'b@example.com', T0))).rejects.toMatchObject({ operation: 'users.create' });
      await expect(store.users.create(user('u2', 'a@example.com', T0))).rejects.toMatchObject({ operation: 'users.create' });
      expect((await store.users.list()).map((u) => u.email)).toEqual(['a@example.com']);
    });
  });

  describe('logins', () => {
    it('are found by their token hash, touched, ended one by one, per user, and when expired', async () => {
      const store = await fresh();
      const login = (n: number, user: string, at: number) => ({ idHash: `h${n}`.padEnd(64, '0'), user, csrf: `csrf-${n}`, createdAt: at, lastSeenAt: at });
      await store.logins.create(login(1, 'u1', T0));
      await store.logins.create(login(2, 'u1', T0 + 10));
      await store.logins.create(login(3, 'u2', T0 + 20));
      await expect(store.logins.create(login(3, 'u9', T0))).rejects.toMatchObject({ operation: 'logins.create' });
      expect(await store.logins.get(login(1, '', 0).idHash)).toEqual(login(1, 'u1', T0));
      expect(await store.logins.get('nope')).toBeNull();
      await store.logins.touch(login(1, '', 0).idHash, T0 + 500);
      const again = await restart(store);
      expect(await again.logins.get(login(1, '', 0).idHash)).toEqual({ ...login(1, 'u1', T0), lastSeenAt: T0 + 500 });
      // Created before T0 - 5 (none), or idle since before T0 + 15 (session 2 only).
      expect(await again.logins.removeExpired(T0 + 5 - 10, T0 + 15)).toBe(1);
      expect(await again.logins.get(login(2, '', 0).idHash)).toBeNull();
      expect(await again.logins.removeForUser('u1')).toBe(1);
      expect(await again.logins.remove(login(3, '', 0).idHash)).toBe(true);
      expect(await again.logins.remove(login(3, '', 0).idHash)).toBe(false);
      expect(await again.logins.get(login(1, '', 0).idHash)).toBeNull();
    });
  });

  describe('audit log', () => {
    it('lists entries newest first, a page at a time, filtered, and deletes old ones', async () => {
      const store = await fresh();
      const entry = (n: number, actor: string | null, action: string, target: string | null = null) => ({
        id: `a${String(n).padStart(3, '0')}`,
        ts: T0 + n * 1000,
        actor,
        action,
        target,
        ipHash: n % 2 ? 'f'.repeat(32) : null,
        details: { n, ok: n % 3 === 0, note: n === 1 ? "it's \"quoted\"" : null },
      });
      for (let n = 1; n <= 45; n++) await store.audit.add(entry(n, n % 5 === 0 ? null : `u${n % 2}`, n % 4 === 0 ? 'login.failed' : 'login', n % 3 ? 'site-a' : null));
      const first = await store.audit.list({ page: 1, perPage: 20 });
      expect(first.total).toBe(45);
      expect(first.entries.map((e) => e.id)).toEqual(Array.from({ length: 20 }, (_, i) => `a${String(45 - i).padStart(3, '0')}`));
      expect(first.entries.at(-1)).toEqual(entry(26, 'u0', 'login', 'site-a'));
      expect((await store.audit.list({ page: 3, perPage: 20 })).entries.map((e) => e.id)).toEqual(['a005', 'a004', 'a003', 'a002', 'a001']);
      expect((await store.audit.list({ page: 4, perPage: 20 })).entries).toEqual([]);
      const failed = await store.audit.list({ page: 1, perPage: 20, action: 'login.failed', actor: 'u0' });
      const failedByU0 = Array.from({ length: 45 }, (_, i) => 45 - i).filter((n) => n % 4 === 0 && n % 5 !== 0);
      expect(failed.entries.map((e) => e.id)).toEqual(failedByU0.map((n) => `a${String(n).padStart(3, '0')}`));
      expect(failed.total).toBe(failed.entries.length);
      expect((await store.audit.list({ page: 1, perPage: 20, target: 'nothing' })).total).toBe(0);
      expect((await store.audit.list({ page: 1, perPage: 5, action: 'nothing' }))).toEqual({ entries: [], total: 0 });
      expect(await store.audit.deleteBefore(T0 + 10_500)).toBe(10);
      expect((await (await restart(store)).audit.list({ page: 1, perPage: 50 })).entries.map((e) => e.id).at(-1)).toBe('a011');
    });
  });
}
