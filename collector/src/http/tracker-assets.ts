/**
 * Serves the built browser scripts: the tracker (`/t.js`) and its Web Vitals chunk (`/t-v.js`)
 * from `@cairn/tracker`, and the widgets (`/widgets.js`) from `@cairn/widgets`: compressed once
 * at start, cached by browsers for an hour, or for a year when the URL carries the current
 * version (`/t.js?v=…`), and loadable from any site. The same tracker at URLs whose bytes never
 * change, for hosts that pin it with an SRI hash, is tracker-versions.ts.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { RequestHandler } from 'express';
import { brotliBest, encode, gzipBest } from './compressed.ts';

interface Asset {
  body: Buffer;
  gzip: Buffer;
  br: Buffer;
  etag: string;
  version: string;
}

export interface TrackerAssets {
  /** `/t.js` and `/t-v.js`, or null when the tracker is not built. */
  handler: RequestHandler;
  /** The current version of t.js (for `?v=`), or null when it is not built. */
  version: string | null;
  /** Why the assets are missing, or null. */
  problem: string | null;
  /** The bytes served, by file name (`t.js`), or null when they are not built. */
  files: Record<string, Buffer> | null;
}

/** The two files of a tracker build, as served: a test passes its own instead of `@cairn/tracker`'s. */
export type TrackerBuild = Record<'t.js' | 't-v.js', Buffer>;

const TRACKER = { '/t.js': '@cairn/tracker/t.js', '/t-v.js': '@cairn/tracker/t-v.js' } as const;
const WIDGETS = { '/widgets.js': '@cairn/widgets/widgets.js' } as const;

function load(specifier: string, given?: Buffer): Asset {
  if (given) return asset(given, { gzip: gzipBest(given), br: brotliBest(given) });
  const path = createRequire(import.meta.url).resolve(specifier);
  const body = readFileSync(path);
  return asset(body, encode(path, body));
}

function asset(body: Buffer, encoded: { gzip: Buffer; br: Buffer }): Asset {
  const version = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return { body, ...encoded, etag: `"${version}"`, version };
}

/**
 * Loads the built tracker files, or `build` (null: as if the tracker were not built); a missing
 * build is reported, not thrown (ingest still works).
 */
export const loadTrackerAssets = (build?: TrackerBuild | null) => loadScripts(TRACKER, 'the tracker', '@cairn/tracker', build);

/** Loads the built widgets (`/widgets.js`); a missing build is reported, not thrown. */
export const loadWidgetAssets = () => loadScripts(WIDGETS, 'the widgets', '@cairn/widgets');

function loadScripts(files: Record<string, string>, what: string, pkg: string, given?: Record<string, Buffer> | null): TrackerAssets {
  const assets = new Map<string, Asset>();
  try {
    if (given === null) throw new Error('no build was given');
    for (const [path, specifier] of Object.entries(files)) assets.set(path, load(specifier, given?.[path.slice(1)]));
  } catch (err) {
    const problem = `${what} ${what.endsWith('s') ? 'are' : 'is'} not built (${(err as Error).message.split('\n')[0]}): run "npm run build -w ${pkg}", or npm start, which builds ${what.endsWith('s') ? 'them' : 'it'}`;
    return {
      version: null,
      problem,
      files: null,
      handler: (req, res, next) => {
        if (!(req.path in files)) return next();
        res.status(503).type('text/plain').send(problem);
      },
    };
  }
  const version = assets.values().next().value!.version;
  return {
    version,
    problem: null,
    files: Object.fromEntries([...assets].map(([path, a]) => [path.slice(1), a.body])),
    handler: (req, res, next) => {
      const asset = assets.get(req.path);
      if (!asset || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
      const pinned = req.query.v === asset.version;
      res.set({
        'Content-Type': 'text/javascript; charset=utf-8',
        'Access-Control-Allow-Origin': '*',
        // Sites of every origin load this script.
        'Cross-Origin-Resource-Policy': 'cross-origin',
        'Cache-Control': pinned ? 'public, max-age=31536000, immutable' : 'public, max-age=3600, stale-while-revalidate=86400',
        ETag: asset.etag,
        Vary: 'Accept-Encoding',
        'X-Content-Type-Options': 'nosniff',
      });
      if (req.headers['if-none-match'] === asset.etag) return void res.status(304).end();
      const accepts = String(req.headers['accept-encoding'] ?? '');
      const [encoding, body] = /\bbr\b/.test(accepts) ? ['br', asset.br] : /\bgzip\b/.test(accepts) ? ['gzip', asset.gzip] : [null, asset.body];
      if (encoding) res.set('Content-Encoding', encoding);
      res.set('Content-Length', String(body.length));
      res.status(200).end(req.method === 'HEAD' ? undefined : body);
    },
  };
}
