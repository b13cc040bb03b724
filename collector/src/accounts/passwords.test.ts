import { describe, expect, it } from 'vitest';
import { hashPassword, passwordProblem, SCRYPT, verifyPassword } from './passwords.ts';

describe('passwords', () => {
  it('hash with scrypt N=32768, r=8, p=2 and a fresh salt, and verify only the same password', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(new RegExp(`^scrypt\\$${SCRYPT.N}\\$${SCRYPT.r}\\$${SCRYPT.p}\\$[\\w-]{22}\\$[\\w-]{86}$`));
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('treat the same text in either Unicode form as the same password', async () => {
    const composed = 'Ferienwohnung-Zürich'; // ü as one code point
    const decomposed = composed.normalize('NFD'); // u and a combining diaeresis
    expect(decomposed).not.toBe(composed);
    expect(await verifyPassword(decomposed, await hashPassword(composed))).toBe(true);
  });

  it('refuse malformed or foreign hashes without throwing', async () => {
    const good = await hashPassword('correct horse battery');
    for (const bad of ['', 'plain', 'bcrypt$2b$10$abc', good.replace('scrypt', 'scrypt2'), good.split('$').slice(0, 5).join('$'), good.replace('$32768$', '$0$')]) {
      expect(await verifyPassword('correct horse battery', bad), bad).toBe(false);
    }
    // A stored hash with a truncated key is not a prefix match.
    expect(await verifyPassword('correct horse battery', good.slice(0, -10))).toBe(false);
  });

  it('ask for passwords of a sensible length', async () => {
    expect(passwordProblem('short')).toBe('a password needs at least 10 characters');
    expect(passwordProblem('x'.repeat(257))).toBe('a password has at most 256 characters');
    expect(passwordProblem('ten chars!')).toBeNull();
    await expect(hashPassword('short')).rejects.toThrow('at least 10');
  });
});
