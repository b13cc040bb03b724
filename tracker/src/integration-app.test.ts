// What app servers share through @cairn/tracker/integration besides the client: the start-up
// environment check (every problem named at once) and secrets sealed at rest.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppEnvError, checkAppEnv, openSecret, sealSecret, type AppEnvChecker } from './integration.ts';

/** The problems `read` finds in `env`, [] when there are none. */
const problems = (env: Record<string, string>, read: (check: AppEnvChecker) => unknown): string[] => {
  const check = checkAppEnv(env, '@cairn/example');
  read(check);
  try {
    check.done();
  } catch (err) {
    if (err instanceof AppEnvError) return err.problems;
    throw err;
  }
  return [];
};

describe('checkAppEnv', () => {
  it('answers trimmed values, URLs without trailing slashes, keys as 32 bytes from hex or base64, the port', () => {
    const key = randomBytes(32);
    const check = checkAppEnv({ NAME: ' x ', URL: 'https://app.example//', IK: 'cairn_ik_abc', HEX: key.toString('hex'), B64: key.toString('base64'), PORT: '8080' }, '@cairn/example');
    expect(check.need('NAME')).toBe('x');
    expect(check.url('URL', { https: true })).toBe('https://app.example');
    expect(check.integrationKey('IK', 'Example app')).toBe('cairn_ik_abc');
    expect(check.encryptionKey('HEX').equals(key)).toBe(true);
    expect(check.encryptionKey('B64').equals(key)).toBe(true);
    expect(check.port()).toBe(8080);
    expect(() => check.done()).not.toThrow();
    expect(checkAppEnv({}, '@cairn/example').port('PORT', 3000)).toBe(3000);
  });

  it('names every problem at once, in plain words, and throws one error prefixed with the app', () => {
    const check = checkAppEnv({ URL: 'http://app.example', OTHER: 'ftp://x', BAD: 'app.example', IK: 'cairn_sk_abc', KEY: 'short', PORT: 'eighty' }, '@cairn/example');
    check.need('MISSING');
    check.url('URL', { https: true, why: 'the platform loads the app over https' });
    check.url('OTHER');
    check.url('BAD');
    check.integrationKey('IK', 'Example app');
    expect(check.encryptionKey('KEY').length).toBe(0);
    check.port();
    check.problem('something of the app’s own');
    const expected = [
      'MISSING is not set',
      'URL must be an https:// URL (the platform loads the app over https), got http://app.example',
      'OTHER must be an http(s):// URL, got ftp://x',
      'BAD is not a URL: app.example',
      'IK must be an integration key (cairn_ik_…): make one with `npm run cairn -- integration add --name "Example app"`',
      'KEY must be 32 bytes, as 64 hex characters or base64: make one with `openssl rand -base64 32`',
      'PORT must be a port number (0–65535), got eighty',
      'something of the app’s own',
    ];
    expect(() => check.done()).toThrow(new AppEnvError('@cairn/example', expected));
    expect(() => check.done()).toThrow(`[@cairn/example] cannot start:\n  - MISSING is not set\n  - URL must be`);
    const own = new Error('own');
    expect(() => check.done(() => own)).toThrow(own);
  });

  it('says "not set" once for a missing URL, key or integration key', () => {
    expect(problems({}, (check) => [check.url('A'), check.integrationKey('B', 'X'), check.encryptionKey('C')])).toEqual(['A is not set', 'B is not set', 'C is not set']);
    expect(problems({ PORT: '65536' }, (check) => check.port())).toEqual(['PORT must be a port number (0–65535), got 65536']);
  });
});

describe('AppEnvChecker.appServer', () => {
  it('reads the settings every app server has, from the platform’s variables, in order', () => {
    const key = randomBytes(32);
    const check = checkAppEnv(
      { CAIRN_EXAMPLE_APP_URL: 'https://app.example/', CAIRN_COLLECTOR: 'http://stats.example', CAIRN_INTEGRATION_KEY: 'cairn_ik_abc', CAIRN_EXAMPLE_DATA_DIR: 'data', CAIRN_EXAMPLE_ENCRYPTION_KEY: key.toString('base64') },
      '@cairn/example',
    );
    const read = check.appServer({ platform: 'EXAMPLE', appName: 'Example app', why: 'because' });
    check.done();
    expect(read).toEqual({ appUrl: 'https://app.example', collector: 'http://stats.example', integrationKey: 'cairn_ik_abc', dataDir: resolve('data'), encryptionKey: key, port: 3000 });
    expect(problems({}, (c) => c.appServer({ platform: 'EXAMPLE', appName: 'Example app', why: 'because' }))).toEqual([
      'CAIRN_EXAMPLE_APP_URL is not set',
      'CAIRN_COLLECTOR is not set',
      'CAIRN_INTEGRATION_KEY is not set',
      'CAIRN_EXAMPLE_DATA_DIR is not set',
      'CAIRN_EXAMPLE_ENCRYPTION_KEY is not set',
    ]);
  });
});

describe('sealSecret / openSecret', () => {
  const key = randomBytes(32);

  it('round-trips, with a different IV and ciphertext each time, never the plaintext in the record', () => {
    const a = sealSecret(key, 'a-secret-token', 'owner-1');
    const b = sealSecret(key, 'a-secret-token', 'owner-1');
    expect(a.iv).not.toBe(b.iv);
    expect(a.data).not.toBe(b.data);
    expect(JSON.stringify(a)).not.toContain('a-secret-token');
    expect(openSecret(key, a, 'owner-1')).toBe('a-secret-token');
  });

  it('refuses another key, other associated data, or changed bytes', () => {
    const sealed = sealSecret(key, 'a-secret-token', 'owner-1');
    expect(() => openSecret(randomBytes(32), sealed, 'owner-1')).toThrow();
    expect(() => openSecret(key, sealed, 'owner-2')).toThrow();
    const data = Buffer.from(sealed.data, 'base64');
    data[0] = data[0]! ^ 1;
    expect(() => openSecret(key, { ...sealed, data: data.toString('base64') }, 'owner-1')).toThrow();
  });

  it('opens a record sealed before the move into the SDK: the stored shape is unchanged', () => {
    // Made by plugins/shopify/src/seal.ts as it was; the apps' data files hold records like it.
    const fixed = Buffer.from('00'.repeat(16) + 'ff'.repeat(16), 'hex');
    const stored = JSON.parse('{"v":1,"iv":"2fLdggBK7hyuH5it","tag":"+Qiab7fQ0NCJ9yzuueCHCQ==","data":"ip04qcsxioFCHQ=="}');
    expect(openSecret(fixed, stored, 'a.myshopify.com')).toBe('shpat_kept');
    expect(Object.keys(sealSecret(fixed, 'x', 'y'))).toEqual(['v', 'iv', 'tag', 'data']);
  });
});
