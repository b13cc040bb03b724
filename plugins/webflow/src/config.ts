/** The app server's settings, read from the environment and checked once at start. */
import { resolve } from 'node:path';

export interface WebflowAppConfig {
  /** The Webflow App's client id and secret (Workspace settings → Apps & Integrations → App development). */
  clientId: string;
  clientSecret: string;
  /** The app server's public https URL (no trailing slash): the redirect URI is `${appUrl}/auth/callback`. */
  appUrl: string;
  /** The Cairn collector's URL (no trailing slash). */
  collector: string;
  /** `cairn_ik_…`: the integration key that creates and manages the Webflow sites' Cairn sites. */
  integrationKey: string;
  /** Where authorization records are stored. */
  dataDir: string;
  /** 32 bytes: encrypts each authorization's access token at rest. */
  encryptionKey: Buffer;
  port: number;
  /** OAuth scopes asked at authorization. */
  scopes: string[];
  /**
   * Webflow's endpoints. Production values by default; tests point them at a local stub (Webflow
   * is unreachable from here). Never set from the environment.
   */
  webflow: { authorizeUrl: string; tokenUrl: string; apiBase: string };
}

/** Problems with the environment, each in plain words; `[@cairn/webflow]`-prefixed as a whole. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`[@cairn/webflow] cannot start:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * The scopes, in this one place: `sites:read` (the site's name, domains and time zone),
 * `custom_code:read` and `custom_code:write` (register the tracker as a hosted script, apply it
 * site-wide, remove it again), `authorized_user:read` (Webflow's "Resolve ID Token" needs it: the
 * Designer Extension's ID token becomes the user who opened it). Nothing else: the app never
 * publishes, and reads no content.
 */
export const SCOPES = ['sites:read', 'custom_code:read', 'custom_code:write', 'authorized_user:read'];

/** Webflow's documented endpoints (developers.webflow.com, "OAuth" and the Data API v2). */
export const WEBFLOW_ENDPOINTS = {
  authorizeUrl: 'https://webflow.com/oauth/authorize',
  tokenUrl: 'https://api.webflow.com/oauth/access_token',
  apiBase: 'https://api.webflow.com/v2',
};

/** Reads and checks every setting, reporting all problems at once. */
export function loadConfig(env: Record<string, string | undefined> = process.env): WebflowAppConfig {
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
      if (httpsOnly && parsed.protocol !== 'https:') problems.push(`${name} must be an https:// URL (Webflow only redirects to https), got ${value}`);
      else if (!['http:', 'https:'].includes(parsed.protocol)) problems.push(`${name} must be an http(s):// URL, got ${value}`);
    } catch {
      problems.push(`${name} is not a URL: ${value}`);
    }
    return value.replace(/\/+$/, '');
  };

  const clientId = need('WEBFLOW_CLIENT_ID');
  const clientSecret = need('WEBFLOW_CLIENT_SECRET');
  const appUrl = url('CAIRN_WEBFLOW_APP_URL', true);
  const collector = url('CAIRN_COLLECTOR', false);
  const integrationKey = need('CAIRN_INTEGRATION_KEY');
  if (integrationKey && !integrationKey.startsWith('cairn_ik_')) {
    problems.push('CAIRN_INTEGRATION_KEY must be an integration key (cairn_ik_…): make one with `npm run cairn -- integration add --name "Webflow app"`');
  }
  const dataDir = need('CAIRN_WEBFLOW_DATA_DIR');
  const encryptionKey = parseKey(need('CAIRN_WEBFLOW_ENCRYPTION_KEY'), problems);
  const portText = env.PORT?.trim() || '3000';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`PORT must be a port number (0–65535), got ${portText}`);

  if (problems.length) throw new ConfigError(problems);
  return { clientId, clientSecret, appUrl, collector, integrationKey, dataDir: resolve(dataDir), encryptionKey, port, scopes: SCOPES, webflow: { ...WEBFLOW_ENDPOINTS } };
}

function parseKey(text: string, problems: string[]): Buffer {
  if (!text) return Buffer.alloc(0);
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) {
    problems.push('CAIRN_WEBFLOW_ENCRYPTION_KEY must be 32 bytes, as 64 hex characters or base64: make one with `openssl rand -base64 32`');
  }
  return key;
}
