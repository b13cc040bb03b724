// Tokens at rest: readable back with the key and the record they belong to, and with nothing else.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { open, seal } from '../src/seal.ts';
import { readSigned, signValue } from '../src/signed-cookie.ts';

describe('seal', () => {
  it('opens with the same key and context; refuses another key, another context, or changed bytes', () => {
    const key = randomBytes(32);
    const sealed = seal(key, 'a-webflow-token', 'auth-1');
    expect(JSON.stringify(sealed)).not.toContain('a-webflow-token');
    expect(open(key, sealed, 'auth-1')).toBe('a-webflow-token');
    expect(() => open(randomBytes(32), sealed, 'auth-1')).toThrow();
    expect(() => open(key, sealed, 'auth-2')).toThrow();
    const data = Buffer.from(sealed.data, 'base64');
    data[0]! ^= 1;
    expect(() => open(key, { ...sealed, data: data.toString('base64') }, 'auth-1')).toThrow();
  });
});

describe('signed values', () => {
  it('read back only for the same secret and purpose, before they expire', () => {
    const value = signValue('secret', 'session', 'auth-1', 2_000);
    expect(readSigned('secret', 'session', value, 1_000)).toBe('auth-1');
    expect(readSigned('secret', 'session', value, 2_001)).toBeUndefined();
    expect(readSigned('other', 'session', value, 1_000)).toBeUndefined();
    expect(readSigned('secret', 'oauth-state', value, 1_000)).toBeUndefined();
    expect(readSigned('secret', 'session', value.replace('auth-1', 'auth-2'), 1_000)).toBeUndefined();
    expect(readSigned('secret', 'session', value.replace(/\.2000\./, '.9999999.'), 1_000)).toBeUndefined();
  });
});
