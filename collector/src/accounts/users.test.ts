import { beforeEach, describe, expect, it } from 'vitest';
import { MingoExecutor } from '../store/mongodb/mingo-executor.ts';
import { openMongoStore } from '../store/mongodb/mongodb-store.ts';
import type { Store } from '../store/store.ts';
import { verifyPassword } from './passwords.ts';
import { addUser, publicUser, userProblem } from './users.ts';

let store: Store;
beforeEach(async () => {
  // Any adapter does (the Store contract covers both); this one needs no files.
  store = await openMongoStore({ executor: new MingoExecutor(), location: 'mingo' });
});

describe('users', () => {
  it('are created with a normalized email, a hashed password and no grants', async () => {
    const u = await addUser(store, { email: '  Jo@Example.COM ', role: 'owner', password: 'correct horse battery' }, 1_000);
    expect(u).toMatchObject({ email: 'jo@example.com', name: 'jo', role: 'owner', grants: [], createdAt: 1_000, passwordChangedAt: 1_000 });
    expect(u.id).toMatch(/^u_[\w-]{12}$/);
    expect(await verifyPassword('correct horse battery', u.passwordHash!)).toBe(true);
    expect(await store.users.byEmail('jo@example.com')).toEqual(u);
    expect(publicUser(u)).not.toHaveProperty('passwordHash');
    expect(publicUser(u).hasPassword).toBe(true);
    const invited = await addUser(store, { email: 'ann@example.com', role: 'client', name: ' Ann ' }, 2_000);
    expect(invited).toMatchObject({ name: 'Ann', passwordHash: null, passwordChangedAt: null });
  });

  it('allow one owner and one user per email', async () => {
    await addUser(store, { email: 'jo@example.com', role: 'owner' }, 1);
    await expect(addUser(store, { email: 'max@example.com', role: 'owner' }, 2)).rejects.toThrow('there is already an owner (jo@example.com); add this person as an admin');
    await expect(addUser(store, { email: 'JO@example.com', role: 'admin' }, 3)).rejects.toThrow('a user with the email jo@example.com already exists');
    expect((await store.users.list()).map((u) => u.email)).toEqual(['jo@example.com']);
  });

  it('say what is wrong with an input', () => {
    expect(userProblem({ email: 'not-an-email', role: 'admin' })).toBe('"not-an-email" is not an email address');
    expect(userProblem({ email: 'a@b.example', role: 'root' as never })).toBe('role must be one of owner, admin, client');
    expect(userProblem({ email: 'a@b.example', role: 'admin', name: ' ' })).toBe('a name has 1 to 100 characters');
    expect(userProblem({ email: 'a@b.example', role: 'admin', password: 'short' })).toBe('a password needs at least 10 characters');
    expect(userProblem({ email: 'a@b.example', role: 'client' })).toBeNull();
  });
});
