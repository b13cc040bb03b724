/** A real collector, the Webflow stub and the app server, started together, plus the admin's steps and Webflow's signing. */
import { integrationKey, startHarness, tempDir, type Harness } from '@cairn/collector/testing';
import { createHmac, randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { appDeps, startApp, type AppDeps } from '../src/app.ts';
import { loadConfig, type WebflowAppConfig } from '../src/config.ts';
import { startWebflowStub, type StubSite, type WebflowStub } from './webflow-stub.ts';

export const CLIENT_ID = 'cairn-test-client-id';
export const CLIENT_SECRET = 'cairn-test-client-secret';
export const OTHER_APP = 'another-apps-client-id';
export const APP_URL = 'https://cairn-app.example';

/** A site with a custom domain (www and apex), and one on its webflow.io address only. */
export const SITE: StubSite = {
  id: '64a1b2c3d4e5f60718293a4b',
  displayName: 'Dune Coffee',
  shortName: 'dune-coffee',
  timeZone: 'Europe/Berlin',
  customDomains: ['www.dunecoffee.example', 'dunecoffee.example'],
  ownerHead: '<meta name="owner-verification" content="owner-code-1"><script>window.ownerHeadRan = true;</script>',
};
export const PLAIN: StubSite = { id: '64a1b2c3d4e5f60718293a4c', displayName: 'Plain Site', shortName: 'plain-site', customDomains: [] };

export interface Fixture {
  h: Harness;
  stub: WebflowStub;
  config: WebflowAppConfig;
  /** The same dependencies the app's routes use (for `installCairn` and `refreshSites` in tests). */
  deps: AppDeps;
  app: { url: string; close(): Promise<void> };
  logs: string[];
  stop(): Promise<void>;
}

export async function startFixture(opts: { domain?: string } = {}): Promise<Fixture> {
  const h = await startHarness(opts.domain ? { domain: opts.domain } : {});
  const stub = await startWebflowStub({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }, [SITE, PLAIN]);
  const dataDir = await tempDir('cairn-webflow-');
  const config: WebflowAppConfig = {
    ...loadConfig({
      WEBFLOW_CLIENT_ID: CLIENT_ID,
      WEBFLOW_CLIENT_SECRET: CLIENT_SECRET,
      CAIRN_WEBFLOW_APP_URL: APP_URL,
      CAIRN_COLLECTOR: h.collector.url,
      CAIRN_INTEGRATION_KEY: await integrationKey(h, 'Webflow app'),
      CAIRN_WEBFLOW_DATA_DIR: dataDir,
      CAIRN_WEBFLOW_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      PORT: '0',
    }),
    webflow: stub.endpoints,
  };
  const logs: string[] = [];
  const log: AppDeps['log'] = (level, msg, fields) => logs.push(JSON.stringify({ level, msg, ...fields }));
  const app = await startApp(config, { host: '127.0.0.1', log, refreshEveryMs: 0 });
  return {
    h,
    stub,
    config,
    deps: appDeps(config, { log }),
    app,
    logs,
    async stop() {
      await app.close();
      await stub.close();
      await h.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The admin authorizes the app on `siteIds`: `GET /auth`, Webflow's consent (the stub's code),
 * then the callback with the state. Answers the callback's response and the session cookie.
 */
export async function authorize(f: Fixture, siteIds = [SITE.id, PLAIN.id]): Promise<{ res: Response; session: string }> {
  const start = await fetch(`${f.app.url}/auth`, { redirect: 'manual' });
  const asked = new URL(start.headers.get('location')!).searchParams;
  const state = asked.get('state')!;
  const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0]!;
  // Webflow grants the scopes the authorize URL asked for, no more.
  const res = await fetch(`${f.app.url}/auth/callback?${new URLSearchParams({ code: f.stub.code(CLIENT_ID, siteIds, asked.get('scope')!), state })}`, { redirect: 'manual', headers: { cookie } });
  const session = res.headers.getSetCookie().find((c) => c.startsWith('cairn_webflow_session=')) ?? '';
  return { res, session: session.split(';')[0]! };
}

/** `POST /sites/:id/<action>` from the app's page, asking JSON. */
export function post(f: Fixture, session: string, siteId: string, action: 'install' | 'uninstall', body?: unknown): Promise<Response> {
  return fetch(`${f.app.url}/sites/${siteId}/${action}`, {
    method: 'POST',
    headers: { cookie: session, origin: APP_URL, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
}

/** A webhook delivery as Webflow signs it (developers.webflow.com "Verifying requests"): hex HMAC-SHA256 of `timestamp:body`. */
export function webhook(f: Fixture, body: unknown, opts: { timestamp?: number; secret?: string; tamper?: boolean; signature?: string } = {}): Promise<Response> {
  const raw = JSON.stringify(body);
  const timestamp = String(opts.timestamp ?? Date.now());
  const signature = opts.signature ?? createHmac('sha256', opts.secret ?? CLIENT_SECRET).update(`${timestamp}:${raw}`).digest('hex');
  return fetch(`${f.app.url}/webhooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-webflow-timestamp': timestamp, 'x-webflow-signature': signature },
    body: opts.tamper ? raw.replace('}', ',"x":1}') : raw,
  });
}

/** The calls the app made to the stub that change something on Webflow. */
export const writes = (stub: WebflowStub) => stub.calls.filter((c) => !c.startsWith('GET ') && !c.startsWith('POST /oauth/'));
