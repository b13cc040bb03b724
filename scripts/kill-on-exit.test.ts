/**
 * The processes test helpers start end with the test process, however Vitest ends it: the
 * helpers' killOnExit on SIGTERM (how Vitest stops every fork), and launchChromium's browser even
 * on SIGKILL. Each case runs a small Node program that starts them, then ends it.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { findChromium } from './chromium-path.ts';
import { findLeftovers, killLeftovers, settledLeftovers } from './leftover-processes.ts';

const ROOT = new URL('..', import.meta.url).pathname;
let dir = '';

afterEach(() => {
  if (!dir) return;
  killLeftovers(findLeftovers(dir));
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `code` (an ES module) with TMPDIR set to a folder of its own; resolves once it printed `ready`. */
async function program(code: string) {
  dir = mkdtempSync(join(tmpdir(), 'kill-on-exit-'));
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, env: { ...process.env, TMPDIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', () => stdout.includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`exited (${code}) before it was ready: ${stderr}`)));
  });
  const end = async (signal: NodeJS.Signals) => {
    child.kill(signal);
    await once(child, 'exit');
    return { signal: child.signalCode, stderr };
  };
  return { pid: child.pid!, stdout, end };
}

it('kills what a helper started when Vitest ends the test process with SIGTERM, then ends as SIGTERM would', async () => {
  const { pid, end } = await program(`
    import { spawn } from 'node:child_process';
    import { killOnExit } from './scripts/kill-on-exit.ts';
    const server = spawn('sleep', ['300'], { stdio: 'ignore' });
    killOnExit(server, 'sleep server');
    const wrapper = spawn('sh', ['-c', 'sleep 300; :'], { stdio: 'ignore', detached: true });
    killOnExit(wrapper, 'wrapper', { group: true });
    setInterval(() => {}, 1000);
    setTimeout(() => console.log('ready'), 100);
  `);
  expect(findLeftovers(dir, pid).map((l) => l.command).sort()).toEqual(['sh -c sleep 300; :', 'sleep 300', 'sleep 300']);
  const { signal, stderr } = await end('SIGTERM');
  expect(signal).toBe('SIGTERM');
  expect(stderr).toMatch(/\[kill-on-exit\] sleep server \(pid \d+\) was still running when this test process got SIGTERM: killed/);
  expect(await settledLeftovers(dir)).toEqual([]);
});

it('forgets a child once it has exited: the process keeps the default SIGTERM behaviour', async () => {
  const { stdout, end } = await program(`
    import { spawn } from 'node:child_process';
    import { killOnExit } from './scripts/kill-on-exit.ts';
    const quick = spawn('true', { stdio: 'ignore' });
    killOnExit(quick, 'quick');
    quick.once('exit', () => console.log('ready, SIGTERM listeners:', process.listenerCount('SIGTERM')));
    setInterval(() => {}, 1000);
  `);
  expect(stdout).toBe('ready, SIGTERM listeners: 0\n');
  const { signal, stderr } = await end('SIGTERM');
  expect(signal).toBe('SIGTERM');
  expect(stderr).toBe('');
});

it.skipIf(!findChromium())('ends the Chromium of launchChromium when the test process is killed with SIGKILL', async () => {
  const { pid, end } = await program(`
    import { launchChromium } from './tracker/src/testing/browser.ts';
    const browser = await launchChromium();
    await (await browser.newPage()).goto('about:blank');
    console.log('ready');
  `);
  expect(findLeftovers(dir, pid).some((l) => l.command.includes('--type=renderer'))).toBe(true);
  expect((await end('SIGKILL')).signal).toBe('SIGKILL');
  expect(await settledLeftovers(dir, 10_000)).toEqual([]);
});
