/** The `cairn` command line as a person runs it: real child processes on a temporary data directory. */
import { spawn, type ChildProcess } from 'node:child_process';
import { openDuckDbStore } from '../store/duckdb/duckdb-store.ts';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base, describe, expect } from 'vitest';
import { CHROME_UA, readTree } from '../testing/harness.ts';

const BIN = fileURLToPath(new URL('../../bin/cairn.ts', import.meta.url));
const { version: VERSION } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
// The developer's own CAIRN_* settings must not change what is tested.
const BASE_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CAIRN_')));
const SERVE = ['--port', '0', '--host', '127.0.0.1'];

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Server {
  child: ChildProcess;
  /** The local URL from the start log line. */
  url: string;
  publicUrl: string;
  output: () => string;
  /** Resolves with the exit code once the process has ended and its output is read. */
  exited: Promise<number | null>;
}

const test = base.extend<{
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

const siteIdIn = (stdout: string) => /^Site id: +(\S+)$/m.exec(stdout)?.[1] ?? '';
const siteKeyIn = (stdout: string) => /^Site key: +(\S+)$/m.exec(stdout)?.[1] ?? '';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('without a running collector', () => {
  test('site add prints the id, the tracker tag and a key that is kept only as a hash', async ({ dir, run }) => {
    const added = await run(['site', 'add', 'example.com', '--data-dir', dir]);
    expect(added).toMatchObject({ code: 0, stderr: '' });
    const id = siteIdIn(added.stdout);
    const key = siteKeyIn(added.stdout);
    expect(id).toMatch(/^[a-z0-9]{12}$/);
    expect(key).toMatch(/^cairn_sk_[\w-]{20,}$/);
    expect(added.stdout).toContain(
      `  <script defer src="http://localhost:8800/t.js" data-site="${id}" data-api="http://localhost:8800/api/event"></script>\n`,
    );

    const list = await run(['site', 'list', '--data-dir', dir]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${id} +example\\.com \\(\\+subdomains\\) +UTC `, 'm'));

    const files = await readTree(dir);
    expect(files.filter((f) => f.bytes.includes(key)).map((f) => f.path)).toEqual([]);
    // The search would find the key if it were there: the hash, as long a string, is found.
    const hash = createHash('sha256').update(key).digest('hex');
    expect(files.some((f) => f.bytes.includes(hash))).toBe(true);
  });

  test.for<{ given: string; args: string[]; env: Record<string, string>; base: string }>([
    { given: '--public-url', args: ['--public-url', 'https://stats.example.com/'], env: {}, base: 'https://stats.example.com' },
    { given: 'CAIRN_PUBLIC_URL', args: [], env: { CAIRN_PUBLIC_URL: 'https://env.example.com' }, base: 'https://env.example.com' },
    { given: '--public-url over CAIRN_PUBLIC_URL', args: ['--public-url', 'https://flag.example.com'], env: { CAIRN_PUBLIC_URL: 'https://env.example.com' }, base: 'https://flag.example.com' },
  ])('the tag points at the public URL from $given', async ({ args, env, base }, { dir, run }) => {
    const added = await run(['site', 'add', 'example.com', '--data-dir', dir, ...args], env);
    expect(added.code).toBe(0);
    const id = siteIdIn(added.stdout);
    expect(added.stdout).toContain(`<script defer src="${base}/t.js" data-site="${id}" data-api="${base}/api/event"></script>`);
  });
});

describe('with a running collector', () => {
  test('site add and site list go through the admin socket, and the new site is live at once', async ({ dir, run, start }) => {
    const first = siteIdIn((await run(['site', 'add', 'example.com', '--data-dir', dir])).stdout);
    const server = await start(['start', '--data-dir', dir, ...SERVE]);
    const socket = join(dir, 'cairn.sock');
    expect(statSync(socket).mode & 0o777).toBe(0o600);

    // The server holds the DuckDB file, so only the socket can make this succeed.
    const added = await run(['site', 'add', 'other.org', '--data-dir', dir]);
    expect(added).toMatchObject({ code: 0, stderr: '' });
    const id = siteIdIn(added.stdout);
    expect(added.stdout).toContain(`<script defer src="${server.publicUrl}/t.js" data-site="${id}"`);
    expect(server.output()).not.toContain(siteKeyIn(added.stdout));

    const list = await run(['site', 'list', '--data-dir', dir]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${first} +example\\.com`, 'm'));
    expect(list.stdout).toMatch(new RegExp(`^${id} +other\\.org`, 'm'));

    const res = await fetch(`${server.url}/api/event`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'user-agent': CHROME_UA },
      body: JSON.stringify({ s: id, n: 'pageview', u: 'https://other.org/' }),
    });
    expect(res.status).toBe(202);
  });

  test('a second start on the same data directory fails and leaves the first one running', async ({ dir, run, start }) => {
    const server = await start(['start', '--data-dir', dir, ...SERVE]);
    const second = await run(['start', '--data-dir', dir, ...SERVE]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/cairn\.duckdb is in use by another process/);
    expect(existsSync(join(dir, 'cairn.sock'))).toBe(true);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  test('SIGTERM stops it cleanly: exit 0, a "stopped" log line, no socket left', async ({ dir, start }) => {
    const server = await start(['start', '--data-dir', dir, ...SERVE]);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.output()).toMatch(/"msg":"Cairn stopped/);
    expect(existsSync(join(dir, 'cairn.sock'))).toBe(false);
  });

  test('after a crash the site commands use the files directly and start comes back', async ({ dir, run, start }) => {
    const crashed = await start(['start', '--data-dir', dir, ...SERVE]);
    crashed.child.kill('SIGKILL');
    await crashed.exited;
    expect(existsSync(join(dir, 'cairn.sock'))).toBe(true);
    expect((await run(['site', 'add', 'example.com', '--data-dir', dir])).code).toBe(0);
    const again = await start(['start', '--data-dir', dir, ...SERVE]);
    expect(again.output()).toContain('"sites":1');
  });

  test('flags may come before the command', async ({ dir, start }) => {
    const server = await start(['--data-dir', dir, ...SERVE, 'start']);
    expect(await Promise.race([server.exited, sleep(1000).then(() => 'running')])).toBe('running');
  });
});

describe('goals and demo data', () => {
  test('goal add, list and remove work on the files and through a running collector alike', async ({ dir, run, start }) => {
    const added = await run(['site', 'add', 'shop.example', '--data-dir', dir]);
    const [id, key] = [siteIdIn(added.stdout), siteKeyIn(added.stdout)];
    const goal = await run(['goal', 'add', id, '--page', '/thanks/*', '--name', 'Order', '--revenue', 'amount', '--data-dir', dir]);
    expect(goal).toMatchObject({ code: 0, stderr: '' });
    const goalId = /^Goal (\S+) added to /.exec(goal.stdout)?.[1] ?? '';
    expect(goal.stdout).toBe(`Goal ${goalId} added to ${id}: Order (revenue from prop "amount").\n`);

    const server = await start(['start', '--data-dir', dir, ...SERVE]);
    const second = await run(['goal', 'add', id, '--event', 'signup', '--data-dir', dir]);
    expect(second.code).toBe(0);
    const list = await run(['goal', 'list', id, '--data-dir', dir]);
    expect(list.stdout).toMatch(new RegExp(`^${goalId} +page +/thanks/\\* +Order +revenue: amount$`, 'm'));
    expect(list.stdout).toMatch(/^\S+ +event +signup +signup$/m);
    // The running collector answers with both goals at once: the second went through its socket.
    const api = await fetch(`${server.url}/api/stats/${id}/goals?period=30d`, { headers: { authorization: `Bearer ${key}` } });
    expect(((await api.json()) as { goals: { name: string }[] }).goals.map((g) => g.name).sort()).toEqual(['Order', 'signup']);

    expect((await run(['goal', 'remove', id, goalId, '--data-dir', dir])).stdout).toBe(`Goal ${goalId} removed from ${id}.\n`);
    const again = await run(['goal', 'remove', id, goalId, '--data-dir', dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no goal/i);
    expect((await run(['goal', 'list', 'nosuchsite', '--data-dir', dir])).code).toBe(1);
  });

  test('a site keeps its raw events as long as asked, and its time zone and retention can change', async ({ dir, run, start }) => {
    const added = await run(['site', 'add', 'kept.example', '--retention-months', '13', '--data-dir', dir]);
    const id = siteIdIn(added.stdout);
    expect((await run(['site', 'list', '--data-dir', dir])).stdout).toMatch(new RegExp(`^${id} +kept\\.example \\(\\+subdomains\\) +UTC +13 months `, 'm'));
    const offline = await run(['site', 'set', id, '--timezone', 'Europe/Paris', '--data-dir', dir]);
    expect(offline).toMatchObject({ code: 0, stderr: '' });
    expect(offline.stdout).toBe(`Site ${id}: time zone Europe/Paris. Its days are rolled up again in the new time zone.\n`);
    await start(['start', '--data-dir', dir, ...SERVE]);
    const online = await run(['site', 'set', id, '--retention-months', '6', '--data-dir', dir]);
    expect(online.stdout).toBe(`Site ${id}: raw events kept 6 months.\n`);
    expect((await run(['site', 'list', '--data-dir', dir])).stdout).toMatch(new RegExp(`^${id} +kept\\.example \\(\\+subdomains\\) +Europe/Paris +6 months `, 'm'));
    const bad = await run(['site', 'set', id, '--retention-months', '0', '--data-dir', dir]);
    expect(bad).toMatchObject({ code: 1, stderr: 'cairn: retention must be a whole number of months from 1 to 1200, not "0"\n' });
    expect((await run(['site', 'set', 'nosuchsite', '--timezone', 'UTC', '--data-dir', dir])).stderr).toContain('no site "nosuchsite"');
  });

  test('users: the owner and others are added with a password from standard input, and listed, with or without a running collector', async ({ dir, run, start }) => {
    const owner = await run(['user', 'add', 'Jo@Example.com', '--owner', '--password-stdin', '--data-dir', dir], {}, 'correct horse battery\n');
    expect(owner).toMatchObject({ code: 0, stderr: '' });
    expect(owner.stdout).toMatch(/^User u_[\w-]{12} added: jo@example\.com \(owner\)\.\n$/);
    const second = await run(['user', 'add', 'max@example.com', '--owner', '--data-dir', dir]);
    expect(second).toMatchObject({ code: 1, stderr: 'cairn: there is already an owner (jo@example.com); add this person as an admin\n' });
    // A forgotten password, without email: set on the files, then through the running collector.
    const reset = await run(['user', 'password', 'JO@example.com', '--password-stdin', '--data-dir', dir], {}, 'another horse battery\n');
    expect(reset).toMatchObject({ code: 0, stdout: 'Password set for jo@example.com; 0 sessions ended.\n' });
    expect((await run(['user', 'password', 'nobody@example.com', '--password-stdin', '--data-dir', dir], {}, 'another horse battery\n')).code).toBe(1);
    expect((await run(['user', 'password', 'jo@example.com', '--data-dir', dir])).code).toBe(2);
    const server = await start(['start', '--data-dir', dir, ...SERVE]);
    const login = (password: string) =>
      fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { origin: server.url, 'content-type': 'application/json' }, body: JSON.stringify({ email: 'jo@example.com', password }) });
    expect((await login('another horse battery')).status).toBe(200);
    const client = await run(['user', 'add', 'ann@example.com', '--name', 'Ann', '--data-dir', dir]);
    expect(client.stdout).toContain('added: ann@example.com (client). No password yet');
    const set = await run(['user', 'password', 'ann@example.com', '--password-stdin', '--data-dir', dir], {}, 'ann password 123\n');
    expect(set).toMatchObject({ code: 0, stdout: 'Password set for ann@example.com; 0 sessions ended.\n' });
    const short = await run(['user', 'add', 'bob@example.com', '--admin', '--password-stdin', '--data-dir', dir], {}, 'short\n');
    expect(short).toMatchObject({ code: 1, stderr: 'cairn: a password needs at least 10 characters\n' });
    const list = await run(['user', 'list', '--data-dir', dir]);
    expect(list.stdout).toMatch(/^ID +EMAIL +ROLE +NAME +PASSWORD\n/);
    expect(list.stdout).toMatch(/^u_\S+ +jo@example\.com +owner +jo +yes$/m);
    expect(list.stdout).toMatch(/^u_\S+ +ann@example\.com +client +Ann +yes$/m);
    expect(list.stdout).not.toContain('bob@');
    expect((await run(['user', 'add', '--data-dir', dir])).code).toBe(2);
  });

  test('gdpr export and delete find and erase what was sent about one person, with the collector running or not', async ({ dir, run, start }) => {
    const id = siteIdIn((await run(['site', 'add', 'shop.example', '--data-dir', dir])).stdout);
    const server = await start(['start', '--data-dir', dir, ...SERVE]);
    const send = (user: unknown, n: string) =>
      fetch(`${server.url}/api/event`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36' },
        body: JSON.stringify({ s: id, n, u: 'https://shop.example/checkout', p: { user_id: user } }),
      });
    for (const [user, n] of [[42, 'order'], ['42', 'refund'], [7, 'order']] as const) expect((await send(user, n)).status).toBe(202);
    const exported = await run(['gdpr', 'export', id, '--prop', 'user_id=42', '--data-dir', dir]);
    expect(exported.code).toBe(0);
    const lines = exported.stdout.trim().split('\n').map((l) => JSON.parse(l) as { name: string; props: string });
    expect(lines.map((e) => e.name).sort()).toEqual(['order', 'refund']);
    expect(exported.stderr).toBe(`2 events of ${id} with user_id = 42\n`);
    const unsure = await run(['gdpr', 'delete', id, '--prop', 'user_id=42', '--data-dir', dir]);
    expect(unsure.code).toBe(2);
    expect(unsure.stderr).toContain('add --yes');
    const deleted = await run(['gdpr', 'delete', id, '--prop', 'user_id=42', '--yes', '--data-dir', dir]);
    expect(deleted.stdout).toBe(`Deleted 2 events of ${id} with user_id = 42; the days they were on are rolled up again.\n`);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    // Without a collector, through the files.
    expect((await run(['gdpr', 'export', id, '--prop', 'user_id=42', '--data-dir', dir])).stdout).toBe('');
    const seven = await run(['gdpr', 'export', id, '--prop', 'user_id=7', '--data-dir', dir]);
    expect(seven.stdout.trim().split('\n')).toHaveLength(1);
    expect((await run(['gdpr', 'delete', id, '--prop', 'user_id=7', '--yes', '--data-dir', dir])).stdout).toContain('Deleted 1 event of');
    expect((await run(['gdpr', 'export', id, '--data-dir', dir])).code).toBe(2);
    // Audited through the collector and without it alike.
    const store = await openDuckDbStore({ dataDir: dir });
    try {
      const entries = (await store.audit.list({ page: 1, perPage: 50 })).entries.map((e) => [e.actor, e.action, e.target, e.details.events ?? null]).reverse();
      expect(entries).toEqual([
        ['cli', 'site.create', id, null],
        ['cli', 'gdpr.export', id, 2],
        ['cli', 'gdpr.delete', id, 2],
        ['cli', 'gdpr.export', id, 0],
        ['cli', 'gdpr.export', id, 1],
        ['cli', 'gdpr.delete', id, 1],
      ]);
    } finally {
      await store.close();
    }
  });

  test('seed makes synthetic sites with the events asked for, rolled up and queryable, and waits for a stopped collector', async ({ dir, run, start }) => {
    const seeded = await run(['seed', '--events', '20000', '--days', '7', '--sites', '2', '--data-dir', dir]);
    expect(seeded.code).toBe(0);
    expect(seeded.stderr).toMatch(/\[#{30}\] 100% [\d,]+ events\n/);
    expect(seeded.stderr).toContain('rolling up');
    const sites = [...seeded.stdout.matchAll(/^Site (\S+) \(\S+, synthetic\): ([\d,]+) events over 7 days\. Site key: (\S+)$/gm)];
    expect(sites).toHaveLength(2);
    const total = sites.reduce((n, m) => n + Number(m[2]!.replaceAll(',', '')), 0);
    // Traffic is random (busy and quiet days, long and short visits): about what was asked for.
    expect(total).toBeGreaterThan(16_000);
    expect(total).toBeLessThan(24_000);
    expect(seeded.stdout).toMatch(/^Rolled up \d+ days in /m);
    expect((await run(['site', 'list', '--data-dir', dir])).stdout).toContain(`${sites[0]![1]} (synthetic)`);

    const server = await start(['start', '--data-dir', dir, ...SERVE]);
    const [, id, , key] = sites[0]!;
    const summary = await fetch(`${server.url}/api/stats/${id}/summary?period=7d`, { headers: { authorization: `Bearer ${key}` } });
    expect(((await summary.json()) as { metrics: { visitors: number } }).metrics.visitors).toBeGreaterThan(100);
    const refused = await run(['seed', '--data-dir', dir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('stop the collector first');
  });
});

describe('site keys and deletion', () => {
  const SECRET_NOTICE = 'The site key is a secret for server-side use only (plugins, exports). It is shown this once; Cairn keeps only a hash of it.';
  const auditOf = async (dir: string, target: (t: string | null) => boolean) => {
    const store = await openDuckDbStore({ dataDir: dir });
    try {
      return (await store.audit.list({ page: 1, perPage: 50 })).entries.filter((e) => target(e.target)).map((e) => [e.actor, e.action, e.target]).reverse();
    } finally {
      await store.close();
    }
  };

  test('key add, list and revoke work on the files and through a running collector, and a revoked key opens nothing', async ({ dir, run, start }) => {
    const added = await run(['site', 'add', 'shop.example', '--data-dir', dir]);
    const [id, firstKey] = [siteIdIn(added.stdout), siteKeyIn(added.stdout)];
    const keyIdIn = (stdout: string) => /^Key (k_\S+) added to /.exec(stdout)?.[1] ?? '';
    const row = (keyId: string, name: string, secret: string, status: string) =>
      new RegExp(`^${keyId} +${name} +cairn_sk_…${secret.slice(-4)} +\\d{4}-\\d{2}-\\d{2} +${status}$`, 'm');
    const today = new Date().toISOString().slice(0, 10);

    // Without a collector, through the files.
    const plugin = await run(['key', 'add', id, '--name', 'WordPress plugin', '--data-dir', dir]);
    expect(plugin).toMatchObject({ code: 0, stderr: '' });
    const [pluginId, pluginKey] = [keyIdIn(plugin.stdout), siteKeyIn(plugin.stdout)];
    expect(pluginKey).toMatch(/^cairn_sk_[\w-]{43}$/);
    expect(plugin.stdout).toBe(`Key ${pluginId} added to ${id}: WordPress plugin.\n\nSite key: ${pluginKey}\n\n${SECRET_NOTICE}\n`);
    const listed = await run(['key', 'list', id, '--data-dir', dir]);
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expect(listed.stdout).toMatch(/^ID +NAME +KEY +CREATED +STATUS\n/);
    expect(listed.stdout).toMatch(row('k_\\S+', 'Site key', firstKey, 'active'));
    expect(listed.stdout).toMatch(row(pluginId, 'WordPress plugin', pluginKey, 'active'));
    for (const secret of [firstKey, pluginKey]) {
      expect(listed.stdout).not.toContain(secret);
      expect(listed.stdout).not.toContain(createHash('sha256').update(secret).digest('hex'));
    }
    expect((await run(['key', 'revoke', id, pluginId, '--data-dir', dir])).stdout).toBe(
      `Key ${pluginId} of ${id} revoked: the key and every view token made with it stop working at once.\n`,
    );

    // Through the running collector, which holds the files: only its socket can make these succeed.
    const server = await start(['start', '--data-dir', dir, ...SERVE]);
    const summary = (key: string) => fetch(`${server.url}/api/stats/${id}/summary?period=7d`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.status);
    const another = await run(['key', 'add', id, '--data-dir', dir]);
    expect(another).toMatchObject({ code: 0, stderr: '' });
    const [anotherId, anotherKey] = [keyIdIn(another.stdout), siteKeyIn(another.stdout)];
    expect(another.stdout).toBe(`Key ${anotherId} added to ${id}: Site key.\n\nSite key: ${anotherKey}\n\n${SECRET_NOTICE}\n`);
    expect(server.output()).not.toContain(anotherKey);
    expect(await summary(anotherKey)).toBe(200);
    expect(await summary(pluginKey)).toBe(401);
    const online = await run(['key', 'list', id, '--data-dir', dir]);
    expect(online.stdout).toMatch(row(pluginId, 'WordPress plugin', pluginKey, `revoked ${today}`));
    expect(online.stdout).toMatch(row(anotherId, 'Site key', anotherKey, 'active'));
    expect(online.stdout).not.toContain(anotherKey);
    expect((await run(['key', 'revoke', id, anotherId, '--data-dir', dir])).code).toBe(0);
    expect(await summary(anotherKey)).toBe(401);
    expect(await summary(firstKey)).toBe(200);
    expect(await run(['key', 'revoke', id, anotherId, '--data-dir', dir])).toMatchObject({ code: 1, stdout: '', stderr: `cairn: key ${anotherId} was already revoked\n` });
    expect(await run(['key', 'revoke', id, 'k_nosuchkey', '--data-dir', dir])).toMatchObject({ code: 1, stderr: `cairn: site ${id} has no key k_nosuchkey\n` });
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);

    expect(await run(['key', 'revoke', id, pluginId, '--data-dir', dir])).toMatchObject({ code: 1, stdout: '', stderr: `cairn: key ${pluginId} was already revoked\n` });
    expect(await auditOf(dir, (t) => t?.startsWith(`${id}/`) ?? false)).toEqual([
      ['cli', 'key.create', `${id}/${pluginId}`],
      ['cli', 'key.revoke', `${id}/${pluginId}`],
      ['cli', 'key.create', `${id}/${anotherId}`],
      ['cli', 'key.revoke', `${id}/${anotherId}`],
    ]);
  });

  test('site delete asks for --yes, hides the site until its purge, and site restore brings it back, with the collector running or not', async ({ dir, run, start }) => {
    const id = siteIdIn((await run(['site', 'add', 'gone.example', '--data-dir', dir])).stdout);
    const kept = siteIdIn((await run(['site', 'add', 'kept.example', '--data-dir', dir])).stdout);
    const list = async () => (await run(['site', 'list', '--data-dir', dir])).stdout;
    const live = (site: string, domain: string) => new RegExp(`^${site} +${domain.replace('.', '\\.')} `, 'm');
    const purgeDay = (t: number) => new Date(t + 7 * 86_400_000).toISOString().slice(0, 10);
    const deleteIt = async () => {
      const before = Date.now();
      const res = await run(['site', 'delete', id, '--yes', '--data-dir', dir]);
      expect(res).toMatchObject({ code: 0, stderr: '' });
      const day = /purged after (\d{4}-\d{2}-\d{2}) \d\d:\d\d UTC unless you restore it first: cairn site restore (\S+)\n$/.exec(res.stdout);
      expect(day?.[2]).toBe(id);
      expect([purgeDay(before), purgeDay(Date.now())]).toContain(day?.[1]);
      const after = await list();
      expect(after).not.toMatch(live(id, 'gone.example'));
      expect(after).toMatch(live(kept, 'kept.example'));
      expect(after).toContain(`\n\nDeleted (purged after ${day?.[1]} unless restored): ${id} (gone.example)\n`);
    };
    const restoreIt = async () => {
      expect(await run(['site', 'restore', id, '--data-dir', dir])).toEqual({ code: 0, stderr: '', stdout: `Site ${id} restored: it counts events again (those sent while it was deleted were refused).\n` });
      const after = await list();
      expect(after).toMatch(live(id, 'gone.example'));
      expect(after).not.toContain('Deleted');
    };

    const unsure = await run(['site', 'delete', id, '--data-dir', dir]);
    expect(unsure.code).toBe(2);
    expect(unsure.stderr).toMatch(/^cairn: site delete stops \S+ counting at once and purges all its data 7 days later \(until then, cairn site restore \S+ brings it back\): add --yes to go ahead\n/);
    expect(await list()).toMatch(live(id, 'gone.example'));
    // Without a collector, through the files.
    await deleteIt();
    await restoreIt();

    // Through the running collector: a deleted site counts nothing from the next event on.
    const server = await start(['start', '--data-dir', dir, ...SERVE]);
    const send = () =>
      fetch(`${server.url}/api/event`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'user-agent': CHROME_UA },
        body: JSON.stringify({ s: id, n: 'pageview', u: 'https://gone.example/' }),
      }).then((r) => r.status);
    expect(await send()).toBe(202);
    await deleteIt();
    expect(await send()).toBe(403);
    await restoreIt();
    expect(await send()).toBe(202);
    expect(await run(['site', 'restore', id, '--data-dir', dir])).toMatchObject({ code: 1, stderr: `cairn: site "${id}" is not deleted\n` });
    expect(await run(['site', 'delete', 'nosuchsite', '--yes', '--data-dir', dir])).toMatchObject({ code: 1, stderr: 'cairn: no site "nosuchsite"\n' });
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);

    expect(await auditOf(dir, (t) => t === id)).toEqual([
      ['cli', 'site.create', id],
      ['cli', 'site.delete', id],
      ['cli', 'site.restore', id],
      ['cli', 'site.delete', id],
      ['cli', 'site.restore', id],
    ]);
  });
});

describe('usage and errors', () => {
  test.for([
    { cmd: 'site add "not a domain!"', code: 1, stderr: /^cairn: "not a domain!" is not a domain name\n$/ },
    { cmd: 'site add', code: 2, stderr: /^cairn: site add needs a domain: cairn site add example\.com\n\ncairn [^]*Usage:/ },
    { cmd: 'frobnicate', code: 2, stderr: /^cairn: unknown command "frobnicate"\n\ncairn [^]*Usage:/ },
    { cmd: 'site list --frob', code: 2, stderr: /^cairn: Unknown option '--frob'[^]*Usage:/ },
    { cmd: 'site set somesite', code: 2, stderr: /^cairn: site set needs --timezone <zone> and\/or --retention-months <n>\n/ },
    { cmd: 'goal', code: 2, stderr: /^cairn: goal needs a command: cairn goal add\|list\|remove <site>\n/ },
    { cmd: 'key revoke somesite', code: 2, stderr: /^cairn: key revoke needs a key id \(see cairn key list <site>\): cairn key revoke <site> <id>\n/ },
    { cmd: 'goal add somesite', code: 2, stderr: /^cairn: goal add needs one of --page <pattern> or --event <name>\n/ },
    { cmd: 'seed --events 0', code: 2, stderr: /^cairn: --events must be a whole number from 1 to 100000000\n/ },
  ])('cairn $cmd exits $code with a readable message', async ({ cmd, code, stderr }, { dir, run }) => {
    const args = cmd.match(/"[^"]*"|\S+/g)!.map((a) => a.replaceAll('"', ''));
    const res = await run([...args, '--data-dir', dir]);
    expect(res.code).toBe(code);
    expect(res.stderr).toMatch(stderr);
    expect(res.stdout).toBe('');
  });

  test('--help prints the usage and --version the package version', async ({ run }) => {
    const help = await run(['--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage:\n {2}cairn start .*\n {2}cairn site add <domain>/m);
    expect(help.stdout).toContain('--port                   CAIRN_PORT (default 8800)');
    expect(await run(['--version'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });
});

describe('bad configuration', () => {
  test('start lists every problem with its variable and what is accepted, before touching the disk', async ({ dir, run }) => {
    const data = join(dir, 'data');
    const res = await run(['start', '--data-dir', data], { CAIRN_PORT: 'abc', CAIRN_RATE_LIMIT_IP: '-1' });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('CAIRN_PORT="abc": must be a whole number from 0 to 65535\n');
    expect(res.stderr).toContain('CAIRN_RATE_LIMIT_IP="-1": must be a whole number from 0 to 1000000000\n');
    expect(existsSync(data)).toBe(false);
  });

  test('a flag wins over its variable and is named as the flag', async ({ dir, run }) => {
    const res = await run(['start', '--data-dir', dir, '--port', '99999'], { CAIRN_PORT: 'abc' });
    expect(res.code).toBe(1);
    expect(res.stderr).toBe('cairn: invalid configuration:\n  --port="99999": must be a whole number from 0 to 65535\n');
  });
});
