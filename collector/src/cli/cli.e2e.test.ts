/** The `cairn` command line as a person runs it: real child processes on a temporary data directory. */
import { openDuckDbStore } from '../store/duckdb/duckdb-store.ts';
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { CHROME_UA, readTree } from '../testing/harness.ts';
import { SERVE, sleep, siteIdIn, siteKeyIn, test } from './cli-fixture.ts';

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
    // Besides the JSON log, plain words: where the dashboard is and, with no owner yet, the setup link.
    for (let i = 0; i < 50 && !server.output().includes('Stop it with Ctrl+C'); i++) await sleep(100);
    expect(server.output()).toMatch(/Cairn is running\. Open the dashboard: http:\/\/\S+\/\n/);
    expect(server.output()).toMatch(/No owner yet: create the owner account with this link \(valid 24 hours\):\n {2}http:\/\/\S+\/setup#token=cairn_su_/);
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

