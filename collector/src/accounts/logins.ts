/**
 * Dashboard logins: checking a password, and cookie sessions. A session lives 8 hours at most and
 * ends after an hour without a request; its token (32 random bytes) is only in the cookie, the
 * store keeps its SHA-256. A new login always makes a new token (no session fixation), and a
 * password change ends every session of the user.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { LoginSession, Store, User } from '../store/store.ts';
import { verifyNothing, verifyPassword } from './passwords.ts';
import { normalizeEmail } from './users.ts';

export const LOGIN_LIFETIME_MS = 8 * 3_600_000;
export const LOGIN_IDLE_MS = 3_600_000;
/** How stale `lastSeenAt` may get before a request writes it again. */
const TOUCH_EVERY_MS = 60_000;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * The user whose email and password these are (`user`, else null), and the account the email
 * names whatever the password (`account`, for the audit log); the same work either way.
 */
export async function checkPassword(store: Store, email: string, password: string): Promise<{ user: User | null; account: User | null }> {
  const account = await store.users.byEmail(normalizeEmail(email));
  if (!account?.passwordHash) {
    await verifyNothing();
    return { user: null, account };
  }
  return { user: (await verifyPassword(password, account.passwordHash)) ? account : null, account };
}

/** Constant-time equality of two strings (false when their lengths differ). */
export function sameSecret(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
}

export class Logins {
  readonly #store: Store;
  readonly #now: () => number;

  constructor(store: Store, now: () => number) {
    this.#store = store;
    this.#now = now;
  }

  /** A new session for `user`: its token (for the cookie) and its CSRF token. */
  async start(user: User): Promise<{ token: string; session: LoginSession }> {
    const token = randomBytes(32).toString('base64url');
    const now = this.#now();
    const session: LoginSession = { idHash: hashToken(token), user: user.id, csrf: randomBytes(24).toString('base64url'), createdAt: now, lastSeenAt: now };
    await this.#store.logins.create(session);
    return { token, session };
  }

  /** The session and user a token opens, or null (unknown, expired, idle too long, user gone). */
  async check(token: string): Promise<{ session: LoginSession; user: User } | null> {
    if (!/^[\w-]{43}$/.test(token)) return null;
    const session = await this.#store.logins.get(hashToken(token));
    if (!session) return null;
    const now = this.#now();
    const user = await this.#store.users.get(session.user);
    if (!user || now - session.createdAt >= LOGIN_LIFETIME_MS || now - session.lastSeenAt >= LOGIN_IDLE_MS) {
      await this.#store.logins.remove(session.idHash);
      return null;
    }
    if (now - session.lastSeenAt >= TOUCH_EVERY_MS) {
      await this.#store.logins.touch(session.idHash, now);
      session.lastSeenAt = now;
    }
    return { session, user };
  }

  async end(token: string): Promise<void> {
    await this.#store.logins.remove(hashToken(token));
  }

  async endAll(user: string): Promise<number> {
    return this.#store.logins.removeForUser(user);
  }

  /** Housekeeping: deletes sessions past their lifetime or idle time. */
  async sweep(): Promise<number> {
    const now = this.#now();
    return this.#store.logins.removeExpired(now - LOGIN_LIFETIME_MS, now - LOGIN_IDLE_MS);
  }
}
