/**
 * Site keys: the long-lived secrets plugins' servers hold (ARCHITECTURE.md §4). A key is shown
 * once when it is made; the store keeps its SHA-256 and its last 4 characters, so that a list of
 * keys tells them apart without revealing them. A site may have several (one per plugin, say),
 * and each can be revoked on its own.
 */
import { CairnError } from '../errors.ts';
import { createHash, randomBytes } from 'node:crypto';
import type { KeyView } from '../protocol/management.ts';
import type { SiteKey } from '../store/store.ts';

export const SITE_KEY_PREFIX = 'cairn_sk_';

export const hashSiteKey = (key: string) => createHash('sha256').update(key).digest('hex');

/** Whether a string has the form of a site key (before any lookup). */
export const looksLikeSiteKey = (s: string) => /^cairn_sk_[\w-]{43}$/.test(s);

/** A new key for `site`: the record to store, and the secret to show once. */
export function newSiteKey(site: string, name: string, now: number): { key: SiteKey; secret: string } {
  const label = name.trim();
  if (label.length < 1 || label.length > 100) throw new CairnError(400, 'invalid_key', 'a key name has 1 to 100 characters');
  const secret = `${SITE_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const key: SiteKey = { id: `k_${randomBytes(9).toString('base64url')}`, site, name: label, hash: hashSiteKey(secret), last4: secret.slice(-4), createdAt: now, revokedAt: null };
  return { key, secret };
}

/** What the API shows of a key: never its hash. */
export const publicKey = ({ hash: _hidden, ...key }: SiteKey): KeyView => key;
