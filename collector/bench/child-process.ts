/** Servers the benchmarks run in child processes: the collector on a fresh store, waiting until one is ready, stopping it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addSite } from '../src/sites/add-site.ts';
import { SiteDirectory } from '../src/sites/site-directory.ts';
import type { Site } from '../src/store/store.ts';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.ts';

const here = new URL('.', import.meta.url).pathname;

/**
 * `cairn start` in a child process on a fresh embedded store with one site (example.com), rate
 * limits off, on 127.0.0.1; resolves once it listens, with its address (`url`, no trailing slash)
 * and the site's key.
 */
export async function startCollector(prefix: string): Promise<{ child: ChildProcess; url: string; dataDir: string; site: Site; key: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), prefix));
  const setup = await openDuckDbStore({ dataDir });
  const { site, key } = await addSite(new SiteDirectory(setup), { domain: 'example.com' }, 'http://localhost', Date.now());
  await setup.close();
  const child = spawn(
    process.execPath,
    [join(here, '../bin/cairn.ts'), 'start', '--data-dir', dataDir, '--port', '0', '--host', '127.0.0.1', '--rate-limit-ip', '0', '--rate-limit-site', '0', '--log-level', 'info'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = `http://127.0.0.1:${(await waitForLine(child, /"url":"http:\/\/127\.0\.0\.1:(\d+)"/))[1]}`;
  child.stdout!.resume(); // its later log lines are not read, and must not fill the pipe
  return { child, url, dataDir, site, key };
}

/** Resolves with the first match of `pattern` in the child's stdout; rejects if it exits first. */
export function waitForLine(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      const m = pattern.exec(buf);
      if (m) {
        child.stdout!.off('data', onData);
        resolve(m);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before it was ready:\n${buf}`)));
  });
}

/** Stops the child with SIGTERM and resolves once it exited. */
export function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
