/** The visitor id (ARCHITECTURE.md §3): no cookie, no storage, nothing kept that identifies a person. */
import { createHash } from 'node:crypto';

const SEP = Buffer.from([0]);

/**
 * First 16 bytes of SHA-256(dailySalt || siteId || ip || userAgent), as 32 hex characters.
 * A NUL byte separates the parts so that ("ab", "c") and ("a", "bc") cannot collide.
 */
export function visitorId(salt: Uint8Array, site: string, ip: string, userAgent: string): string {
  return createHash('sha256')
    .update(salt)
    .update(site)
    .update(SEP)
    .update(ip)
    .update(SEP)
    .update(userAgent)
    .digest()
    .subarray(0, 16)
    .toString('hex');
}
