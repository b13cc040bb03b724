/** Where the dev toolbar's site key comes from: the environment first, then .env files in Vite's order. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { readSiteKey } from '../src/dev-token.ts';

const dir = mkdtempSync(join(tmpdir(), 'cairn-astro-env-'));
const root = pathToFileURL(`${dir}/`);
afterEach(() => {
  delete process.env.CAIRN_SITE_KEY;
  rmSync(dir, { recursive: true, force: true });
});

it('reads CAIRN_SITE_KEY from .env files, the more specific file winning, the environment above all', () => {
  expect(readSiteKey(root)).toBeUndefined();
  writeFileSync(join(dir, '.env'), 'OTHER=1\nexport CAIRN_SITE_KEY="cairn_sk_base"\n');
  expect(readSiteKey(root)).toBe('cairn_sk_base');
  writeFileSync(join(dir, '.env.development.local'), "CAIRN_SITE_KEY='cairn_sk_dev'\n");
  expect(readSiteKey(root)).toBe('cairn_sk_dev');
  expect(readSiteKey(root, 'production')).toBe('cairn_sk_base');
  process.env.CAIRN_SITE_KEY = 'cairn_sk_env';
  expect(readSiteKey(root)).toBe('cairn_sk_env');
});
