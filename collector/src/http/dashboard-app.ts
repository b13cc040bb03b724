/**
 * Serves the dashboard app that `@cairn/widgets` builds into `dist/app/`: the page at each of the
 * app's paths (`/`, `/login`, `/sites/…`: the app routes in the browser), its scripts under
 * `/app/`, the PWA manifest and the service worker at `/sw.js` (served from the root so that it
 * may control every page). Files are read and compressed once at start. The page and the files
 * with fixed names are revalidated on each use (ETag); hashed chunks are cached for a year. A
 * missing build is a 503 that says how to build it, not a crash: the API works without the app.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import type { Request, RequestHandler, Response } from 'express';
import { encode } from './compressed.ts';

export interface DashboardApp {
  handler: RequestHandler;
  /** Why the app cannot be served, or null. */
  problem: string | null;
}

interface File {
  body: Buffer;
  gzip: Buffer | null;
  br: Buffer | null;
  etag: string;
  type: string;
  cache: string;
  headers?: Record<string, string>;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

const REVALIDATE = 'no-cache';

/**
 * The paths the app answers with its page. Keep in sync with widgets/src/app/router.ts; never
 * `/api/…`, `/t.js`, `/widgets.js` or `/healthz`.
 */
export const isAppPath = (path: string) => /^\/(login|users|audit|account|reset|setup|share)?$/.test(path) || /^\/sites\/[^/]+(\/settings|\/filtered)?$/.test(path);

function file(path: string, cache: string, headers?: Record<string, string>): File {
  const body = readFileSync(path);
  const type = TYPES[extname(path)] ?? 'application/octet-stream';
  const text = type !== 'image/png';
  const encoded = text ? encode(path, body) : null;
  return {
    body,
    gzip: encoded?.gzip ?? null,
    br: encoded?.br ?? null,
    etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`,
    type,
    cache,
    ...(headers ? { headers } : {}),
  };
}

/** Every file of the built app, by the URL it is served at. */
function loadFiles(dir: string): Map<string, File> {
  const files = new Map<string, File>();
  const at = (name: string) => join(dir, name);
  files.set('/', file(at('index.html'), REVALIDATE));
  // The worker must be fetched fresh for updates to reach browsers, and may control the whole origin.
  files.set('/sw.js', file(at('sw.js'), REVALIDATE, { 'Service-Worker-Allowed': '/' }));
  files.set('/manifest.webmanifest', file(at('manifest.webmanifest'), REVALIDATE));
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const url = `/app/${name.split('\\').join('/')}`;
    if (['index.html', 'sw.js', 'manifest.webmanifest'].includes(name) || !(extname(name) in TYPES)) continue;
    files.set(url, file(at(name), url.startsWith('/app/chunks/') ? 'public, max-age=31536000, immutable' : REVALIDATE));
  }
  return files;
}

function send(req: Request, res: Response, f: File): void {
  res.set({ 'Content-Type': f.type, 'Cache-Control': f.cache, ETag: f.etag, Vary: 'Accept-Encoding', ...f.headers });
  if (req.headers['if-none-match'] === f.etag) return void res.status(304).end();
  const accepts = String(req.headers['accept-encoding'] ?? '');
  const [encoding, body] = f.br && /\bbr\b/.test(accepts) ? ['br', f.br] : f.gzip && /\bgzip\b/.test(accepts) ? ['gzip', f.gzip] : [null, f.body];
  if (encoding) res.set('Content-Encoding', encoding);
  res.set('Content-Length', String(body.length));
  res.status(200).end(req.method === 'HEAD' ? undefined : body);
}

const notBuiltPage = (problem: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Cairn: the dashboard is not built</title></head>` +
  `<body><main><h1>The dashboard is not built</h1><p>${problem.replaceAll('&', '&amp;').replaceAll('<', '&lt;')}</p><p>The API and the tracker work meanwhile.</p></main></body></html>`;

/** Where `@cairn/widgets` puts the built app. */
const builtApp = () => join(dirname(createRequire(import.meta.url).resolve('@cairn/widgets/package.json')), 'dist/app');

/** Loads the built app (from `@cairn/widgets`, unless told); a missing build is reported, not thrown. */
export function loadDashboardApp(dir = builtApp()): DashboardApp {
  let files: Map<string, File>;
  try {
    files = loadFiles(dir);
  } catch (err) {
    const problem = `the dashboard app is not built (${(err as Error).message.split('\n')[0]}): run "npm run build -w @cairn/widgets", or npm start, which builds it`;
    return {
      problem,
      handler: (req, res, next) => {
        if (req.method !== 'GET' && req.method !== 'HEAD') return next();
        if (isAppPath(req.path)) return void res.status(503).set('Cache-Control', 'no-store').type('html').send(notBuiltPage(problem));
        if (req.path.startsWith('/app/') || req.path === '/sw.js' || req.path === '/manifest.webmanifest') return void res.status(503).set('Cache-Control', 'no-store').type('text/plain').send(problem);
        next();
      },
    };
  }
  const page = files.get('/')!;
  return {
    problem: null,
    handler: (req, res, next) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return next();
      const f = isAppPath(req.path) ? page : files.get(req.path);
      if (!f) return next();
      send(req, res, f);
    },
  };
}
