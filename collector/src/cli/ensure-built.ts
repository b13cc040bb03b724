/**
 * `npm start` serves what the workspace builds (the tracker, the widgets): it builds a package
 * when its output is missing or older than its sources, and says so.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Newest modification time under `path`, tests excluded (they are not part of the build). */
function newest(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return /\.test\.ts$/.test(path) ? 0 : s.mtimeMs;
  return Math.max(0, ...readdirSync(path).filter((n) => n !== 'testing').map((n) => newest(join(path, n))));
}

/**
 * Builds workspace package `name` (its `build` script) unless `output` is newer than every file in
 * `sources`. Does nothing for an installed package that ships its build without sources.
 */
export function ensureBuilt(name: string, output: string, sources: string[]): void {
  const dir = dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));
  const inputs = sources.map((s) => join(dir, s)).filter(existsSync);
  if (!inputs.some((p) => p.endsWith('src'))) return;
  const out = join(dir, output);
  const stale = !existsSync(out) || statSync(out).mtimeMs < Math.max(...inputs.map(newest));
  if (!stale) return;
  console.error(`cairn: building ${name} (${existsSync(out) ? 'its sources changed' : 'it was never built'})…`);
  const r = spawnSync('npm', ['run', 'build'], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`building ${name} failed (npm run build in ${dir} exited with ${r.status ?? r.signal})`);
}
