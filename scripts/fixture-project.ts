/**
 * Framework fixture projects for the plugin suites (Astro, Next.js), installed the way a user
 * installs Cairn: the workspace packages are packed with `npm pack` and the tarballs installed
 * beside the framework versions the fixture's package.json pins.
 *
 *   const dir = await prepareFixture({
 *     name: 'next-app',                                   // → .cache/fixtures/next-app/
 *     source: 'plugins/next/tests/fixture',               // committed sources, copied over
 *     workspaces: ['@cairn/tracker', '@cairn/widgets', '@cairn/next'],
 *   });
 *
 * - The source folder is copied into `.cache/fixtures/<name>/` on every call (build output and
 *   `node_modules` there are kept), so a fixture can be edited in place in the repository.
 * - Each workspace is packed (it must be built already: `npm test` builds every workspace first)
 *   and the fixture's package.json gets `file:` tarball dependencies on them, plus `overrides` so
 *   a packed package that depends on another (`@cairn/next` → `@cairn/tracker`) gets the packed
 *   one, never the registry.
 * - `npm install` runs only when the fixture's package.json or a tarball changed since the last
 *   install (a stamp file), so the first run downloads the framework and later runs take a second;
 *   the packed packages are then extracted again (npm alone would keep the old ones).
 * - Calls for the same fixture from parallel test files wait for each other (a lock directory).
 *
 * The framework itself is not a dependency of the repository's root install: it lives only in the
 * fixture (ARCHITECTURE.md, "Repository habits").
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = join(REPO_ROOT, '.cache/fixtures');
/** What is never copied from a fixture's source: installs and framework build output. */
const NOT_SOURCE = new Set(['node_modules', 'dist', '.astro', '.next', 'package-lock.json']);

export interface FixtureOptions {
  /** Folder name under `.cache/fixtures/`. */
  name: string;
  /** The committed fixture sources, relative to the repository root. */
  source: string;
  /** Workspace package names to pack and install into the fixture. */
  workspaces: string[];
  /** Progress lines (the first install downloads a framework and takes a minute). */
  log?: (line: string) => void;
}

/** Copies, packs and installs the fixture when needed; resolves to its directory. */
export async function prepareFixture(opts: FixtureOptions): Promise<string> {
  const dir = join(FIXTURES, opts.name);
  mkdirSync(FIXTURES, { recursive: true });
  const unlock = await lock(`${dir}.lock`);
  try {
    mkdirSync(dir, { recursive: true });
    copySource(join(REPO_ROOT, opts.source), dir);
    const tarballs = await pack(opts.workspaces, `${dir}.packs`);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    const local = Object.fromEntries(opts.workspaces.map((name, i) => [name, `file:${tarballs[i]}`]));
    manifest.dependencies = { ...manifest.dependencies, ...local };
    manifest.overrides = { ...manifest.overrides, ...local };
    const text = `${JSON.stringify(manifest, null, 2)}\n`;
    writeFileSync(join(dir, 'package.json'), text);

    const stamp = createHash('sha256').update(text);
    for (const t of tarballs) stamp.update(readFileSync(t));
    const digest = stamp.digest('hex');
    const stampFile = join(dir, 'node_modules/.cairn-fixture-stamp');
    if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === digest) return dir;

    // npm keeps a package it already extracted from a `file:` tarball of the same name and
    // version, even when the tarball changed: remove the packed ones so they are extracted again.
    for (const name of opts.workspaces) rmSync(join(dir, 'node_modules', name), { recursive: true, force: true });
    opts.log?.(`installing the ${opts.name} fixture (${Object.keys(manifest.dependencies ?? {}).join(', ')}) into ${dir}`);
    const started = Date.now();
    await run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'], {
      cwd: dir,
      env: { ...process.env, npm_config_workspaces: 'false' },
      maxBuffer: 64 << 20,
    }).catch((err: Error & { stderr?: string }) => {
      throw new Error(`npm install failed in ${dir}:\n${err.stderr ?? err.message}`);
    });
    writeFileSync(stampFile, digest);
    opts.log?.(`installed the ${opts.name} fixture in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return dir;
  } finally {
    unlock();
  }
}

/** Packs workspaces into `into` and returns the tarball paths, in order. */
async function pack(workspaces: string[], into: string): Promise<string[]> {
  rmSync(into, { recursive: true, force: true });
  mkdirSync(into, { recursive: true });
  const args = ['pack', '--json', '--pack-destination', into, ...workspaces.flatMap((w) => ['-w', w])];
  const { stdout } = await run('npm', args, { cwd: REPO_ROOT, maxBuffer: 64 << 20 });
  const packed = JSON.parse(stdout) as { name: string; filename: string }[];
  return workspaces.map((name) => {
    const entry = packed.find((p) => p.name === name);
    if (!entry) throw new Error(`npm pack did not pack ${name}`);
    return join(into, entry.filename);
  });
}

function copySource(from: string, to: string): void {
  if (!statSync(from, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`fixture source ${from} is not a directory`);
  for (const entry of readdirSync(to)) if (!NOT_SOURCE.has(entry)) rmSync(join(to, entry), { recursive: true, force: true });
  for (const entry of readdirSync(from)) {
    if (!NOT_SOURCE.has(entry)) cpSync(join(from, entry), join(to, entry), { recursive: true });
  }
}

/** A cross-process lock: a directory that only one process can create; stale after 15 minutes. */
async function lock(path: string): Promise<() => void> {
  for (;;) {
    try {
      mkdirSync(path);
      return () => rmSync(path, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = Date.now() - (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 15 * 60_000) rmSync(path, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 500));
    }
  }
}
