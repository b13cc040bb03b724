/**
 * The first owner of an installation, made from the browser: at a start with no owner, the
 * collector prints a setup link (valid 24 hours) whose token lets one person create the owner
 * account (`POST /api/auth/setup`). Once an owner exists, every setup token is refused, so a
 * leaked link is worthless after first use. `cairn user add … --owner` does the same offline.
 */
import type { Store } from '../store/store.ts';
import { readToken, signToken } from './signed-tokens.ts';

const PREFIX = 'cairn_su_';
export const SETUP_LINK_TTL_MS = 24 * 3_600_000;

export const hasOwner = async (store: Pick<Store, 'users'>) => (await store.users.list()).some((u) => u.role === 'owner');

/** A setup token valid 24 hours from `now`. */
export const setupToken = (secret: Buffer, now: number) => signToken(secret, PREFIX, { purpose: 'setup', exp: now + SETUP_LINK_TTL_MS });

/** Whether a token is a genuine, unexpired setup token (whether an owner exists is the caller's to check). */
export function checkSetupToken(secret: Buffer, token: string, now: number): boolean {
  const p = readToken(secret, PREFIX, token);
  return p?.purpose === 'setup' && typeof p.exp === 'number' && now <= p.exp;
}
