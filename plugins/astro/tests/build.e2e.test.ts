/**
 * What `astro build` says and makes, on the fixture installed from the packed packages: bad
 * options stop the build with the integration's message (through Astro's logger), a static site
 * asking for the proxy gets a warning and sends events straight to the collector (or to the
 * path its host rewrites, when it says so), and the
 * package's sources type-check against the installed Astro's own types.
 */
import { execFile } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../scripts/fixture-project.ts';
import { astroBuild, prepareAstro } from './astro.ts';

const run = promisify(execFile);
let dir: string;
const settings = { CAIRN_TEST_SITE: 'site_1', CAIRN_TEST_API: 'https://stats.example.com' };

beforeAll(async () => {
  dir = await prepareAstro('astro-options');
}, 300_000);

it('stops the build on bad options, saying what is wrong through Astro’s logger', async () => {
  const failed = await astroBuild(dir, { ...settings, CAIRN_TEST_BAD: '1' }).then(
    () => '',
    (err: Error) => err.message,
  );
  // The logger's line, labelled with the integration, then the error Astro prints.
  expect(failed).toMatch(/\[ERROR\] \[@cairn\/astro\] invalid options: disable: "clicks" is not one of spa, engagement/);
  expect(failed).toMatch(/^\[@cairn\/astro\] invalid options: disable: "clicks"/m);
}, 120_000);

it('warns a static site that the proxy needs an adapter, and sends events straight to the collector unless the host rewrites', async () => {
  const output = await astroBuild(dir, { ...settings, CAIRN_TEST_STATIC: '1', CAIRN_TEST_PROXY: '1' });
  expect(output).toMatch(/\[@cairn\/astro\] proxy needs on-demand rendering \(an adapter\)/);
  const html = readFileSync(join(dir, 'dist/blog/hello/index.html'), 'utf8');
  expect(html).toContain('<meta name="cairn-route" content="/blog/[slug]">');
  const scripts = readdirSync(join(dir, 'dist/_astro')).map((f) => readFileSync(join(dir, 'dist/_astro', f), 'utf8'));
  expect(scripts.some((js) => js.includes('https://stats.example.com/api/event') && js.includes('site_1'))).toBe(true);
  expect(scripts.some((js) => js.includes('/_c/event'))).toBe(false);

  // Once the host rewrites /_c/event to the collector, `rewrite: true` sends events there.
  const rewritten = await astroBuild(dir, { ...settings, CAIRN_TEST_STATIC: '1', CAIRN_TEST_PROXY: 'rewrite' });
  expect(rewritten).not.toMatch(/proxy needs/);
  const bundled = readdirSync(join(dir, 'dist/_astro')).map((f) => readFileSync(join(dir, 'dist/_astro', f), 'utf8'));
  expect(bundled.some((js) => /api:\s*["'`]\/_c\/event["'`]/.test(js))).toBe(true);
  expect(bundled.some((js) => js.includes('https://stats.example.com/api/event'))).toBe(false);
}, 120_000);

it('type-checks its sources against the installed Astro', async () => {
  // A copy of src/ inside the fixture resolves astro, zod and @cairn/* from the fixture's node_modules.
  const copy = join(dir, 'cairn-src');
  rmSync(copy, { recursive: true, force: true });
  cpSync(join(REPO_ROOT, 'plugins/astro/src'), copy, { recursive: true });
  const config = {
    extends: join(REPO_ROOT, 'tsconfig.base.json'),
    compilerOptions: { lib: ['es2024', 'dom', 'dom.iterable'], types: ['node'], typeRoots: [join(REPO_ROOT, 'node_modules/@types')] },
    include: ['cairn-src'],
  };
  writeFileSync(join(dir, 'tsconfig.cairn.json'), JSON.stringify(config));
  const tsc = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
  const result = await run(process.execPath, [tsc, '-p', 'tsconfig.cairn.json'], { cwd: dir }).then(
    () => 'ok',
    (err: Error & { stdout?: string }) => err.stdout ?? err.message,
  );
  expect(result).toBe('ok');
}, 120_000);
