/**
 * shopify.app.toml says what the app server does: the same access scopes as SCOPES, the OAuth
 * callback, webhooks to /webhooks at the Admin API version the app calls, and the App Proxy at
 * /proxy under the prefix and subpath the theme embed writes by default. Placeholders are marked.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { SCOPES } from '../src/config.ts';
import { ADMIN_API_VERSION } from '../src/shopify-admin.ts';
import { blockSchema } from './theme-embed.ts';

interface AppToml {
  client_id: string;
  name: string;
  application_url: string;
  embedded: boolean;
  access_scopes: { scopes: string };
  auth: { redirect_urls: string[] };
  webhooks: { api_version: string; subscriptions: { topics?: string[]; compliance_topics?: string[]; uri: string }[] };
  app_proxy: { url: string; prefix: string; subpath: string };
  pos: { embedded: boolean };
}

const read = async () => parse(await readFile(new URL('../shopify.app.toml', import.meta.url), 'utf8')) as unknown as AppToml;

describe('shopify.app.toml', () => {
  it('asks for exactly the scopes the app asks for at install', async () => {
    expect((await read()).access_scopes.scopes.split(',')).toEqual(SCOPES);
  });

  it('is an embedded app whose URLs are marked placeholders on one host, with the routes the server has', async () => {
    const toml = await read();
    expect(toml.embedded).toBe(true);
    expect(toml.pos.embedded).toBe(false);
    expect(toml.client_id).toMatch(/CHANGE-ME/);
    expect(new URL(toml.application_url).hostname).toMatch(/change-me/);
    const origin = toml.application_url.replace(/\/+$/, '');
    expect(toml.auth.redirect_urls).toEqual([`${origin}/auth/callback`]);
    expect(toml.app_proxy.url).toBe(`${origin}/proxy`);
  });

  it('subscribes app/uninstalled and the three compliance topics to /webhooks, at the app’s Admin API version', async () => {
    const { webhooks } = await read();
    expect(webhooks.api_version).toBe(ADMIN_API_VERSION);
    expect(webhooks.subscriptions.flatMap((s) => s.topics ?? [])).toEqual(['app/uninstalled']);
    expect(webhooks.subscriptions.flatMap((s) => s.compliance_topics ?? []).sort()).toEqual(['customers/data_request', 'customers/redact', 'shop/redact']);
    expect(new Set(webhooks.subscriptions.map((s) => s.uri))).toEqual(new Set(['/webhooks']));
  });

  it('puts the App Proxy where the theme embed looks for it by default', async () => {
    const { app_proxy } = await read();
    const setting = (await blockSchema()).settings.find((s) => s.id === 'proxy_path');
    expect(`${app_proxy.prefix}/${app_proxy.subpath}`).toBe(setting?.default);
    expect(['apps', 'a', 'community', 'tools']).toContain(app_proxy.prefix);
  });
});
