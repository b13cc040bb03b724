/**
 * `GET /api/tracker`, public: the current tracker version, its versioned URLs and their SRI hashes,
 * for app servers that register the tracker with a host that pins scripts (the Webflow app).
 */
import { CairnError } from '../errors.ts';
import type { Route } from './routes.ts';
import type { TrackerVersions } from './tracker-versions.ts';

/** The answer of `GET /api/tracker`. */
export interface TrackerAnswer {
  /** 12 hex digits naming the build (t.js and its Web Vitals chunk together). */
  version: string;
  /** The absolute versioned URL of t.js, whose bytes never change. */
  url: string;
  /** `sha384-<base64>` of those bytes, for `<script integrity>`. */
  integrity: string;
  /** The Web Vitals chunk of the same version: t.js loads it from here itself, when a site sets `data-vitals`. */
  vitals: { url: string; integrity: string };
}

export function trackerRoutes(deps: { versions: TrackerVersions; publicUrl: () => string }): Route[] {
  return [
    {
      method: 'get',
      path: '/api/tracker',
      summary: 'the current tracker version: its versioned URLs, whose bytes never change, and their SRI hashes',
      access: { kind: 'public' },
      handler: (_req, res) => {
        // App servers and browsers of any origin ask; it names nothing private.
        res.set({ 'access-control-allow-origin': '*', 'cross-origin-resource-policy': 'cross-origin', 'cache-control': 'no-cache' });
        const current = deps.versions.current;
        if (!current) throw new CairnError(503, 'tracker_not_built', deps.versions.problem ?? 'the tracker is not built');
        const base = `${deps.publicUrl().replace(/\/+$/, '')}/t/${current.version}`;
        const { 't.js': t, 't-v.js': v } = current.files;
        res.json({ version: current.version, url: `${base}/t.js`, integrity: t.integrity, vitals: { url: `${base}/t-v.js`, integrity: v.integrity } } satisfies TrackerAnswer);
      },
    },
  ];
}
