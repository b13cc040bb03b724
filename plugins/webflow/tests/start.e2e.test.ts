// `npx cairn-webflow` as an operator runs it: the collector and the key are checked before listening.
import { integrationKey, startHarness, tempDir, type Harness } from '@cairn/collector/testing';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let h: Harness;
let dataDir: string;
beforeAll(async () => {
  h = await startHarness();
  dataDir = await tempDir('cairn-webflow-');
});
afterAll(async () => {
  await h?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** Runs the bin until it exits or prints that it listens (then stops it). */
function run(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['plugins/webflow/bin/cairn-webflow.ts'], { env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('listening')) child.kill('SIGTERM');
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const env = async (overrides: Record<string, string> = {}) => ({
  WEBFLOW_CLIENT_ID: 'client-id',
  WEBFLOW_CLIENT_SECRET: 'client-secret',
  CAIRN_WEBFLOW_APP_URL: 'https://app.example',
  CAIRN_COLLECTOR: h.collector.url,
  CAIRN_INTEGRATION_KEY: await integrationKey(h),
  CAIRN_WEBFLOW_DATA_DIR: dataDir,
  CAIRN_WEBFLOW_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  PORT: '0',
  ...overrides,
});

describe('npx cairn-webflow', () => {
  it('starts and listens with a good environment', async () => {
    const out = await run(await env());
    expect(out.stdout).toMatch(/\[@cairn\/webflow\] listening on port \d+, public URL https:\/\/app\.example/);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
  });

  it('refuses to start with a key the collector does not know, saying so', async () => {
    const out = await run(await env({ CAIRN_INTEGRATION_KEY: 'cairn_ik_not_a_real_key' }));
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('refused CAIRN_INTEGRATION_KEY (401)');
    expect(out.stdout).toBe('');
  });

  it('starts with a warning when the collector cannot be reached yet', async () => {
    const out = await run(await env({ CAIRN_COLLECTOR: 'http://127.0.0.1:9' }));
    expect(out.stderr).toContain('[@cairn/webflow] warning: the collector at http://127.0.0.1:9 could not be reached');
    expect(out.stdout).toContain('listening');
  });
});
