/**
 * The fixture React app (tracker/fixtures/react-app: React 19 + Vite, two pages), installed with
 * the packed @cairn/tracker as a user installs it, built with `vite build` against a collector and
 * served from its `dist/` by a static server that answers every other path with the page's HTML,
 * as a host of a single-page app does.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { promisify } from 'node:util';
import { prepareFixture } from '../../../scripts/fixture-project.ts';

const run = promisify(execFile);

/** Installs the fixture when something changed (the first time, from npm) and returns its directory. */
export function installReactApp(): Promise<string> {
  return prepareFixture({
    name: 'react-app',
    source: 'tracker/fixtures/react-app',
    workspaces: ['@cairn/tracker'],
    log: (line) => console.warn(`[react-app fixture] ${line}`),
  });
}

/**
 * `vite build` into `dist/<mode>`. `development` is React's development build, where StrictMode
 * runs every mount effect twice; the site and endpoint reach the app as `import.meta.env`.
 */
export async function buildReactApp(dir: string, mode: 'production' | 'development', env: { site: string; api: string }): Promise<string> {
  const outDir = join(dir, 'dist', mode);
  await run(process.execPath, [join(dir, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: dir,
    // NODE_ENV picks React's build (Vitest sets it to 'test', which Vite would keep).
    env: { ...process.env, NODE_ENV: mode, VITE_CAIRN_SITE: env.site, VITE_CAIRN_API: env.api },
    maxBuffer: 64 << 20,
  }).catch((err: Error & { stdout?: string; stderr?: string }) => {
    throw new Error(`vite build failed in ${dir}:\n${err.stdout ?? ''}\n${err.stderr ?? err.message}`);
  });
  return outDir;
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

/** Serves `root` on 127.0.0.1: its files, `/docs/…` → docs.html, any other path → index.html. */
export async function serveReactApp(root: string): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const page = path.startsWith('/docs') ? '/docs.html' : '/index.html';
    const [served, body] = await readFile(join(root, path)).then(
      (b) => [path, b] as const,
      async () => [page, await readFile(join(root, page))] as const,
    );
    res.writeHead(200, { 'Content-Type': TYPES[extname(served)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' }).end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      // Chromium keeps connections alive; without this close() waits for them.
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
