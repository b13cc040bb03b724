/**
 * Site keys on `POST /api/event`: a server that sends events on its visitors' behalf (`v` in an
 * event: the visitor's address and headers) proves it with its site's key. Batches come many a
 * second, so a key found valid is remembered for a few seconds instead of being looked up in the
 * store for each: a revoked key is refused here at most REMEMBER_MS after its revocation.
 */
import { CairnError } from '../errors.ts';
import { hashSiteKey, SITE_KEY_PREFIX } from '../sites/site-keys.ts';
import type { SiteKey } from '../store/store.ts';

export const REMEMBER_MS = 10_000;

const unauthenticated = (message: string) => new CairnError(401, 'unauthenticated', message);

export class EventKeys {
  readonly #byHash: (hash: string) => Promise<SiteKey | null>;
  /** Valid keys by hash: their site, and until when they are taken without a lookup. */
  readonly #valid = new Map<string, { site: string; until: number }>();

  constructor(byHash: (hash: string) => Promise<SiteKey | null>) {
    this.#byHash = byHash;
  }

  /**
   * The site whose key the request's Authorization header holds; null without the header.
   * Anything else than a valid site key is refused with 401.
   */
  async siteOf(authorization: string | undefined, now: number): Promise<string | null> {
    if (authorization === undefined) return null;
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
    if (!bearer?.startsWith(SITE_KEY_PREFIX) || bearer.length > 100) throw unauthenticated('events take a site key only: Authorization: Bearer cairn_sk_…');
    const hash = hashSiteKey(bearer);
    const known = this.#valid.get(hash);
    if (known && known.until > now) return known.site;
    const key = await this.#byHash(hash);
    // A share link's key is for reading one page, never for sending events.
    if (!key || key.revokedAt !== null || key.share) {
      this.#valid.delete(hash);
      throw unauthenticated('this site key is not valid (unknown or revoked)');
    }
    this.#valid.set(hash, { site: key.site, until: now + REMEMBER_MS });
    return key.site;
  }

  /** Forgets keys not used lately (upkeep). */
  sweep(now: number): void {
    for (const [hash, { until }] of this.#valid) if (until <= now) this.#valid.delete(hash);
  }
}
