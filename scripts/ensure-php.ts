/**
 * Makes sure PHP and PHPUnit are available for the WordPress plugin's suite (run by `npm test`
 * before it): finds `php` and `phpunit`, or installs Debian's packages when running as root with
 * apt-get, or exits 1 saying what to install. Prints the versions found.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { aptGet as run } from './apt-get.ts';

const aptGet = (args: string[]) => run('ensure-php', args);

const PACKAGES = ['php-cli', 'php-sqlite3', 'php-xml', 'php-mbstring', 'phpunit'];
const HOW_TO = `Install PHP and PHPUnit for the WordPress plugin's tests: \`apt-get install -y ${PACKAGES.join(' ')}\` as root.`;

function fail(message: string): never {
  console.error(`[ensure-php] ${message}`);
  process.exit(1);
}

/** The version line of `cmd --version`, or null when it does not run. */
function version(cmd: string): string | null {
  try {
    return execFileSync(cmd, ['--version'], { encoding: 'utf8', timeout: 30_000 }).trim().split('\n')[0] ?? '';
  } catch {
    return null;
  }
}

function install(): void {
  const args = ['install', '-y', '--no-install-recommends', ...PACKAGES];
  if (aptGet(args)) return;
  // Usually a fresh image without package lists ("Unable to locate package"): refresh once.
  if (!aptGet(['update']) || !aptGet(args)) fail(`apt-get could not install ${PACKAGES.join(' ')}. ${HOW_TO}`);
}

if (!version('php') || !version('phpunit')) {
  const isRoot = process.getuid?.() === 0;
  const hasApt = ['/usr/bin/apt-get', '/bin/apt-get'].some((p) => existsSync(p));
  if (!isRoot || !hasApt) fail(`PHP or PHPUnit is missing. ${HOW_TO}`);
  install();
}
const php = version('php');
const phpunit = version('phpunit');
if (!php || !phpunit) fail(`${PACKAGES.join(' ')} were installed but \`php\` or \`phpunit\` does not run. ${HOW_TO}`);
console.log(`[ensure-php] ${php}; ${phpunit}`);
