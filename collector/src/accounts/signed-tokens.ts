/**
 * Signed tokens: a JSON payload and its HMAC-SHA256 under the installation's secret, both
 * base64url, joined by a dot and prefixed with what the token is for (`cairn_vt_` view tokens,
 * `cairn_pr_` password links). The payload is readable by anyone holding the token and cannot be
 * changed without the secret; what a token may do is decided by whoever verifies it.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { MetaStore } from '../store/store.ts';
import { sameSecret } from './logins.ts';

/** The name the secret is stored under (store.meta), shared by every collector of a store. */
const SECRET_NAME = 'token_secret';

/** The installation's token secret: 32 random bytes, made on first use and kept in the store. */
export async function tokenSecret(meta: MetaStore): Promise<Buffer> {
  return Buffer.from(await meta.ensure(SECRET_NAME, randomBytes(32).toString('base64url')), 'base64url');
}

const mac = (secret: Buffer, prefix: string, body: string) => createHmac('sha256', secret).update(prefix).update(body).digest('base64url');

/** A token for `payload`, prefixed with `prefix` (which the signature covers too). */
export function signToken(secret: Buffer, prefix: string, payload: object): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${prefix}${body}.${mac(secret, prefix, body)}`;
}

/** The payload of a token made by `signToken` with this secret and prefix, or null (forged, altered, malformed). */
export function readToken(secret: Buffer, prefix: string, token: string): Record<string, unknown> | null {
  if (token.length > 4096 || !token.startsWith(prefix)) return null;
  const [body, sig, ...rest] = token.slice(prefix.length).split('.');
  if (!body || !sig || rest.length > 0) return null;
  if (!sameSecret(sig, mac(secret, prefix, body))) return null;
  try {
    const payload: unknown = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    return payload && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
