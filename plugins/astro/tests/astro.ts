/**
 * The Astro fixture for the suites: installed from the packed workspace packages (as a user
 * would), built with the real `astro build`, served by @astrojs/node's standalone server or by
 * `astro dev`, on free ports; every process started here is stopped by `stop()`.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { prepareFixture, REPO_ROOT } from '../../../scripts/fixture-project.ts';
import { killOnExit } from '../../../scripts/kill-on-exit.ts';
import { freePort } from '../../../scripts/free-port.ts';

const run = promisify(execFile);

const WORKSPACES = ['@cairn/tracker', '@cairn/widgets', '@cairn/astro'];

const SOURCE = 'plugins/astro/tests/fixture';
/** The oldest major of the peer range, with the node adapter of its time (tests/fixture pins the newest). */
export const ASTRO_5 = { astro: '5.18.2', '@astrojs/node': '9.5.5' };

/**
 * Installs (when changed) a copy of tests/fixture under .cache/fixtures/<name>; `pins` replaces
 * the fixture's framework versions (the sources are copied to .cache/fixtures/<name>.src first).
 */
export function prepareAstro(name: string, pins?: Record<string, string>): Promise<string> {
  let source = SOURCE;
  if (pins) {
    source = `.cache/fixtures/${name}.src`;
    rmSync(join(REPO_ROOT, source), { recursive: true, force: true });
    cpSync(join(REPO_ROOT, SOURCE), join(REPO_ROOT, source), { recursive: true });
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, source, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    Object.assign(manifest.dependencies, pins);
    writeFileSync(join(REPO_ROOT, source, 'package.json'), JSON.stringify(manifest, null, 2));
  }
  return prepareFixture({ name, source, workspaces: WORKSPACES, log: (line) => console.warn(line) });
}

/** The astro CLI's file, from its package.json (`astro.js` in Astro 5, `bin/astro.mjs` in 7). */
const astroBin = (dir: string) => {
  const pkg = JSON.parse(readFileSync(join(dir, 'node_modules/astro/package.json'), 'utf8')) as { bin: { astro: string } };
  return join(dir, 'node_modules/astro', pkg.bin.astro);
};
const quiet = { ASTRO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1', NO_COLOR: '1', FORCE_COLOR: '0' };
/** This process's environment without Vitest's: under NODE_ENV=test or VITEST, `astro dev` answers 404 to every page. */
const base = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_ENV' && !k.startsWith('VITEST')));

/** `astro build` with the fixture's settings; resolves with its output, or rejects with it. */
export async function astroBuild(dir: string, env: Record<string, string>): Promise<string> {
  try {
    const { stdout, stderr } = await run(process.execPath, [astroBin(dir), 'build'], { cwd: dir, env: { ...base(), ...quiet, ...env }, maxBuffer: 32 << 20 });
    return stdout + stderr;
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(`astro build failed:\n${e.stdout ?? ''}${e.stderr ?? e.message}`, { cause: err });
  }
}

export interface Server {
  port: number;
  /** Everything the process printed. */
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts a process and resolves once `ready` appears in its output. */
async function serve(dir: string, args: string[], env: Record<string, string>, port: number, ready: RegExp): Promise<Server> {
  const child: ChildProcess = spawn(process.execPath, args, { cwd: dir, env: { ...base(), ...quiet, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  killOnExit(child, `astro (${args.slice(1).join(' ')})`);
  let out = '';
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not ready after 60 s:\n${out}`)), 60_000);
      const onData = (chunk: Buffer) => {
        out += chunk.toString();
        if (ready.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`exited with ${code}:\n${out}`));
      });
    });
    // `astro dev` prints "ready" a moment before its pages answer (Connect's "Cannot GET /" until then).
    for (let tries = 0; (await fetch(`http://127.0.0.1:${port}/`).then((r) => r.status, () => 0)) !== 200; tries++) {
      if (tries === 100) throw new Error(`/ does not answer 200:\n${out}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } catch (err) {
    await stop(); // the caller gets no handle to stop it with
    throw err;
  }
  return { port, output: () => out, stop };
}

/** The built site on @astrojs/node's standalone server. */
export async function startBuilt(dir: string): Promise<Server> {
  const port = await freePort();
  return serve(dir, [join(dir, 'dist/server/entry.mjs')], { HOST: '127.0.0.1', PORT: String(port) }, port, /Server listening/i);
}

/** `astro dev` with the fixture's settings. */
export async function startDev(dir: string, env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  return serve(dir, [astroBin(dir), 'dev', '--host', '127.0.0.1', '--port', String(port)], env, port, /ready in|Local\s+http/i);
}
