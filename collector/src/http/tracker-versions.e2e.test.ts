/**
 * The tracker at versioned URLs (http/tracker-versions.ts) and `GET /api/tracker`, on real
 * collectors: the bytes hash to the announced SRI integrity whatever the encoding, an upgrade (a
 * collector started again on the same data directory with another build) adds a version while the
 * old URL keeps its old bytes, and what is not a kept version is a 404.
 */
import { createHash } from 'node:crypto';
import { cp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type Collector } from '../collector.ts';
import { loadConfig } from '../config.ts';
import { tempDir } from '../testing/harness.ts';
import type { TrackerBuild } from './tracker-assets.ts';
import type { TrackerAnswer } from './tracker-routes.ts';

const real = (file: string) => readFile(createRequire(import.meta.url).resolve(`@cairn/tracker/${file}`));
let built: TrackerBuild;
/** The same tracker after an upgrade: a byte more in t.js (still valid JavaScript). */
let upgraded: TrackerBuild;
const dirs: string[] = [];
let running: Collector[] = [];

beforeAll(async () => {
  built = { 't.js': await real('t.js'), 't-v.js': await real('t-v.js') };
  upgraded = { 't.js': Buffer.concat([built['t.js'], Buffer.from('\n')]), 't-v.js': built['t-v.js'] };
});
afterEach(async () => {
  await Promise.all(running.map((c) => c.close()));
  running = [];
});
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function dataDir(): Promise<string> {
  const dir = await tempDir('cairn-tracker-versions-');
  dirs.push(dir);
  return dir;
}

/** A collector on `dir` serving `build` (null: the tracker is not built), and its log lines. */
async function start(dir: string, build: TrackerBuild | null): Promise<{ c: Collector; logs: string[] }> {
  const logs: string[] = [];
  const config = loadConfig({ 'data-dir': dir, port: '0', host: '127.0.0.1' }, {});
  const c = await startCollector({ config, trackerBuild: build, logDestination: { write: (line: string) => logs.push(line) } });
  running.push(c);
  return { c, logs };
}

async function stop(c: Collector): Promise<void> {
  await c.close();
  running = running.filter((r) => r !== c);
}

async function announced(c: Collector): Promise<TrackerAnswer> {
  const res = await fetch(`${c.url}/api/tracker`);
  expect(res.status).toBe(200);
  return (await res.json()) as TrackerAnswer;
}

/** The same path on the collector's local address (the announced URL names its public one). */
const local = (c: Collector, url: string) => `${c.url}${new URL(url).pathname}`;
const sri = (bytes: ArrayBuffer | Buffer) => `sha384-${createHash('sha384').update(Buffer.from(bytes as ArrayBuffer)).digest('base64')}`;

describe('GET /api/tracker', () => {
  it('names the current version, its absolute versioned URLs under the public URL, and their SRI hashes', async () => {
    const { c } = await start(await dataDir(), built);
    const res = await fetch(`${c.url}/api/tracker`, { headers: { origin: 'https://my-site.webflow.io' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const t = (await res.json()) as TrackerAnswer;
    expect(t.version).toMatch(/^[0-9a-f]{12}$/);
    expect(t.url).toBe(`${c.publicUrl}/t/${t.version}/t.js`);
    expect(t.vitals.url).toBe(`${c.publicUrl}/t/${t.version}/t-v.js`);
    // What the script itself loads for `data-vitals` (tracker/src/script.ts): this version's chunk.
    expect(t.url.replace('t.js', 't-v.js')).toBe(t.vitals.url);
    expect(t.integrity).toBe(sri(built['t.js']));
    expect(t.vitals.integrity).toBe(sri(built['t-v.js']));
  });

  it('answers 503 with the reason when the tracker is not built', async () => {
    const { c } = await start(await dataDir(), null);
    const res = await fetch(`${c.url}/api/tracker`);
    expect(res.status).toBe(503);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('tracker_not_built');
    expect(body.error.message).toContain('npm run build -w @cairn/tracker');
  });
});

describe('GET /t/<version>/t.js', () => {
  it('serves bytes that hash to the announced integrity, plain, gzip or brotli (fetch decodes; SRI is over the decoded body)', async () => {
    const { c } = await start(await dataDir(), built);
    const t = await announced(c);
    for (const [url, integrity, bytes] of [
      [t.url, t.integrity, built['t.js']],
      [t.vitals.url, t.vitals.integrity, built['t-v.js']],
    ] as const) {
      for (const encoding of ['identity', 'gzip', 'br']) {
        const res = await fetch(local(c, url), { headers: { 'accept-encoding': encoding } });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-encoding')).toBe(encoding === 'identity' ? null : encoding);
        const body = await res.arrayBuffer();
        expect(sri(body)).toBe(integrity);
        expect(Buffer.from(body).equals(bytes)).toBe(true);
      }
    }
  });

  it('is cached for a year, loadable from any site, never sniffed; answers If-None-Match and HEAD', async () => {
    const { c } = await start(await dataDir(), built);
    const t = await announced(c);
    const res = await fetch(local(c, t.url), { headers: { origin: 'https://my-site.webflow.io', 'accept-encoding': 'br' } });
    expect(Object.fromEntries(['content-type', 'cache-control', 'access-control-allow-origin', 'cross-origin-resource-policy', 'x-content-type-options', 'vary'].map((h) => [h, res.headers.get(h)]))).toEqual({
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=31536000, immutable',
      'access-control-allow-origin': '*',
      'cross-origin-resource-policy': 'cross-origin',
      'x-content-type-options': 'nosniff',
      vary: 'Accept-Encoding',
    });
    const etag = res.headers.get('etag')!;
    expect((await fetch(local(c, t.url), { headers: { 'if-none-match': etag } })).status).toBe(304);
    const head = await fetch(local(c, t.url), { method: 'HEAD', headers: { 'accept-encoding': 'identity' } });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(built['t.js'].length));
  });

  it('keeps each version in the data directory, read-only', async () => {
    const dir = await dataDir();
    const { c } = await start(dir, built);
    const t = await announced(c);
    for (const name of ['t.js', 't-v.js'] as const) {
      const path = join(dir, 'tracker', t.version, name);
      expect((await readFile(path)).equals(built[name])).toBe(true);
      expect((await stat(path)).mode & 0o777).toBe(0o444);
    }
  });

  it('after an upgrade, names a new version while the old URL keeps answering its old bytes', async () => {
    const dir = await dataDir();
    const first = await start(dir, built);
    const before = await announced(first.c);
    await stop(first.c);

    const { c } = await start(dir, upgraded);
    const after = await announced(c);
    expect(after.version).not.toBe(before.version);
    expect(after.url).not.toBe(before.url);
    expect(after.integrity).toBe(sri(upgraded['t.js']));
    // /t.js is the new build; the old versioned URL, the old one.
    expect(Buffer.from(await (await fetch(`${c.url}/t.js`)).arrayBuffer()).equals(upgraded['t.js'])).toBe(true);
    for (const encoding of ['identity', 'br']) {
      const old = await fetch(local(c, before.url), { headers: { 'accept-encoding': encoding } });
      expect(old.status).toBe(200);
      expect(old.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(sri(await old.arrayBuffer())).toBe(before.integrity);
    }
    expect(sri(await (await fetch(local(c, before.vitals.url))).arrayBuffer())).toBe(before.vitals.integrity);
    expect(sri(await (await fetch(local(c, after.url))).arrayBuffer())).toBe(after.integrity);

    // Back on the first build (a rollback): the same version and URL as before, the same bytes.
    await stop(c);
    const back = await start(dir, built);
    expect(await announced(back.c)).toEqual({ ...before, url: before.url.replace(first.c.publicUrl, back.c.publicUrl), vitals: { ...before.vitals, url: before.vitals.url.replace(first.c.publicUrl, back.c.publicUrl) } });
  });

  it('names a new version when only the Web Vitals chunk changes', async () => {
    const dir = await dataDir();
    const first = await start(dir, built);
    const before = await announced(first.c);
    await stop(first.c);
    const { c } = await start(dir, { 't.js': built['t.js'], 't-v.js': Buffer.concat([built['t-v.js'], Buffer.from('\n')]) });
    const after = await announced(c);
    expect(after.version).not.toBe(before.version);
    expect(after.integrity).toBe(before.integrity);
    expect(sri(await (await fetch(local(c, before.vitals.url))).arrayBuffer())).toBe(before.vitals.integrity);
    expect(sri(await (await fetch(local(c, after.vitals.url))).arrayBuffer())).toBe(after.vitals.integrity);
  });

  it('still serves kept versions when the tracker is not built', async () => {
    const dir = await dataDir();
    const first = await start(dir, built);
    const before = await announced(first.c);
    await stop(first.c);
    const { c } = await start(dir, null);
    expect((await fetch(`${c.url}/api/tracker`)).status).toBe(503);
    expect(sri(await (await fetch(local(c, before.url))).arrayBuffer())).toBe(before.integrity);
  });

  it('serves a version copied from another collector’s data directory (several collectors on one MongoDB)', async () => {
    const [a, b] = [await dataDir(), await dataDir()];
    const first = await start(a, built);
    const old = await announced(first.c);
    await stop(first.c);
    const { c } = await start(b, upgraded);
    expect((await fetch(local(c, old.url))).status).toBe(404);
    await cp(join(a, 'tracker', old.version), join(b, 'tracker', old.version), { recursive: true });
    const copied = await fetch(local(c, old.url));
    expect(copied.status).toBe(200);
    expect(sri(await copied.arrayBuffer())).toBe(old.integrity);
  });

  it('answers 404 with a plain message for an unknown version, a malformed one, another file, and a damaged copy', async () => {
    const dir = await dataDir();
    const { c, logs } = await start(dir, built);
    const t = await announced(c);
    // A folder named as a version whose files are not that version's (damaged, or put there by hand).
    await mkdir(join(dir, 'tracker', 'abcdefabcdef'));
    await writeFile(join(dir, 'tracker', 'abcdefabcdef', 't.js'), 'alert(1)');
    await writeFile(join(dir, 'tracker', 'abcdefabcdef', 't-v.js'), '');
    for (const path of ['/t/0123456789ab/t.js', '/t/abcdefabcdef/t.js', '/t/latest/t.js', '/t/..%2F..%2Fcairn.sock/t.js', `/t/${t.version}/index.js`, `/t/${t.version}/t.js.map`]) {
      const res = await fetch(`${c.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toBe('text/plain; charset=utf-8');
      expect(res.headers.get('cache-control'), path).toBe('no-store');
      expect(await res.text(), path).toMatch(/tracker/);
    }
    expect(logs.join('')).toContain('the stored tracker version abcdefabcdef does not match its files');
  });
});
