/** The `cairn` command line, end to end (continued from cli.e2e.test.ts): site keys and deletion, usage and configuration errors. */
import { openDuckDbStore } from '../store/duckdb/duckdb-store.ts';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { CHROME_UA } from '../testing/harness.ts';
import { SERVE, siteIdIn, siteKeyIn, test, VERSION } from './cli-fixture.ts';

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

describe('integration keys', () => {
  test('integration add, list and revoke: a key that creates a site through a running collector, then opens nothing', async ({ dir, run, start }) => {
    const added = await run(['integration', 'add', '--name', 'Shopify app', '--data-dir', dir]);
    expect(added).toMatchObject({ code: 0, stderr: '' });
    const id = /^Integration key (ik_\S+) made: Shopify app\.$/m.exec(added.stdout)?.[1] ?? '';
    const secret = /^Integration key: (cairn_ik_[\w-]{43})$/m.exec(added.stdout)?.[1] ?? '';
    expect(id).not.toBe('');
    expect(secret).not.toBe('');
    expect(added.stdout).toContain('It is shown this once; Cairn keeps only a hash of it.');
    const listed = await run(['integration', 'list', '--data-dir', dir]);
    expect(listed.stdout).toMatch(new RegExp(`^${id} +Shopify app +cairn_ik_…${secret.slice(-4)} +\\d{4}-\\d{2}-\\d{2} +active$`, 'm'));
    expect(listed.stdout).not.toContain(secret);

    const server = await start(['start', '--data-dir', dir, ...SERVE]);
    const create = () => fetch(`${server.url}/api/sites`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: JSON.stringify({ domain: 'shop.example' }) });
    expect((await create()).status).toBe(201);
    expect((await run(['integration', 'revoke', id, '--data-dir', dir])).stdout).toBe(
      `Integration key ${id} revoked: it and every view token made with it stop working at once. The sites it created stay, managed by the owner and admins.\n`,
    );
    expect((await create()).status).toBe(401);
    expect((await run(['integration', 'list', '--data-dir', dir])).stdout).toMatch(new RegExp(`^${id} .* revoked \\d{4}-\\d{2}-\\d{2}$`, 'm'));
    const none = await run(['integration', 'revoke', 'ik_nope', '--data-dir', dir]);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain('no integration key "ik_nope"');
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
