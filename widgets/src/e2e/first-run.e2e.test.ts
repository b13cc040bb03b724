/**
 * A first run as a new user lives it, in Chromium: `cairn start` (what `npm start` runs) on an
 * empty data directory prints where the dashboard is and the owner's setup link; the login page
 * says there is no owner yet; the link creates the owner, who logs in, adds a site, puts the tag
 * it shows on a page of that site, and sees the page's visit arrive in the live installation
 * check. Then a clean stop. (The install itself, `npm install` on a fresh clone, is what CI does
 * before any test.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import type { Browser } from 'playwright-core';
import { launchChromium } from '@cairn/tracker/testing';
import { CHROME_UA } from '@cairn/collector/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '../../../collector/bin/cairn.ts');
const OWNER = { email: 'first@example.com', password: 'first run password' };

let child: ChildProcess;
let dataDir: string;
let browser: Browser;
let output = '';
let site: Server | undefined;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cairn-first-run-'));
  // As a user starts it: no environment of ours beyond PATH and HOME, an empty data directory.
  child = spawn(process.execPath, [BIN, 'start', '--data-dir', dataDir, '--port', '0', '--host', '127.0.0.1'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (output += c));
  browser = await launchChromium({ automationHidden: true });
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await browser?.close();
  site?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function printed(pattern: RegExp, timeoutMs = 90_000): Promise<RegExpExecArray> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const m = pattern.exec(output);
    if (m) return m;
    if (Date.now() > until || child.exitCode !== null) throw new Error(`not printed: ${pattern}\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a first run', () => {
  it('goes from `cairn start` to a site whose first visit shows in the live check', async () => {
    const dashboard = (await printed(/Cairn is running\. Open the dashboard: (http:\/\/\S+?)\/?\n/))[1]!;
    const setup = (await printed(/No owner yet: create the owner account with this link \(valid 24 hours\):\n {2}(\S+)\n/))[1]!;
    expect(setup.startsWith(`${dashboard}/setup#token=cairn_su_`)).toBe(true);

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`${dashboard}/`);
    await page.waitForURL(`${dashboard}/login`);
    await page.getByText('This Cairn has no owner yet.').waitFor();

    await page.goto(setup);
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('New password', { exact: true }).fill(OWNER.password);
    await page.getByLabel('New password, again').fill(OWNER.password);
    await page.getByRole('button', { name: 'Create the owner account' }).click();
    await page.waitForURL(`${dashboard}/login?notice=owner-created`);
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password').fill(OWNER.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${dashboard}/`);

    await page.getByRole('button', { name: 'Add a site' }).click();
    await page.getByLabel('Domain').fill('first-run.localhost');
    await page.getByRole('button', { name: 'Add the site' }).click();
    await page.getByText('first-run.localhost is added').waitFor();
    const tag = ((await page.locator('cairn-add-site pre').first().textContent()) ?? '').trim();
    expect(tag).toMatch(/^<script defer src="http:\/\/\S+\/t\.js" data-site="\w+" data-api="\S+\/api\/event"><\/script>$/);
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('link', { name: 'first-run.localhost', exact: true }).click();
    // A site with no visits: the tag to copy, and the live check listening under it.
    await page.locator('cairn-live-check').getByText('No event yet.').waitFor();

    // A page of the site, with the tag as the owner pasted it, seen by a visitor's browser. The
    // site is served on this machine (*.localhost is loopback to Chromium, as the collector is:
    // a public origin may not load from a private address).
    site = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><html><head><title>Home</title>${tag}</head><body><h1>Welcome</h1></body></html>`));
    await new Promise<void>((resolve) => site!.listen(0, '127.0.0.1', resolve));
    // A person's browser: headless Chromium names itself in its client hints, and the check would
    // rightly show that visit as dropped ("an automated browser").
    const visitor = await browser.newContext({ userAgent: CHROME_UA, extraHTTPHeaders: { 'sec-ch-ua': '"Chromium";v="150", "Google Chrome";v="150", "Not.A/Brand";v="99"' } });
    const home = await visitor.newPage();
    await home.goto(`http://first-run.localhost:${(site.address() as AddressInfo).port}/welcome`);
    await page.locator('cairn-live-check').getByText('✓ Stored').waitFor({ timeout: 10_000 });
    expect(await page.locator('cairn-live-check li.stored').textContent()).toContain('first-run.localhost/welcome');
    await visitor.close();
    await context.close();

    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(output).toMatch(/"msg":"Cairn stopped; every acknowledged event is in the database"/);
    // Nothing went wrong along the way: no error in the log.
    expect(output.split('\n').filter((l) => l.startsWith('{') && (JSON.parse(l) as { level: number }).level >= 50)).toEqual([]);
  }, 180_000);
});
