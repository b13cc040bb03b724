/** The app server's settings, read from the environment and checked once at start. */
import { AppEnvError, checkAppEnv, type AppServerEnv } from '@cairn/tracker/integration';

/** The shared settings (`appUrl` is the app's URL as registered in the Partner dashboard), and Shopify's own. */
export interface ShopifyAppConfig extends AppServerEnv {
  apiKey: string;
  apiSecret: string;
  /** Access scopes asked at install: `read_themes` lets the app check that the theme embed is on. */
  scopes: string[];
  /**
   * Where the app reaches a shop's OAuth and Admin API endpoints: `https://{shop}` in production.
   * Tests point it at a local stub (Shopify is unreachable from here); never set from the environment.
   */
  shopOrigin: (shop: string) => string;
}

/** Problems with the environment, each in plain words; `[@cairn/shopify]`-prefixed as a whole. */
export class ConfigError extends AppEnvError {
  constructor(problems: string[]) {
    super('@cairn/shopify', problems);
    this.name = 'ConfigError';
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
  const check = checkAppEnv(env, '@cairn/shopify');
  const apiKey = check.need('SHOPIFY_API_KEY');
  const apiSecret = check.need('SHOPIFY_API_SECRET');
  const shared = check.appServer({ platform: 'SHOPIFY', appName: 'Shopify app', why: 'Shopify loads the app over https' });
  check.done((problems) => new ConfigError(problems));
  return { ...shared, apiKey, apiSecret, scopes: SCOPES, shopOrigin: (shop) => `https://${shop}` };
}
