/**
 * The dashboard app's files as the collector serves them, from a build made here: the page at
 * every app path and nowhere else, compressed and revalidated files, the service worker's header,
 * and a 503 that says how to build when there is no build.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppPath, loadDashboardApp } from './dashboard-app.ts';

let dir: string;
const servers: { close(): void }[] = [];

async function serve(appDir: string): Promise<string> {
  const app = express();
  app.use(loadDashboardApp(appDir).handler);
  app.use((_req, res) => void res.status(404).json({ error: { code: 'not_found' } }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-app-'));
  mkdirSync(join(dir, 'chunks'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><html lang="en"><title>Cairn</title></html>');
  writeFileSync(join(dir, 'app.js'), 'console.log("app");'.repeat(50));
  writeFileSync(join(dir, 'chunks/chart-abc123.js'), 'export const chart = 1;');
  writeFileSync(join(dir, 'sw.js'), 'self.addEventListener("fetch", () => {});');
  writeFileSync(join(dir, 'manifest.webmanifest'), '{"name":"Cairn"}');
  writeFileSync(join(dir, 'icon-192.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
});

afterAll(() => {
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the dashboard app handler', () => {
  it('knows the app paths, and never takes the API, the scripts or the health check', () => {
    for (const p of ['/', '/login', '/sites/k3x9', '/sites/k3x9/settings', '/users', '/audit', '/account', '/reset', '/setup']) expect(isAppPath(p), p).toBe(true);
    for (const p of ['/api/sites', '/api/auth/me', '/t.js', '/widgets.js', '/healthz', '/sites', '/sites/a/b', '/login/', '/app/app.js', '/sw.js']) expect(isAppPath(p), p).toBe(false);
  });

  it('serves the page at every app path, revalidated, and leaves the rest alone', async () => {
    const base = await serve(dir);
    for (const p of ['/', '/sites/abc/settings', '/reset']) {
      const res = await fetch(`${base}${p}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toContain('<title>Cairn</title>');
    }
    expect((await fetch(`${base}/api/sites`)).status).toBe(404);
    expect((await fetch(`${base}/app/index.html`)).status).toBe(404);
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(404);
  });

  it('serves scripts compressed with ETags, chunks for a year, the worker for the whole origin', async () => {
    const base = await serve(dir);
    const app = await fetch(`${base}/app/app.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(app.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(app.headers.get('content-encoding')).toBe('gzip');
    expect(app.headers.get('cache-control')).toBe('no-cache');
    expect(await app.text()).toContain('console.log("app")');
    expect((await fetch(`${base}/app/app.js`, { headers: { 'if-none-match': app.headers.get('etag')! } })).status).toBe(304);
    expect((await fetch(`${base}/app/chunks/chart-abc123.js`)).headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const sw = await fetch(`${base}/sw.js`);
    expect(sw.headers.get('service-worker-allowed')).toBe('/');
    expect(sw.headers.get('cache-control')).toBe('no-cache');
    expect((await fetch(`${base}/manifest.webmanifest`)).headers.get('content-type')).toBe('application/manifest+json; charset=utf-8');
    const icon = await fetch(`${base}/app/icon-192.png`, { headers: { 'accept-encoding': 'gzip' } });
    expect(icon.headers.get('content-type')).toBe('image/png');
    expect(icon.headers.get('content-encoding')).toBeNull();
  });

  it('answers 503 with how to build it when the app is not built', async () => {
    const base = await serve(join(dir, 'missing'));
    const page = await fetch(`${base}/login`);
    expect(page.status).toBe(503);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('npm run build -w @cairn/widgets');
    expect((await fetch(`${base}/app/app.js`)).status).toBe(503);
    expect((await fetch(`${base}/api/sites`)).status).toBe(404);
  });
});
