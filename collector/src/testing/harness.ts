/** Starts a real collector on a temporary data directory for end-to-end tests. */
import { newIntegrationKey } from '../sites/integration-keys.ts';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCollector, type Collector } from '../collector.ts';
import { loadConfig, type Config } from '../config.ts';
import { addSite } from '../sites/add-site.ts';
import type { Store } from '../store/store.ts';

export const CHROME_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';
export const IPHONE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';

export interface Harness {
  collector: Collector;
  config: Config;
  dataDir: string;
  siteId: string;
  siteKey: string;
  /** Every log line the collector wrote. */
  logs: string[];
  post(body: string | Uint8Array | unknown, headers?: Record<string, string>): Promise<Response>;
  /** Events stored for the site, after loading everything journaled. */
  stored(site?: string): Promise<Awaited<ReturnType<Collector['store']['events']['list']>>>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A POST sent from another local address (any 127.x.y.z works on Linux's loopback), as another
 * visitor's machine would send it, with a browser's user agent and text/plain unless `headers`
 * say otherwise. For proving that a plugin's proxy forwards the visitor's address.
 */
export function postFrom(address: string, url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', localAddress: address, headers: { 'content-type': 'text/plain', 'user-agent': CHROME_UA, ...headers } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function tempDir(prefix = 'cairn-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Starts a collector that trusts X-Forwarded-For from loopback, with a site for example.com. */
export async function startHarness(
  opts: { config?: Partial<Config>; now?: () => number; domain?: string; dataDir?: string; openStore?: () => Promise<Store>; realtimeRecheckMs?: number } = {},
): Promise<Harness> {
  const dataDir = opts.dataDir ?? (await tempDir());
  const logs: string[] = [];
  const config: Config = {
    ...loadConfig({ 'data-dir': dataDir, port: '0', host: '127.0.0.1', 'trusted-proxies': 'loopback' }, {}),
    ...opts.config,
  };
  const start = async () =>
    startCollector({
      config,
      now: opts.now,
      logDestination: { write: (line: string) => logs.push(line) },
      ...(opts.openStore ? { store: await opts.openStore() } : {}),
      ...(opts.realtimeRecheckMs ? { realtimeRecheckMs: opts.realtimeRecheckMs } : {}),
    });
  const h: Harness = {
    collector: await start(),
    config,
    dataDir,
    siteId: '',
    siteKey: '',
    logs,
    post(body, headers = {}) {
      const payload = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
      return fetch(`${h.collector.url}/api/event`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain;charset=UTF-8', 'user-agent': CHROME_UA, ...headers },
        body: payload as RequestInit['body'],
      });
    },
    async stored(site = h.siteId) {
      await h.collector.store.events.settle();
      return h.collector.store.events.list(site);
    },
    async restart() {
      await h.collector.close();
      h.collector = await start();
    },
    async stop() {
      await h.collector.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  const added = await addSite(h.collector.sites, { domain: opts.domain ?? 'example.com' }, h.collector.publicUrl, Date.now());
  h.siteId = added.site.id;
  h.siteKey = added.key;
  return h;
}

/** A new integration key (docs/api/integrations.md) of the harness's collector: its secret, as an app server holds it. */
export async function integrationKey(h: Harness, name = 'Test app'): Promise<string> {
  const made = newIntegrationKey(name, Date.now());
  await h.collector.store.keys.create(made.key);
  return made.secret;
}

/** Every file under `dir`, with its bytes. */
export async function readTree(dir: string): Promise<{ path: string; bytes: Buffer }[]> {
  const out: { path: string; bytes: Buffer }[] = [];
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    const s = await stat(path);
    if (s.isDirectory()) out.push(...(await readTree(path)));
    else if (s.isFile()) out.push({ path, bytes: await readFile(path) });
  }
  return out;
}
