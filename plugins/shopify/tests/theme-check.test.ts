/**
 * Shopify's theme-check on the theme app extension, with its theme-app-extension configuration
 * (app blocks: no {% javascript %}/{% stylesheet %}, a schema, translations that exist in every
 * locale…): no offence. Offline and deterministic: its docs updater reads the Liquid docs from an
 * empty local folder instead of GitHub, so it falls back to the data bundled with the package.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { check as themeCheck } from '@shopify/theme-check-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION } from './theme-embed.ts';

let check: typeof themeCheck;

beforeAll(async () => {
  const offline = await mkdtemp(join(tmpdir(), 'theme-liquid-docs-'));
  // Read at each download: a `file:` root instead of raw.githubusercontent.com.
  process.env.SHOPIFY_TLD_ROOT = join(offline, 'none');
  // Read once, when the updater loads: its cache, empty, so no docs a previous run fetched are used.
  process.env.XDG_CACHE_HOME = offline;
  ({ check } = await import('@shopify/theme-check-node'));
});

describe('theme-check', () => {
  it('finds no offence in the theme app extension', async () => {
    const offences = await check(EXTENSION, 'theme-check:theme-app-extension');
    const listed = offences.map((o) => `${o.check} ${o.uri.slice(o.uri.indexOf('cairn-embed/'))}:${o.start.line + 1} ${o.message}`);
    expect(listed).toEqual([]);
  });
});
