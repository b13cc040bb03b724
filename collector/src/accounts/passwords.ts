/**
 * Password hashing for dashboard users: scrypt from node:crypto with N=32768, r=8, p=2, a random
 * 16-byte salt and a 64-byte key, stored as `scrypt$N$r$p$salt$key` (base64url), so that stronger
 * parameters can come later and older hashes still verify. Comparisons are constant-time, and a
 * login for an account that does not exist costs the same (`verifyNothing`).
 */
import { CairnError } from '../errors.ts';
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export const SCRYPT = { N: 32_768, r: 8, p: 2 } as const;
const SALT_BYTES = 16;
const KEY_BYTES = 64;
/** Long enough to resist guessing offline; bounded so that hashing stays cheap to ask for. */
export const PASSWORD_LENGTH = { min: 10, max: 256 } as const;

function derive(password: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  // scrypt needs 128 · N · r bytes (32 MiB here), more than Node's default limit.
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key))));
}

/** Why a password cannot be used, or null. */
export function passwordProblem(password: string): string | null {
  const length = [...password].length;
  if (length < PASSWORD_LENGTH.min) return `a password needs at least ${PASSWORD_LENGTH.min} characters`;
  if (length > PASSWORD_LENGTH.max) return `a password has at most ${PASSWORD_LENGTH.max} characters`;
  return null;
}

export async function hashPassword(password: string): Promise<string> {
  const problem = passwordProblem(password);
  if (problem) throw new CairnError(400, 'invalid_password', problem);
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Whether `password` matches `stored` (false for a malformed or unknown format, never a throw). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  if (scheme !== 'scrypt' || !salt || !key || !Object.values(params).every((v) => Number.isInteger(v) && v > 0) || [...password].length > PASSWORD_LENGTH.max) {
    await verifyNothing();
    return false;
  }
  const expected = Buffer.from(key, 'base64url');
  const actual = await derive(password, Buffer.from(salt, 'base64url'), params);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Spends the time of one verification, for logins to accounts that do not exist. */
export async function verifyNothing(): Promise<void> {
  await derive('', Buffer.alloc(SALT_BYTES), SCRYPT);
}
