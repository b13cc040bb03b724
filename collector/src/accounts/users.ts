/**
 * Dashboard users: checking and creating them. The owner is the one person who runs the
 * installation (exactly one); admins see every site; clients see the sites granted to them. Login,
 * sessions and invitations build on this (ARCHITECTURE.md §4).
 */
import { CairnError } from '../errors.ts';
import { randomBytes } from 'node:crypto';
import type { UserView } from '../protocol/management.ts';
import { StoreError, type Store, type User } from '../store/store.ts';
import { hashPassword, passwordProblem } from './passwords.ts';

export const ROLES = ['owner', 'admin', 'client'] as const;

export interface NewUserInput {
  email: string;
  name?: string;
  role: User['role'];
  /** Without one, the user cannot log in until a password is set (invitation or reset). */
  password?: string;
}

/** What the API and the CLI show of a user: never the password hash. */
export type { UserView };
export const publicUser = ({ passwordHash, ...u }: User): UserView => ({ ...u, hasPassword: passwordHash !== null });

/** The form emails are stored and looked up in: trimmed, lower case. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** Why an input cannot make a user, or null. */
export function userProblem(input: NewUserInput): string | null {
  const email = normalizeEmail(input.email ?? '');
  if (email.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) return `"${input.email}" is not an email address`;
  if (!(ROLES as readonly string[]).includes(input.role)) return `role must be one of ${ROLES.join(', ')}`;
  if (input.name !== undefined && (input.name.trim() === '' || input.name.length > 100)) return 'a name has 1 to 100 characters';
  return input.password === undefined ? null : passwordProblem(input.password);
}

/** Creates a user; refuses a bad input or a second owner (400) and an email already in use (409), with a message for a person. */
export async function addUser(store: Store, input: NewUserInput, now: number): Promise<User> {
  const problem = userProblem(input);
  if (problem) throw new CairnError(400, 'invalid_user', problem);
  const email = normalizeEmail(input.email);
  if (input.role === 'owner') {
    const owner = (await store.users.list()).find((u) => u.role === 'owner');
    if (owner) throw new CairnError(400, 'invalid_user', `there is already an owner (${owner.email}); add this person as an admin`);
  }
  if (await store.users.byEmail(email)) throw new CairnError(409, 'invalid_user', `a user with the email ${email} already exists`);
  const user: User = {
    id: `u_${randomBytes(9).toString('base64url')}`,
    email,
    name: input.name?.trim() ?? email.split('@')[0]!,
    role: input.role,
    passwordHash: input.password === undefined ? null : await hashPassword(input.password),
    grants: [],
    createdAt: now,
    passwordChangedAt: input.password === undefined ? null : now,
  };
  try {
    await store.users.create(user);
  } catch (err) {
    // Another process added the same email between the check and now.
    if (err instanceof StoreError && (await store.users.byEmail(email))) throw new CairnError(409, 'invalid_user', `a user with the email ${email} already exists`, { cause: err });
    throw err;
  }
  return user;
}

/**
 * Sets a user's password from the command line (a forgotten password without SMTP, the owner
 * locked out): every session of the user ends, and every password link dies. Throws a CairnError (400) with a message for a person.
 */
export async function setPassword(store: Store, email: string, password: string, now: number): Promise<{ user: User; sessionsEnded: number }> {
  const problem = passwordProblem(password);
  if (problem) throw new CairnError(400, 'invalid_user', problem);
  const user = await store.users.byEmail(normalizeEmail(email));
  if (!user) throw new CairnError(400, 'invalid_user', `no user with the email ${normalizeEmail(email)} (see cairn user list)`);
  await store.users.update(user.id, { passwordHash: await hashPassword(password), passwordChangedAt: now });
  return { user, sessionsEnded: await store.logins.removeForUser(user.id) };
}
