/**
 * The tracker at versioned URLs whose bytes never change: `/t/<version>/t.js` and the Web Vitals
 * chunk of the same build, `/t/<version>/t-v.js` (t.js loads the chunk at its own URL with `t.js`
 * replaced by `t-v.js`, so a versioned t.js never loads another version's chunk). For hosts that
 * pin a script with its SRI hash (Webflow's registered scripts): an upgrade of the collector adds
 * a version and never changes an old one.
 *
 * A version names the pair of files (a hash of both), so a new Web Vitals chunk is a new version
 * too. At start the current build is written to `<dataDir>/tracker/<version>/` if missing (atomic,
 * read-only); every version found there is served, read on first request and checked against its
 * name, so a damaged copy is never served and copying the folder between collectors is safe.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { brotliBest, gzipBest } from './compressed.ts';
import type { TrackerBuild } from './tracker-assets.ts';

export const TRACKER_FILES = ['t.js', 't-v.js'] as const;
export type TrackerFile = (typeof TRACKER_FILES)[number];

interface VersionedFile {
  body: Buffer;
  gzip: Buffer;
  br: Buffer;
  /** `sha384-<base64>` of `body`: what a <script integrity> names. */
  integrity: string;
}

/** One version of the tracker: its name and its two files. */
export interface TrackerRelease {
  version: string;
  files: Record<TrackerFile, VersionedFile>;
}

export interface TrackerVersions {
  /** `/t/<version>/t.js` and `/t/<version>/t-v.js`; other paths go to the next handler. */
  handler: RequestHandler;
  /** The version this collector's build is, or null when the tracker is not built. */
  current: TrackerRelease | null;
  /** Why there is no current version, or null. */
  problem: string | null;
}

const VERSION = /^[0-9a-f]{12}$/;
const PATH = /^\/t\/([^/]+)\/([^/]+)$/;

/** The version of a build: the first 12 hex digits of a SHA-256 over the SHA-256 of each file. */
export function releaseVersion(build: TrackerBuild): string {
  const outer = createHash('sha256');
  for (const name of TRACKER_FILES) outer.update(createHash('sha256').update(build[name]).digest());
  return outer.digest('hex').slice(0, 12);
}

/** `sha384-<base64>` of the bytes, as Subresource Integrity writes it. */
export const integrityOf = (body: Buffer) => `sha384-${createHash('sha384').update(body).digest('base64')}`;

function release(version: string, build: TrackerBuild): TrackerRelease {
  const file = (body: Buffer): VersionedFile => ({ body, gzip: gzipBest(body), br: brotliBest(body), integrity: integrityOf(body) });
  return { version, files: { 't.js': file(build['t.js']), 't-v.js': file(build['t-v.js']) } };
}

/**
 * Keeps the current build (null when it is not built; `problem` says why) in `dir`, a folder per
 * version, and serves every version kept there. A folder that cannot be written (a read-only data
 * directory) is logged: the current version is served from memory all the same.
 */
export function openTrackerVersions(opts: { dir: string; build: TrackerBuild | null; problem: string | null; log: Logger }): TrackerVersions {
  const { dir, build, log } = opts;
  const current = build ? release(releaseVersion(build), build) : null;
  if (build && current) {
    try {
      keep(join(dir, current.version), build);
    } catch (err) {
      log.warn({ dir, err: (err as Error).message }, `tracker version ${current.version} could not be kept on disk: it is served while this build runs, and not after an upgrade`);
    }
  }
  // Versions read from disk, kept in memory once valid (a few kilobytes each; one per upgrade).
  const found = new Map<string, TrackerRelease>();
  if (current) found.set(current.version, current);
  const damaged = new Set<string>();

  async function find(version: string): Promise<TrackerRelease | null> {
    const known = found.get(version);
    if (known) return known;
    const stored = await readStored(join(dir, version));
    if (!stored) return null;
    if (releaseVersion(stored) !== version) {
      if (!damaged.has(version)) log.error({ dir: join(dir, version) }, `the stored tracker version ${version} does not match its files: it is not served`);
      damaged.add(version);
      return null;
    }
    const made = release(version, stored);
    found.set(version, made);
    return made;
  }

  const handler: RequestHandler = (req, res, next) => {
    const match = PATH.exec(req.path);
    if (!match || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
    const [, version, name] = match as unknown as [string, string, string];
    res.set({
      'Access-Control-Allow-Origin': '*',
      // Sites of every origin load this script.
      'Cross-Origin-Resource-Policy': 'cross-origin',
      'X-Content-Type-Options': 'nosniff',
    });
    const missing = (why: string) => void res.status(404).set('Cache-Control', 'no-store').type('text/plain').send(why);
    if (!VERSION.test(version) || !(TRACKER_FILES as readonly string[]).includes(name)) return missing(`no tracker file here: the versioned tracker is /t/<version>/t.js (GET /api/tracker names the current version)`);
    find(version).then((kept) => {
      if (!kept) return missing(`tracker version ${version} is not kept by this collector (it serves the versions it has run): GET /api/tracker names the current one`);
      const file = kept.files[name as TrackerFile];
      const etag = `"${version}-${name}"`;
      res.set({ 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=31536000, immutable', ETag: etag, Vary: 'Accept-Encoding' });
      if (req.headers['if-none-match'] === etag) return void res.status(304).end();
      const accepts = String(req.headers['accept-encoding'] ?? '');
      const [encoding, body] = /\bbr\b/.test(accepts) ? ['br', file.br] : /\bgzip\b/.test(accepts) ? ['gzip', file.gzip] : [null, file.body];
      if (encoding) res.set('Content-Encoding', encoding);
      res.set('Content-Length', String(body.length));
      res.status(200).end(req.method === 'HEAD' ? undefined : body);
    }, next);
  };
  return { handler, current, problem: current ? null : opts.problem };
}

/** Writes the build's files into `folder` where missing: each to a temporary name, then renamed, read-only. */
function keep(folder: string, build: TrackerBuild): void {
  mkdirSync(folder, { recursive: true });
  for (const name of TRACKER_FILES) {
    const path = join(folder, name);
    if (sameBytes(path, build[name])) continue;
    // A damaged or partial file (its version's name says what it must be) is replaced the same way.
    const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      writeFileSync(temp, build[name], { mode: 0o444, flush: true });
      chmodSync(temp, 0o444);
      renameSync(temp, path);
    } finally {
      rmSync(temp, { force: true });
    }
  }
}

function sameBytes(path: string, body: Buffer): boolean {
  try {
    return readFileSync(path).equals(body);
  } catch {
    return false;
  }
}

async function readStored(folder: string): Promise<TrackerBuild | null> {
  try {
    const [t, v] = await Promise.all(TRACKER_FILES.map((name) => readFile(join(folder, name))));
    return { 't.js': t!, 't-v.js': v! };
  } catch {
    return null; // absent, partial or unreadable: not served
  }
}
