// The environment is checked at start, and every problem is named in plain words.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

const GOOD = {
  SHOPIFY_API_KEY: 'key',
  SHOPIFY_API_SECRET: 'secret',
  CAIRN_SHOPIFY_APP_URL: 'https://app.example/',
  CAIRN_COLLECTOR: 'https://stats.example',
  CAIRN_INTEGRATION_KEY: 'cairn_ik_abc',
  CAIRN_SHOPIFY_DATA_DIR: '/var/lib/cairn-shopify',
  CAIRN_SHOPIFY_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
  PORT: '8080',
};

const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('loadConfig', () => {
  it('reads a good environment: trailing slashes dropped, the key as 32 bytes (hex or base64)', () => {
    const config = loadConfig(GOOD);
    expect(config).toMatchObject({ appUrl: 'https://app.example', collector: 'https://stats.example', port: 8080, scopes: ['read_themes', 'write_pixels', 'read_customer_events', 'write_app_proxy'] });
    expect(config.encryptionKey.length).toBe(32);
    expect(loadConfig({ ...GOOD, CAIRN_SHOPIFY_ENCRYPTION_KEY: randomBytes(32).toString('base64') }).encryptionKey.length).toBe(32);
    expect(config.shopOrigin('a.myshopify.com')).toBe('https://a.myshopify.com');
  });

  it('names every missing variable at once', () => {
    expect(problems({})).toEqual([
      'SHOPIFY_API_KEY is not set',
      'SHOPIFY_API_SECRET is not set',
      'CAIRN_SHOPIFY_APP_URL is not set',
      'CAIRN_COLLECTOR is not set',
      'CAIRN_INTEGRATION_KEY is not set',
      'CAIRN_SHOPIFY_DATA_DIR is not set',
      'CAIRN_SHOPIFY_ENCRYPTION_KEY is not set',
    ]);
  });

  it('says what is wrong with its own variables, in its own words (the checks themselves: tracker/src/integration-app.test.ts)', () => {
    expect(problems({ ...GOOD, CAIRN_SHOPIFY_APP_URL: 'http://app.example', CAIRN_INTEGRATION_KEY: 'cairn_sk_abc', CAIRN_SHOPIFY_ENCRYPTION_KEY: 'short' })).toEqual([
      'CAIRN_SHOPIFY_APP_URL must be an https:// URL (Shopify loads the app over https), got http://app.example',
      'CAIRN_INTEGRATION_KEY must be an integration key (cairn_ik_…): make one with `npm run cairn -- integration add --name "Shopify app"`',
      'CAIRN_SHOPIFY_ENCRYPTION_KEY must be 32 bytes, as 64 hex characters or base64: make one with `openssl rand -base64 32`',
    ]);
  });
});

describe('npx cairn-shopify', () => {
  it('exits 1 with the problems, prefixed, when the environment is incomplete', async () => {
    const run = promisify(execFile)(process.execPath, ['plugins/shopify/bin/cairn-shopify.ts'], { env: { PATH: process.env.PATH, SHOPIFY_API_KEY: 'key', PORT: '0' } });
    const err = (await run.then(() => undefined, (e: unknown) => e)) as { code: number; stderr: string } | undefined;
    expect(err?.code).toBe(1);
    expect(err?.stderr).toContain('[@cairn/shopify] cannot start:');
    expect(err?.stderr).toContain('SHOPIFY_API_SECRET is not set');
    expect(err?.stderr).not.toContain('SHOPIFY_API_KEY is not set');
  });
});
