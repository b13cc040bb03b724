/**
 * What the app's routes share, built once from the config: the token store, the collector's
 * client, the Data API for a token, the log and the clock. `installCairn`/`uninstallCairn` and the
 * Designer Extension's routes take these too; import them from here (app.ts re-exports them).
 */
import { cairnClient, type CairnClient } from './cairn-client.ts';
import type { WebflowAppConfig } from './config.ts';
import { createLog, type Log } from './log.ts';
import { fileTokenStore, type TokenStore } from './token-store.ts';
import { webflowApi, type WebflowApi } from './webflow-api.ts';

export interface AppDeps {
  config: WebflowAppConfig;
  /** Authorizations (encrypted tokens, by Webflow site via `forSite`) and per-site records. */
  tokens: TokenStore;
  /** The collector's integration-key API. */
  cairn: CairnClient;
  /** The Data API (the `webflow-api` SDK) for an access token. */
  webflow: (accessToken: string) => WebflowApi;
  log: Log;
  now: () => number;
}

export interface AppOptions {
  log?: Log;
  now?: () => number;
}

/** The shared dependencies for `config`. */
export function appDeps(config: WebflowAppConfig, opts: AppOptions = {}): AppDeps {
  return {
    config,
    tokens: fileTokenStore(config.dataDir, config.encryptionKey),
    cairn: cairnClient(config.collector, config.integrationKey),
    webflow: (accessToken) => webflowApi(config.webflow.apiBase, accessToken),
    log: opts.log ?? createLog(),
    now: opts.now ?? Date.now,
  };
}
