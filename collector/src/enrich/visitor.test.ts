import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { visitorId } from './visitor.ts';

describe('visitorId', () => {
  it('is the first 16 bytes of SHA-256(salt || site || NUL || ip || NUL || user agent), in hex', () => {
    const salt = randomBytes(32);
    const ua = 'Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/133.0 ünïcode';
    const spec = createHash('sha256').update(salt).update('site-1').update('\0').update('2001:db8::7').update('\0').update(ua).digest().subarray(0, 16).toString('hex');
    expect(visitorId(salt, 'site-1', '2001:db8::7', ua)).toBe(spec);
  });

  it('keeps the parts apart and changes with the salt', () => {
    const salt = randomBytes(32);
    expect(visitorId(salt, 's', '1.2.3.4', 'ab')).not.toBe(visitorId(salt, 's', '1.2.3.4a', 'b'));
    expect(visitorId(salt, 's', '1.2.3.4', 'ab')).not.toBe(visitorId(randomBytes(32), 's', '1.2.3.4', 'ab'));
  });

  it('hashes a user agent too long for the reused buffer the same way', () => {
    const salt = randomBytes(32);
    const ua = `Mozilla/5.0 ${'é'.repeat(20_000)}`;
    const spec = createHash('sha256').update(salt).update('s\x001.2.3.4\x00').update(ua).digest().subarray(0, 16).toString('hex');
    expect(visitorId(salt, 's', '1.2.3.4', ua)).toBe(spec);
    // and a short one right after, over what the long one left
    expect(visitorId(salt, 's', '1.2.3.4', 'ab')).toBe(createHash('sha256').update(salt).update('s\x001.2.3.4\x00ab').digest().subarray(0, 16).toString('hex'));
  });
});
