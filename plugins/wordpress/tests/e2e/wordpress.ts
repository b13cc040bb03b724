/**
 * A real WordPress 6.5 for end-to-end tests: PHP from the distribution, WordPress and its SQLite
 * drop-in from the npm package `@wp-playground/wordpress-builds` (a devDependency of this
 * workspace), no Docker, MySQL or wp-cli.
 *
 *   const wp = await startWordPress({ pluginDir });   // the plugin is linked in and activated
 *   await fetch(wp.url);  await wp.login(page);  await wp.php('echo get_option("home");');
 *   await wp.stop();                                   // rejects on PHP errors, see below
 *
 * - Once per machine (wordpress-cache.ts, about 1 s): `src/wordpress/wp-6.5.zip` is unpacked into
 *   `.cache/wordpress/6.5/` by Node alone (unzip.ts), the package's `public/wp-6.5/` static assets
 *   are copied over it, the SQLite drop-in goes to `wp-content/plugins/` and `wp-content/db.php` is
 *   written from its `db.copy`. The directory appears whole or not at all (built beside it, then
 *   renamed); delete it to rebuild, e.g. after upgrading the npm package.
 * - Per start (about 1.3 s): the cached tree is hard-linked (`cp -al`, a copy if that fails) into
 *   `.cache/wordpress/runs/<id>/`, a `wp-config.php` is written (fresh salts, the SQLite file in
 *   the run's `wp-content/database/`, `WP_DEBUG` logged to `debug.log`, never displayed), an
 *   install script runs `wp_install()` and activates the plugins, and `php -S` serves the tree on
 *   a free port. Nothing in the cache is written to, so runs can overlap.
 * - `stop()` rejects when the debug log holds a PHP fatal or parse error, or any warning, notice
 *   or deprecation raised from the plugin under test: such lines also show up in `logErrors()`.
 *
 * Needs `php-cli php-sqlite3 php-xml php-mbstring` (Debian 12: PHP 8.2); pretty permalinks are off,
 * so REST URLs are `?rest_route=/ns/v1/...`.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { killOnExit } from '../../../../scripts/kill-on-exit.ts';
import { ensureWordPressTree, linkTree } from './wordpress-cache.ts';
import { freePort } from '../../../../scripts/free-port.ts';

const VERSION = '6.5';
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const CACHE = process.env.CAIRN_WP_CACHE ?? join(REPO_ROOT, '.cache/wordpress');

export interface WordPress {
  /** The site's address, `http://127.0.0.1:PORT` (no trailing slash). */
  url: string;
  adminUser: string;
  adminPassword: string;
  /** The run's WordPress directory (ABSPATH). */
  dir: string;
  /** Runs PHP code (no `<?php`) inside WordPress, from a CLI script that requires wp-load.php; resolves to its output. */
  php(code: string): Promise<string>;
  /** Logs a Playwright page in through wp-login.php (the admin unless told) and waits for wp-admin. */
  login(page: Page, as?: { user: string; password: string }): Promise<void>;
  /** A new user with this role (`subscriber`, `editor`…). */
  addUser(role: string): Promise<{ user: string; password: string }>;
  /** PHP errors of the debug log that fail the run (see the header). */
  logErrors(): string[];
  /** Stops the server, removes the run directory; rejects when `logErrors()` is not empty. */
  stop(): Promise<void>;
}

export interface WordPressOptions {
  /** A plugin directory to link into wp-content/plugins. */
  pluginDir: string;
  /** Its directory name there; the plugin dir's own name by default (`plugins/wordpress` wants `cairn-analytics`). */
  slug?: string;
  /** Plugin files to activate, relative to wp-content/plugins; by default the plugin dir's main file (its `Plugin Name:` header). */
  plugins?: string[];
}

/** Starts a fresh WordPress 6.5 with `pluginDir` installed and activated. */
export async function startWordPress(opts: WordPressOptions): Promise<WordPress> {
  ensurePhp();
  const cached = ensureWordPressTree(CACHE, VERSION);
  const pluginDir = realpathSync(opts.pluginDir);
  const slug = opts.slug ?? basename(pluginDir);
  const plugins = opts.plugins ?? [`${slug}/${mainPluginFile(pluginDir)}`];

  const id = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const dir = join(CACHE, 'runs', id);
  mkdirSync(dirname(dir), { recursive: true });
  removeStaleRuns(dirname(dir));
  linkTree(cached, dir);
  symlinkSync(pluginDir, join(dir, 'wp-content/plugins', slug));
  mkdirSync(join(dir, 'wp-content/database'));

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const debugLog = join(dir, 'debug.log');
  rmSync(join(dir, 'wp-config.php'), { force: true }); // never write through a hard link into the cache
  writeFileSync(join(dir, 'wp-config.php'), wpConfig(dir, url, debugLog));

  const adminUser = 'admin';
  const adminPassword = randomBytes(12).toString('base64url');
  const env = { ...process.env, CAIRN_WP_URL: url };
  const phpFile = async (code: string): Promise<string> => {
    const file = join(dir, `cli-${randomBytes(4).toString('hex')}.php`);
    writeFileSync(file, `<?php\n$_SERVER['HTTP_HOST'] = '127.0.0.1:${port}';\n${code}\n`);
    try {
      return await run('php', [file], env);
    } finally {
      rmSync(file, { force: true });
    }
  };
  await phpFile(installScript(adminUser, adminPassword, plugins));

  const server = spawn('php', ['-S', `127.0.0.1:${port}`, '-t', dir], {
    // Several workers: wp-admin pages load dozens of assets at once.
    env: { ...env, PHP_CLI_SERVER_WORKERS: '4' },
    // Own process group: with workers, php -S forks, and stop() must end them all.
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  killOnExit(server, 'php -S', { group: true });
  const serverLog: string[] = [];
  server.stderr!.setEncoding('utf8').on('data', (chunk: string) => serverLog.push(chunk));

  const logErrors = (): string[] => {
    if (!existsSync(debugLog)) return [];
    const ours = [pluginDir, join(dir, 'wp-content/plugins', slug)];
    return readFileSync(debugLog, 'utf8')
      .split('\n')
      .filter((l) => /PHP (Fatal|Parse) error/.test(l) || (/PHP (Warning|Notice|Deprecated)/.test(l) && ours.some((p) => l.includes(p))));
  };
  const stop = async (): Promise<void> => {
    await kill(server);
    const errors = logErrors();
    rmSync(dir, { recursive: true, force: true });
    if (errors.length) throw new Error(`[wordpress] PHP errors in the debug log:\n${errors.join('\n')}`);
  };

  try {
    await waitForServer(url, server, serverLog);
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }

  let users = 0;
  return {
    url,
    adminUser,
    adminPassword,
    dir,
    php: (code) => phpFile(`require ${phpString(join(dir, 'wp-load.php'))};\n${code}`),
    async login(page, as = { user: adminUser, password: adminPassword }) {
      await page.goto(`${url}/wp-login.php`);
      await page.fill('#user_login', as.user);
      await page.fill('#user_pass', as.password);
      await page.click('#wp-submit');
      try {
        // php -S serves one request at a time: on a busy machine the dashboard after a login can take a while.
        await page.waitForURL(/\/wp-admin\//, { timeout: 30_000 });
      } catch {
        const why = (await page.locator('#login_error').textContent().catch(() => null)) ?? `still on ${page.url()}`;
        throw new Error(`[wordpress] ${as.user} could not log in: ${why.trim()}`);
      }
    },
    async addUser(role) {
      const user = `${role}${++users}`;
      const password = randomBytes(12).toString('base64url');
      const out = await phpFile(
        `require ${phpString(join(dir, 'wp-load.php'))};\n` +
          `if (!get_role(${phpString(role)})) { echo 'error: no such role'; exit; }\n` +
          `$id = wp_insert_user(['user_login' => ${phpString(user)}, 'user_pass' => ${phpString(password)}, ` +
          `'user_email' => ${phpString(`${user}@example.com`)}, 'role' => ${phpString(role)}]);\n` +
          `echo is_wp_error($id) ? 'error: ' . $id->get_error_message() : 'ok';`,
      );
      if (out !== 'ok') throw new Error(`[wordpress] could not add a ${role}: ${out}`);
      return { user, password };
    },
    logErrors,
    stop,
  };
}

/** Fails with what to install when PHP or one of the extensions WordPress needs here is missing. */
function ensurePhp(): void {
  const needed = ['pdo_sqlite', 'dom', 'mbstring'];
  const r = spawnSync('php', ['-r', `echo implode(",", array_filter(${JSON.stringify(needed).replace(/"/g, "'")}, fn($e) => !extension_loaded($e)));`], { encoding: 'utf8' });
  const missing = r.error ? ['php'] : r.stdout.trim().split(',').filter(Boolean);
  if (r.status !== 0 && !r.error) missing.push(`php (${r.stderr.trim()})`);
  if (missing.length === 0) return;
  const script = existsSync(join(REPO_ROOT, 'scripts/ensure-php.ts')) ? ' (or run `node scripts/ensure-php.ts`)' : '';
  throw new Error(`[wordpress] missing ${missing.join(', ')}: \`apt-get install -y php-cli php-sqlite3 php-xml php-mbstring\` as root${script}`);
}

/** Run directories a killed test run left behind (older than a day: runs that overlap this one are younger). */
function removeStaleRuns(runs: string): void {
  for (const name of readdirSync(runs)) {
    const path = join(runs, name);
    if (Date.now() - statSync(path).mtimeMs > 86_400_000) rmSync(path, { recursive: true, force: true });
  }
}

function mainPluginFile(pluginDir: string): string {
  const main = readdirSync(pluginDir).find((f) => f.endsWith('.php') && /^[ \t/*#@]*Plugin Name:/im.test(readFileSync(join(pluginDir, f), 'utf8').slice(0, 8192)));
  if (!main) throw new Error(`[wordpress] no PHP file with a "Plugin Name:" header in ${pluginDir}: pass \`plugins\``);
  return main;
}

function wpConfig(dir: string, url: string, debugLog: string): string {
  const salts = ['AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT']
    .map((k) => `define('${k}', '${randomBytes(32).toString('hex')}');`)
    .join('\n');
  return `<?php
// Written by plugins/wordpress/tests/e2e/wordpress.ts for one test run.
define('DB_NAME', 'wordpress');
define('DB_USER', '');
define('DB_PASSWORD', '');
define('DB_HOST', '');
define('DB_CHARSET', 'utf8');
define('DB_COLLATE', '');
define('DB_DIR', ${phpString(join(dir, 'wp-content/database/'))});
define('DB_FILE', '.ht.sqlite');
${salts}
$table_prefix = 'wp_';
define('WP_HOME', ${phpString(url)});
define('WP_SITEURL', ${phpString(url)});
define('WP_DEBUG', true);
define('WP_DEBUG_DISPLAY', false);
define('WP_DEBUG_LOG', ${phpString(debugLog)});
@ini_set('display_errors', '0');
// No update checks, cron requests or auto-updates: the network is closed and runs must be quiet.
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_AUTO_UPDATE_CORE', false);
define('DISABLE_WP_CRON', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
if (!defined('ABSPATH')) define('ABSPATH', __DIR__ . '/');
require_once ABSPATH . 'wp-settings.php';
`;
}

function installScript(user: string, password: string, plugins: string[]): string {
  return `define('WP_INSTALLING', true);
require __DIR__ . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';
$r = wp_install('Cairn test site', ${phpString(user)}, 'admin@example.com', true, '', ${phpString(password)});
if (empty($r['user_id'])) { fwrite(STDERR, "wp_install failed\\n"); exit(1); }
foreach (${`[${plugins.map(phpString).join(', ')}]`} as $p) {
  $e = activate_plugin($p);
  if (is_wp_error($e)) { fwrite(STDERR, "cannot activate $p: " . $e->get_error_message() . "\\n"); exit(1); }
}`;
}

function phpString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(cmd, args, { env, encoding: 'utf8', maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`[wordpress] ${cmd} ${args.join(' ')} failed: ${stderr || stdout || err.message}`));
      else resolvePromise(stdout);
    });
  });
}

async function waitForServer(url: string, server: ChildProcess, log: string[]): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`[wordpress] php -S exited (${server.exitCode}): ${log.join('')}`);
    try {
      const res = await fetch(`${url}/wp-login.php`);
      await res.arrayBuffer(); // an unread body left open when php -S stops trips undici
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`[wordpress] php -S did not answer on ${url} within 15 s: ${log.join('')}`);
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    child.once('exit', () => resolvePromise());
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      child.kill('SIGTERM');
    }
  });
}
