// The environment is checked at start, and every problem is named in plain words.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

const GOOD = {
  WEBFLOW_CLIENT_ID: 'client-id',
  WEBFLOW_CLIENT_SECRET: 'client-secret',
  CAIRN_WEBFLOW_APP_URL: 'https://app.example/',
  CAIRN_COLLECTOR: 'https://stats.example',
  CAIRN_INTEGRATION_KEY: 'cairn_ik_abc',
  CAIRN_WEBFLOW_DATA_DIR: '/var/lib/cairn-webflow',
  CAIRN_WEBFLOW_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
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
  it('reads a good environment: trailing slashes dropped, the key as 32 bytes (hex or base64), Webflow’s own endpoints', () => {
    const config = loadConfig(GOOD);
    expect(config).toMatchObject({ appUrl: 'https://app.example', collector: 'https://stats.example', port: 8080, scopes: ['sites:read', 'custom_code:read', 'custom_code:write', 'authorized_user:read'] });
    expect(config.webflow).toEqual({ authorizeUrl: 'https://webflow.com/oauth/authorize', tokenUrl: 'https://api.webflow.com/oauth/access_token', apiBase: 'https://api.webflow.com/v2' });
    expect(config.encryptionKey.length).toBe(32);
    expect(loadConfig({ ...GOOD, CAIRN_WEBFLOW_ENCRYPTION_KEY: randomBytes(32).toString('base64') }).encryptionKey.length).toBe(32);
  });

  it('names every missing variable at once', () => {
    expect(problems({})).toEqual([
      'WEBFLOW_CLIENT_ID is not set',
      'WEBFLOW_CLIENT_SECRET is not set',
      'CAIRN_WEBFLOW_APP_URL is not set',
      'CAIRN_COLLECTOR is not set',
      'CAIRN_INTEGRATION_KEY is not set',
      'CAIRN_WEBFLOW_DATA_DIR is not set',
      'CAIRN_WEBFLOW_ENCRYPTION_KEY is not set',
    ]);
  });

  it('says what is wrong with its own variables, in its own words (the checks themselves: tracker/src/integration-app.test.ts)', () => {
    expect(problems({ ...GOOD, CAIRN_WEBFLOW_APP_URL: 'http://app.example', CAIRN_INTEGRATION_KEY: 'cairn_sk_abc', CAIRN_WEBFLOW_ENCRYPTION_KEY: 'short' })).toEqual([
      'CAIRN_WEBFLOW_APP_URL must be an https:// URL (Webflow only redirects to https), got http://app.example',
      'CAIRN_INTEGRATION_KEY must be an integration key (cairn_ik_…): make one with `npm run cairn -- integration add --name "Webflow app"`',
      'CAIRN_WEBFLOW_ENCRYPTION_KEY must be 32 bytes, as 64 hex characters or base64: make one with `openssl rand -base64 32`',
    ]);
  });
});

describe('npx cairn-webflow', () => {
  it('exits 1 with the problems, prefixed, when the environment is incomplete', async () => {
    const run = promisify(execFile)(process.execPath, ['plugins/webflow/bin/cairn-webflow.ts'], { env: { PATH: process.env.PATH, WEBFLOW_CLIENT_ID: 'id', PORT: '0' } });
    const err = (await run.then(() => undefined, (e: unknown) => e)) as { code: number; stderr: string } | undefined;
    expect(err?.code).toBe(1);
    expect(err?.stderr).toContain('[@cairn/webflow] cannot start:');
    expect(err?.stderr).toContain('WEBFLOW_CLIENT_SECRET is not set');
    expect(err?.stderr).not.toContain('WEBFLOW_CLIENT_ID is not set');
  });
});
