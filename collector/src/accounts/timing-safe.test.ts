/**
 * Secrets are compared in constant time: passwords, token signatures, CSRF tokens and site keys
 * all reach `crypto.timingSafeEqual`, wrong ones of the right length included (timings are never
 * measured in tests; what is checked is that the comparison cannot stop at the first difference).
 */
import * as crypto from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const compared = vi.hoisted(() => [] as [Uint8Array, Uint8Array][]);
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof crypto>();
  return {
    ...real,
    timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      compared.push([a as Uint8Array, b as Uint8Array]);
      return real.timingSafeEqual(a, b);
    },
  };
});

const { hashPassword, verifyPassword } = await import('./passwords.ts');
const { sameSecret } = await import('./logins.ts');
const { readToken, signToken } = await import('./signed-tokens.ts');
const { Authorizer } = await import('../http/authorize.ts');
const { hashSiteKey, newSiteKey } = await import('../sites/site-keys.ts');

beforeEach(() => {
  compared.length = 0;
});

describe('constant-time comparisons', () => {
  it('check passwords, right and wrong', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('wrong horse battery!', hash)).toBe(false);
    expect(compared).toHaveLength(2);
  });

  it('check CSRF tokens and other secrets of the same length', () => {
    expect(sameSecret('a'.repeat(32), 'a'.repeat(32))).toBe(true);
    expect(sameSecret('a'.repeat(32), `b${'a'.repeat(31)}`)).toBe(false);
    expect(compared).toHaveLength(2);
  });

  it('check token signatures, forged ones included', () => {
    const secret = crypto.randomBytes(32);
    const token = signToken(secret, 'cairn_vt_', { site: 's' });
    expect(readToken(secret, 'cairn_vt_', token)).toEqual({ site: 's' });
    const forged = token.replace(/\.(.)/, (_m, c: string) => `.${c === 'A' ? 'B' : 'A'}`);
    expect(readToken(secret, 'cairn_vt_', forged)).toBeNull();
    expect(compared).toHaveLength(2);
  });

  it('check site keys, after looking them up by hash', async () => {
    const { key, secret } = newSiteKey('site', 'test', 0);
    const store = { keys: { byHash: async (hash: string) => (hash === key.hash ? key : null) } };
    const authz = new Authorizer({ store: store as never, logins: {} as never, secret: Buffer.alloc(32), now: Date.now, sites: {} as never, publicHost: null });
    const p = await authz.principal({ headers: { authorization: `Bearer ${secret}` } } as never);
    expect(p).toMatchObject({ kind: 'site-key', key: { id: key.id } });
    expect(compared).toEqual([[Buffer.from(key.hash), Buffer.from(hashSiteKey(secret))]]);
  });
});
