/**
 * Makes sure a Chromium is available for the real-browser suites (run by `npm test` before
 * them): finds one (`CHROMIUM_PATH`, /usr/bin/chromium-headless-shell, /usr/bin/chromium), or
 * installs Debian's `chromium-headless-shell` when running as root with apt-get, or exits 1
 * saying what to install. Prints the path and version of the browser found.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { aptGet as run } from './apt-get.ts';

const aptGet = (args: string[]) => run('ensure-chromium', args);
import { findChromium } from './chromium-path.ts';

const PACKAGE = 'chromium-headless-shell';
const HOW_TO =
  `Install Chromium for the browser tests: \`apt-get install -y ${PACKAGE}\` (or \`chromium\`) as root, ` +
  'or set CHROMIUM_PATH to a Chromium executable.';

function fail(message: string): never {
  console.error(`[ensure-chromium] ${message}`);
  process.exit(1);
}

function install(): void {
  const args = ['install', '-y', '--no-install-recommends', PACKAGE];
  if (aptGet(args)) return;
  // Usually a fresh image without package lists ("Unable to locate package"): refresh once.
  if (!aptGet(['update']) || !aptGet(args)) fail(`apt-get could not install ${PACKAGE}. ${HOW_TO}`);
}

let path = findChromium();
if (!path) {
  if (process.env.CHROMIUM_PATH) fail(`CHROMIUM_PATH=${process.env.CHROMIUM_PATH} is not an executable file. ${HOW_TO}`);
  const isRoot = process.getuid?.() === 0;
  const hasApt = ['/usr/bin/apt-get', '/bin/apt-get'].some((p) => existsSync(p));
  if (!isRoot || !hasApt) fail(`No Chromium found. ${HOW_TO}`);
  install();
  path = findChromium();
  if (!path) fail(`${PACKAGE} was installed but no Chromium executable was found. ${HOW_TO}`);
}

let version: string;
try {
  version = execFileSync(path, ['--version'], { encoding: 'utf8', timeout: 30_000 }).trim();
} catch (err) {
  fail(`${path} does not run (\`${path} --version\` failed: ${(err as Error).message}). ${HOW_TO}`);
}
console.log(`[ensure-chromium] ${path}: ${version}`);
