/**
 * The unpacked WordPress tree that every run of `startWordPress` links to: built once per
 * machine and version from `@wp-playground/wordpress-builds` (see wordpress.ts).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { unzip } from './unzip.ts';

const SQLITE_SLUG = 'sqlite-database-integration';

/** The unpacked WordPress with the SQLite drop-in, built once (see the header). */
export function ensureWordPressTree(cache: string, version: string): string {
  const target = join(cache, version);
  if (existsSync(target)) return target;
  const req = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = dirname(req.resolve('@wp-playground/wordpress-builds/package.json'));
  } catch {
    throw new Error('[wordpress] @wp-playground/wordpress-builds is not installed: run `npm ci` at the repository root');
  }
  const building = `${target}.building-${process.pid}-${randomBytes(3).toString('hex')}`;
  mkdirSync(building, { recursive: true });
  try {
    unzip(join(pkg, `src/wordpress/wp-${version}.zip`), building);
    cpSync(join(pkg, `public/wp-${version}`), building, { recursive: true });
    // Playground's build ships an installed database (and may ship a config): each run makes its own.
    rmSync(join(building, 'wp-content/database'), { recursive: true, force: true });
    rmSync(join(building, 'wp-config.php'), { force: true });
    const plugins = join(building, 'wp-content/plugins');
    const scratch = join(building, '.sqlite-unzip');
    unzip(join(pkg, 'src/sqlite-database-integration/sqlite-database-integration.zip'), scratch);
    const [top] = readdirSync(scratch); // sqlite-database-integration-main/
    renameSync(join(scratch, top!), join(plugins, SQLITE_SLUG));
    rmSync(scratch, { recursive: true });
    const dbCopy = readFileSync(join(plugins, SQLITE_SLUG, 'db.copy'), 'utf8');
    if (!dbCopy.includes('{SQLITE_IMPLEMENTATION_FOLDER_PATH}')) throw new Error('[wordpress] the SQLite drop-in db.copy has no placeholder: its layout changed');
    // __DIR__, not an absolute path: each run is a linked copy of this tree at another place.
    writeFileSync(
      join(building, 'wp-content/db.php'),
      dbCopy
        .replaceAll("'{SQLITE_IMPLEMENTATION_FOLDER_PATH}'", `__DIR__ . '/plugins/${SQLITE_SLUG}'`)
        .replaceAll('{SQLITE_PLUGIN}', `${SQLITE_SLUG}/load.php`),
    );
    try {
      renameSync(building, target);
    } catch (err) {
      if (!existsSync(target)) throw err; // else another run built it first
      rmSync(building, { recursive: true, force: true });
    }
  } catch (err) {
    rmSync(building, { recursive: true, force: true });
    throw err;
  }
  return target;
}

/** Hard links are instant and share the cache's disk space; a copy where they are not possible. */
export function linkTree(from: string, to: string): void {
  const r = spawnSync('cp', ['-al', from, to], { encoding: 'utf8' });
  if (r.status === 0) return;
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, { recursive: true });
}

