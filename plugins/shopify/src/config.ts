/** The app server's settings, read from the environment and checked once at start. */
import { resolve } from 'node:path';

export interface ShopifyAppConfig {
  apiKey: string;
  apiSecret: string;
  /** The app's public https URL, as registered in the Partner dashboard (no trailing slash). */
  appUrl: string;
  /** The Cairn collector's URL (no trailing slash). */
  collector: string;
  /** `cairn_ik_…`: the integration key that creates and manages the shops' sites. */
  integrationKey: string;
  /** Where shop records are stored. */
  dataDir: string;
  /** 32 bytes: encrypts each shop's access token at rest. */
  encryptionKey: Buffer;
  port: number;
  /** Access scopes asked at install: `read_themes` lets the app check that the theme embed is on. */
  scopes: string[];
  /**
   * Where the app reaches a shop's OAuth and Admin API endpoints: `https://{shop}` in production.
   * Tests point it at a local stub (Shopify is unreachable from here); never set from the environment.
   */
  shopOrigin: (shop: string) => string;
}

/** Problems with the environment, each in plain words; `[@cairn/shopify]`-prefixed as a whole. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`[@cairn/shopify] cannot start:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * The access scopes, in this one place (shopify.app.toml's `[access_scopes]` must say the same; a
 * test compares them): `read_themes` checks that the theme embed is on; `write_pixels` and
 * `read_customer_events` install the web pixel; `write_app_proxy` is what an app proxy requires.
 */
export const SCOPES = ['read_themes', 'write_pixels', 'read_customer_events', 'write_app_proxy'];

/** Reads and checks every setting, reporting all problems at once. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ShopifyAppConfig {
  const problems: string[] = [];
  const need = (name: string): string => {
    const value = env[name]?.trim() ?? '';
    if (!value) problems.push(`${name} is not set`);
    return value;
  };
  const url = (name: string, httpsOnly: boolean): string => {
    const value = need(name);
    if (!value) return '';
    try {
      const parsed = new URL(value);
      if (httpsOnly && parsed.protocol !== 'https:') problems.push(`${name} must be an https:// URL (Shopify loads the app over https), got ${value}`);
      else if (!['http:', 'https:'].includes(parsed.protocol)) problems.push(`${name} must be an http(s):// URL, got ${value}`);
    } catch {
      problems.push(`${name} is not a URL: ${value}`);
    }
    return value.replace(/\/+$/, '');
  };

  const apiKey = need('SHOPIFY_API_KEY');
  const apiSecret = need('SHOPIFY_API_SECRET');
  const appUrl = url('CAIRN_SHOPIFY_APP_URL', true);
  const collector = url('CAIRN_COLLECTOR', false);
  const integrationKey = need('CAIRN_INTEGRATION_KEY');
  if (integrationKey && !integrationKey.startsWith('cairn_ik_')) {
    problems.push('CAIRN_INTEGRATION_KEY must be an integration key (cairn_ik_…): make one with `npm run cairn -- integration add --name "Shopify app"`');
  }
  const dataDir = need('CAIRN_SHOPIFY_DATA_DIR');
  const encryptionKey = parseKey(need('CAIRN_SHOPIFY_ENCRYPTION_KEY'), problems);
  const portText = env.PORT?.trim() || '3000';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`PORT must be a port number (0–65535), got ${portText}`);

  if (problems.length) throw new ConfigError(problems);
  return { apiKey, apiSecret, appUrl, collector, integrationKey, dataDir: resolve(dataDir), encryptionKey, port, scopes: SCOPES, shopOrigin: (shop) => `https://${shop}` };
}

function parseKey(text: string, problems: string[]): Buffer {
  if (!text) return Buffer.alloc(0);
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) {
    problems.push('CAIRN_SHOPIFY_ENCRYPTION_KEY must be 32 bytes, as 64 hex characters or base64: make one with `openssl rand -base64 32`');
  }
  return key;
}
