/**
 * The key record both adapters make, when they open a database from before site keys had a
 * table of their own, for a site's one key: until then a site held the hash of a single key.
 */
import { randomBytes } from 'node:crypto';
import type { SiteKey } from './store.ts';

/** A site's former key as a key record (same id shape as sites/site-keys.ts makes). */
export function migratedKey(site: string, hash: string, createdAt: number): SiteKey {
  // The key itself was never stored, so its last 4 characters are unknown.
  return { id: `k_${randomBytes(9).toString('base64url')}`, site, name: 'Site key', hash, last4: '', createdAt, revokedAt: null };
}
