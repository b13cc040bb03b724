/**
 * View tokens (ARCHITECTURE.md §4): what a plugin's server gets for its site key and hands to the
 * browser of a CMS admin. Signed, read-only, for one site and some sections, valid an hour at
 * most, and tied to the key that asked for it: revoking the key kills its tokens on their next
 * request (the authoriser checks the key each time).
 */
import { CairnError } from '../errors.ts';
import { SECTIONS, type Section, type SiteKey } from '../store/store.ts';
import { readToken, signToken } from './signed-tokens.ts';

export const VIEW_TOKEN_PREFIX = 'cairn_vt_';
/** The longest a view token lives, and how long one lives unless asked for less. */
export const VIEW_TOKEN_MAX_SECONDS = 3600;

export interface ViewToken {
  site: string;
  /** The id of the site key it was exchanged for. */
  key: string;
  sections: Section[];
  /** Expiry, ms since the epoch. */
  exp: number;
}

/** A token for `key`'s site with `sections`, valid `seconds` (1 to 3600) from `now`. */
export function issueViewToken(secret: Buffer, key: SiteKey, sections: readonly Section[], seconds: number, now: number): { token: string; view: ViewToken } {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > VIEW_TOKEN_MAX_SECONDS) throw new CairnError(400, 'invalid_token_request', `a view token lives 1 to ${VIEW_TOKEN_MAX_SECONDS} seconds`, { field: 'ttl' });
  const view: ViewToken = { site: key.site, key: key.id, sections: [...new Set(sections)], exp: now + seconds * 1000 };
  return { token: signToken(secret, VIEW_TOKEN_PREFIX, view), view };
}

/** The token's claims when it is genuine and unexpired at `now`, else null (its key is the caller's to check). */
export function readViewToken(secret: Buffer, token: string, now: number): ViewToken | null {
  const p = readToken(secret, VIEW_TOKEN_PREFIX, token);
  if (!p || typeof p.site !== 'string' || typeof p.key !== 'string' || typeof p.exp !== 'number' || !Array.isArray(p.sections)) return null;
  if (!p.sections.every((s) => (SECTIONS as readonly unknown[]).includes(s))) return null;
  if (now >= p.exp) return null;
  return { site: p.site, key: p.key, sections: p.sections as Section[], exp: p.exp };
}
