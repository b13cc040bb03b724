// Access tokens at rest: AES-256-GCM, a fresh IV each time, bound to the shop.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { open, seal } from '../src/seal.ts';

const key = randomBytes(32);

describe('seal', () => {
  it('round-trips, with a different IV and ciphertext each time', () => {
    const a = seal(key, 'shpat_secret', 'a.myshopify.com');
    const b = seal(key, 'shpat_secret', 'a.myshopify.com');
    expect(a.iv).not.toBe(b.iv);
    expect(a.data).not.toBe(b.data);
    expect(open(key, a, 'a.myshopify.com')).toBe('shpat_secret');
  });

  it('refuses another key, another shop, or changed bytes', () => {
    const sealed = seal(key, 'shpat_secret', 'a.myshopify.com');
    expect(() => open(randomBytes(32), sealed, 'a.myshopify.com')).toThrow();
    expect(() => open(key, sealed, 'b.myshopify.com')).toThrow();
    const data = Buffer.from(sealed.data, 'base64');
    data[0] = data[0]! ^ 1;
    expect(() => open(key, { ...sealed, data: data.toString('base64') }, 'a.myshopify.com')).toThrow();
  });
});
