/**
 * The fixture of the command line's end-to-end suites (cli.e2e.test.ts, cli-admin.e2e.test.ts):
 * a temporary working directory, `run` (one `cairn` command to its end) and `start` (a
 * long-running `cairn start`, killed after the test).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base } from 'vitest';

export const BIN = fileURLToPath(new URL('../../bin/cairn.ts', import.meta.url));
export const { version: VERSION } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
// The developer's own CAIRN_* settings must not change what is tested.
const BASE_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CAIRN_')));
export const SERVE = ['--port', '0', '--host', '127.0.0.1'];

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Server {
  child: ChildProcess;
  /** The local URL from the start log line. */
  url: string;
  publicUrl: string;
  output: () => string;
  /** Resolves with the exit code once the process has ended and its output is read. */
  exited: Promise<number | null>;
}

export const test = base.extend<{
  dir: string;
  run: (args: string[], env?: Record<string, string>, input?: string) => Promise<Result>;
  start: (args: string[]) => Promise<Server>;
}>({
  // eslint-disable-next-line no-empty-pattern
  dir: async ({}, use) => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-cli-'));
    await use(dir);
    await rm(dir, { recursive: true, force: true });
  },
  /** Runs one command to its end (killed after 20 s) with cwd in the test's directory. */
  run: async ({ dir }, use) => {
    await use(
      (args, env = {}, input = '') =>
        new Promise((resolve, reject) => {
          const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...BASE_ENV, ...env }, timeout: 20_000, killSignal: 'SIGKILL' });
          child.stdin.end(input);
          let stdout = '';
          let stderr = '';
          child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
          child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
          child.on('error', reject);
          child.on('close', (code) => resolve({ code, stdout, stderr }));
        }),
    );
  },
  /** Starts a long-running `cairn` and waits for its "listening" log line; killed after the test. */
  start: async ({ dir }, use) => {
    const servers: Server[] = [];
    await use(async (args) => {
      const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: BASE_ENV });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      const server: Server = { child, url: '', publicUrl: '', output: () => stdout + stderr, exited };
      servers.push(server);
      let timer: NodeJS.Timeout | undefined;
      const started = await new Promise<{ url: string; publicUrl: string }>((resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no "listening" line after 15 s:\n${server.output()}`)), 15_000);
        child.stdout.on('data', () => {
          const line = stdout.split('\n').slice(0, -1).find((l) => l.includes('"msg":"Cairn'));
          if (line) resolve(JSON.parse(line) as { url: string; publicUrl: string });
        });
        void exited.then((code) => reject(new Error(`cairn exited with ${code} before listening:\n${server.output()}`)));
      }).finally(() => clearTimeout(timer));
      return Object.assign(server, started);
    });
    for (const { child, exited } of servers) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    }
  },
});

export const siteIdIn = (stdout: string) => /^Site id: +(\S+)$/m.exec(stdout)?.[1] ?? '';
export const siteKeyIn = (stdout: string) => /^Site key: +(\S+)$/m.exec(stdout)?.[1] ?? '';
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
