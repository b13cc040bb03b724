/**
 * Share links: a read-only link to a site's dashboard for someone without an account (a client,
 * a team, the public), with the sections chosen, an optional password and an optional expiry,
 * revocable. A link is a site key with share terms (store.ts: ShareTerms): shown once, kept as
 * its hash, listed and revoked like a key. It is never a bearer credential itself: the shared
 * page exchanges it (and its password) for view tokens of its sections (`POST /api/share/token`),
 * which open nothing once the link is revoked or expired (http/authorize.ts checks the key).
 */
import { randomBytes } from 'node:crypto';
import { hashPassword, passwordProblem, verifyPassword } from '../accounts/passwords.ts';
import { issueViewToken, VIEW_TOKEN_MAX_SECONDS, type ViewToken } from '../accounts/view-tokens.ts';
import { CairnError } from '../errors.ts';
import type { ShareView } from '../protocol/management.ts';
import { SECTIONS, type Section, type SiteKey } from '../store/store.ts';
import { hashSiteKey } from './site-keys.ts';

export const SHARE_PREFIX = 'cairn_sh_';

/** What the owner or an admin asks for. */
export interface ShareInput {
  name?: unknown;
  sections?: unknown;
  /** A password the visitor must type, or none. */
  password?: unknown;
  /** When the link stops working (ms since the epoch), or null for never. */
  expiresAt?: unknown;
}

/** A new share link for `site`: the key to store, and the secret to put in the link, shown once. */
export async function newShareLink(site: string, input: ShareInput, now: number): Promise<{ key: SiteKey; secret: string }> {
  const name = input.name === undefined ? 'Share link' : typeof input.name === 'string' ? input.name.trim() : '';
  if (name.length < 1 || name.length > 100) throw new CairnError(400, 'invalid_share', 'name: 1 to 100 characters', { field: 'name' });
  const sections = input.sections;
  if (!Array.isArray(sections) || sections.length === 0 || !sections.every((s) => (SECTIONS as readonly unknown[]).includes(s))) {
    throw new CairnError(400, 'invalid_share', `sections: one or more of ${SECTIONS.join(', ')}`, { field: 'sections' });
  }
  let passwordHash: string | null = null;
  if (input.password !== undefined && input.password !== null && input.password !== '') {
    if (typeof input.password !== 'string') throw new CairnError(400, 'invalid_share', 'password: a string', { field: 'password' });
    const problem = passwordProblem(input.password);
    if (problem) throw new CairnError(400, 'invalid_share', `password: ${problem}`, { field: 'password' });
    passwordHash = await hashPassword(input.password);
  }
  const expiresAt = input.expiresAt ?? null;
  if (expiresAt !== null && (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt) || expiresAt <= now)) {
    throw new CairnError(400, 'invalid_share', 'expiresAt: a time in the future (ms since the epoch), or null', { field: 'expiresAt' });
  }
  const secret = `${SHARE_PREFIX}${randomBytes(32).toString('base64url')}`;
  const key: SiteKey = {
    id: `k_${randomBytes(9).toString('base64url')}`,
    site,
    name,
    hash: hashSiteKey(secret),
    last4: secret.slice(-4),
    createdAt: now,
    revokedAt: null,
    share: { sections: [...new Set(sections as Section[])], passwordHash, expiresAt: expiresAt as number | null },
  };
  return { key, secret };
}

/** The link to hand out: the secret in the fragment, which browsers never send to a server or in a Referer. */
export const shareUrl = (publicUrl: string, secret: string) => `${publicUrl}/share#${secret}`;

/** Whether a share link's key opens anything at `now` (not revoked, not expired). */
export const shareIsLive = (key: SiteKey, now: number) => key.revokedAt === null && (!key.share?.expiresAt || key.share.expiresAt > now);

/** What the API shows of a share link: never its hash or its password's. */
export function publicShare(k: SiteKey): ShareView {
  return {
    id: k.id,
    site: k.site,
    name: k.name,
    last4: k.last4,
    createdAt: k.createdAt,
    revokedAt: k.revokedAt,
    sections: k.share?.sections ?? [],
    hasPassword: !!k.share?.passwordHash,
    expiresAt: k.share?.expiresAt ?? null,
  };
}

/**
 * A view token for the link `secret` (with its password, if it has one): for the link's sections,
 * valid an hour at most and never past the link's expiry. Every refusal says the same for an
 * unknown, revoked or expired link; a wrong password is told apart (the visitor may retry).
 */
export async function openShareLink(
  deps: { byHash: (hash: string) => Promise<SiteKey | null>; secret: Buffer; now: number },
  secret: unknown,
  password: unknown,
): Promise<{ token: string; view: ViewToken; linkExpiresAt: number | null }> {
  const gone = () => new CairnError(404, 'share_not_found', 'this share link does not work (any more): it was revoked or expired, or is incomplete; ask for a new one');
  if (typeof secret !== 'string' || !secret.startsWith(SHARE_PREFIX) || secret.length > 100) throw gone();
  const key = await deps.byHash(hashSiteKey(secret));
  if (!key?.share || !shareIsLive(key, deps.now)) throw gone();
  if (key.share.passwordHash) {
    if (typeof password !== 'string' || password === '') throw new CairnError(401, 'share_password', 'this link needs its password', { field: 'password' });
    if (!(await verifyPassword(password, key.share.passwordHash))) throw new CairnError(401, 'share_password', 'the password is wrong', { field: 'password' });
  }
  const untilExpiry = key.share.expiresAt === null ? VIEW_TOKEN_MAX_SECONDS : Math.floor((key.share.expiresAt - deps.now) / 1000);
  const seconds = Math.max(1, Math.min(VIEW_TOKEN_MAX_SECONDS, untilExpiry));
  return { ...issueViewToken(deps.secret, key, key.share.sections, seconds, deps.now), linkExpiresAt: key.share.expiresAt };
}
