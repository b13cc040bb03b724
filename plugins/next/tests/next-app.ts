/**
 * The fixture Next app (plugins/next/fixture: App Router and Pages Router pages, the proxy Route
 * Handler, a Route Handler that tracks on the server, a stats page with <Dashboard />, the app's
 * own proxy.ts and i18n), installed with the packed @cairn/next, built with `next build` against
 * a given collector and served by `next start` on a free port.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { prepareFixture, REPO_ROOT } from '../../../scripts/fixture-project.ts';
import { killOnExit } from '../../../scripts/kill-on-exit.ts';
import { freePort } from '../../../scripts/free-port.ts';

const run = promisify(execFile);

export interface NextApp {
  dir: string;
  /** http://127.0.0.1:PORT */
  url: string;
  /** Everything `next start` printed. */
  output: string[];
  stop(): Promise<void>;
}

const SOURCE = 'plugins/next/fixture';
/** The oldest major of the peer range (the fixture pins the newest). */
export const NEXT_15 = { next: '15.5.29' };

/**
 * Installs the fixture (only when something changed) and returns its directory. `pins` replaces
 * the fixture's framework versions: the sources are copied to .cache/fixtures/<name>.src first,
 * and before Next 16 the app's proxy.ts is what it was called then, middleware.ts.
 */
export async function installFixture(pins?: Record<string, string>): Promise<string> {
  let name = 'next-app';
  let source = SOURCE;
  if (pins) {
    name = `next${pins.next!.split('.')[0]}-app`;
    source = `.cache/fixtures/${name}.src`;
    const dir = join(REPO_ROOT, source);
    rmSync(dir, { recursive: true, force: true });
    cpSync(join(REPO_ROOT, SOURCE), dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    Object.assign(manifest.dependencies, pins);
    writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
    if (Number(pins.next!.split('.')[0]) < 16) {
      const proxy = readFileSync(join(dir, 'proxy.ts'), 'utf8');
      writeFileSync(join(dir, 'middleware.ts'), proxy.replace('export function proxy(', 'export function middleware('));
      rmSync(join(dir, 'proxy.ts'));
    }
  }
  return prepareFixture({
    name,
    source,
    workspaces: ['@cairn/tracker', '@cairn/widgets', '@cairn/next'],
    log: (line) => console.warn(`[${name} fixture] ${line}`),
  });
}

const nextBin = (dir: string) => join(dir, 'node_modules/next/dist/bin/next');
const nextEnv = (extra: Record<string, string>) => ({ ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production', ...extra });

/** `next build` with `env`: the fixture's next.config reads the collector URL and site id from it. */
export async function buildApp(dir: string, env: Record<string, string>): Promise<void> {
  await run(process.execPath, [nextBin(dir), 'build'], {
    cwd: dir,
    env: nextEnv(env),
    maxBuffer: 64 << 20,
  }).catch((err: Error & { stdout?: string; stderr?: string }) => {
    throw new Error(`next build failed in ${dir}:\n${err.stdout ?? ''}\n${err.stderr ?? err.message}`);
  });
}

/** `next start` with `env` (the site key is given here only: never at build time). */
export async function startApp(dir: string, env: Record<string, string>): Promise<NextApp> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [nextBin(dir), 'start', '-p', String(port), '-H', '127.0.0.1'], { cwd: dir, env: nextEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  killOnExit(child, 'next start');
  const output: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await once(child, 'exit');
  };
  try {
    // "Ready" is printed before next.config loads: ready is when a page answers.
    for (;;) {
      if (child.exitCode !== null) throw new Error(`next start exited (${child.exitCode}):\n${output.join('')}`);
      const status = await fetch(`${url}/`).then((r) => r.status, () => 0);
      if (status === 200) break;
      if (status >= 500) throw new Error(`next start answers ${status}:\n${output.join('')}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch (err) {
    await stop(); // the caller gets no handle to stop it with
    throw err;
  }
  return { dir, url, output, stop };
}

/**
 * Typechecks the package's sources against the real Next and React types: the repository's root
 * install has neither (optional peers), so the fixture's own TypeScript runs with its
 * node_modules standing in for the package's. Resolves to tsc's complaints ('' when none).
 */
export async function typecheckSources(dir: string): Promise<string> {
  const modules = join(dir, 'node_modules');
  const tsconfig = join(dir, 'tsconfig.cairn-src.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noUncheckedIndexedAccess: true,
        target: 'es2022',
        lib: ['es2024', 'dom', 'dom.iterable'],
        module: 'nodenext',
        moduleResolution: 'nodenext',
        jsx: 'react-jsx',
        allowImportingTsExtensions: true,
        verbatimModuleSyntax: true,
        declaration: true,
        isolatedDeclarations: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node', 'react'],
        typeRoots: [join(modules, '@types')],
        paths: { '*': [join(modules, '*'), join(modules, '@types/*')] },
      },
      include: [join(REPO_ROOT, 'plugins/next/src')],
    }),
  );
  return run(process.execPath, [join(modules, 'typescript/bin/tsc'), '-p', tsconfig], { cwd: dir }).then(
    () => '',
    (err: { stdout?: string; message: string }) => err.stdout || err.message,
  );
}
