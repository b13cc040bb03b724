/** The app server's settings, read from the environment and checked once at start. */
import { AppEnvError, checkAppEnv, type AppServerEnv } from '@cairn/tracker/integration';

/** The shared settings (the OAuth redirect URI is `${appUrl}/auth/callback`), and Webflow's own. */
export interface WebflowAppConfig extends AppServerEnv {
  /** The Webflow App's client id and secret (Workspace settings → Apps & Integrations → App development). */
  clientId: string;
  clientSecret: string;
  /** OAuth scopes asked at authorization. */
  scopes: string[];
  /**
   * Webflow's endpoints. Production values by default; tests point them at a local stub (Webflow
   * is unreachable from here). Never set from the environment.
   */
  webflow: { authorizeUrl: string; tokenUrl: string; apiBase: string };
}

/** Problems with the environment, each in plain words; `[@cairn/webflow]`-prefixed as a whole. */
export class ConfigError extends AppEnvError {
  constructor(problems: string[]) {
    super('@cairn/webflow', problems);
    this.name = 'ConfigError';
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
  const check = checkAppEnv(env, '@cairn/webflow');
  const clientId = check.need('WEBFLOW_CLIENT_ID');
  const clientSecret = check.need('WEBFLOW_CLIENT_SECRET');
  const shared = check.appServer({ platform: 'WEBFLOW', appName: 'Webflow app', why: 'Webflow only redirects to https' });
  check.done((problems) => new ConfigError(problems));
  return { ...shared, clientId, clientSecret, scopes: SCOPES, webflow: { ...WEBFLOW_ENDPOINTS } };
}
