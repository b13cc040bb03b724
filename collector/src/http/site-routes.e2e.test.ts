/**
 * Sites, site keys and view tokens over HTTP against a real collector: keys shown once and listed
 * by their last 4 characters, revocation killing a key's view tokens on their next request, view
 * tokens' lifetime, scope and integrity, and a site's life: changes, deletion with a grace
 * period, restoration and purge.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../accounts/users.ts';
import { DELETE_GRACE_MS } from '../sites/site-admin.ts';
import { logIn, type DashboardClient } from '../testing/dashboard-client.ts';
import { startHarness, type Harness } from '../testing/harness.ts';

let clock = Date.UTC(2026, 10, 24, 9);
let h: Harness;
let owner: DashboardClient;
beforeAll(async () => {
  h = await startHarness({ now: () => clock });
  await addUser(h.collector.store, { email: 'owner@example.com', role: 'owner', password: 'owner password 1' }, clock);
  owner = await logIn(h, 'owner@example.com', 'owner password 1');
});
afterAll(() => h.stop());

const withBearer = (token: string, path: string, init: RequestInit = {}) =>
  fetch(`${h.collector.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });
const viewToken = async (key: string, body: unknown = {}) => {
  const res = await withBearer(key, '/api/tokens/view', { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { token: string; expiresAt: string; sections: string[]; site: string; queryKeys: string[]; error?: { code: string; field?: string } } };
};

describe('site keys', () => {
  it('are shown once, listed by their last 4 characters, and revoked with their view tokens on the next request', async () => {
    const created = await owner.call('POST', '/api/sites', { domain: 'https://www.Shop.example/', name: 'The shop', timezone: 'Europe/Paris' });
    expect(created.status).toBe(201);
    const { site, key, secret, tag } = created.body;
    expect(site).toMatchObject({ name: 'The shop', domains: ['shop.example'], timezone: 'Europe/Paris', deletedAt: null });
    expect(secret).toMatch(/^cairn_sk_[\w-]{43}$/);
    expect(key).toEqual({ id: expect.stringMatching(/^k_/), site: site.id, name: 'Site key', last4: secret.slice(-4), createdAt: clock, revokedAt: null });
    expect(tag).toContain(`data-site="${site.id}"`);

    clock += 1000;
    const second = await owner.call('POST', `/api/sites/${site.id}/keys`, { name: 'WordPress plugin' });
    expect(second.status).toBe(201);
    const listed = await owner.call('GET', `/api/sites/${site.id}/keys`);
    expect(listed.body.keys.map((k: { name: string }) => k.name)).toEqual(['Site key', 'WordPress plugin']);
    // Never the key, nor its hash.
    expect(JSON.stringify(listed.body)).not.toContain(secret.slice(9, 30));
    expect(listed.body.keys[0]).not.toHaveProperty('hash');

    const { body: token } = await viewToken(second.body.secret);
    expect((await withBearer(token.token, `/api/stats/${site.id}/summary`)).status).toBe(200);
    expect((await owner.call('DELETE', `/api/sites/${site.id}/keys/${second.body.key.id}`)).status).toBe(204);
    expect((await withBearer(token.token, `/api/stats/${site.id}/summary`)).status).toBe(401);
    expect((await withBearer(second.body.secret, `/api/stats/${site.id}/summary`)).status).toBe(401);
    expect((await viewToken(second.body.secret)).status).toBe(401);
    // The other key still works.
    expect((await withBearer(secret, `/api/stats/${site.id}/summary`)).status).toBe(200);
    expect((await owner.call('DELETE', `/api/sites/${site.id}/keys/${second.body.key.id}`)).status).toBe(409);
    expect((await owner.call('DELETE', `/api/sites/${h.siteId}/keys/${key.id}`)).status).toBe(404);
    expect((await owner.call('POST', `/api/sites/${site.id}/keys`, { name: '' })).status).toBe(400);

    const audit = await owner.call('GET', `/api/audit?target=${site.id}/${second.body.key.id}`);
    expect(audit.body.entries.map((e: { action: string }) => e.action)).toEqual(['key.revoke', 'key.create']);
  });
});

describe('view tokens', () => {
  it('live an hour at most, open one site in their sections, and cannot be altered', async () => {
    expect((await viewToken(h.siteKey, { ttl: 3601 })).body.error?.field).toBe('ttl');
    expect((await viewToken(h.siteKey, { sections: ['everything'] })).body.error?.field).toBe('sections');
    expect((await viewToken(h.siteKey, { sections: [] })).status).toBe(400);

    const { status, body } = await viewToken(h.siteKey, { sections: ['traffic'], ttl: 600 });
    expect(status).toBe(201);
    expect(body).toMatchObject({ site: h.siteId, sections: ['traffic'], expiresAt: new Date(clock + 600_000).toISOString() });
    const t = body.token;
    const read = (path: string, token = t) => withBearer(token, `/api/stats/${h.siteId}/${path}`).then((r) => r.status);
    expect(await read('summary')).toBe(200);
    expect(await read('breakdown/page')).toBe(200);
    expect(await read('breakdown/source')).toBe(403);
    expect(await read(`summary?filters=${encodeURIComponent('[{"dimension":"source","op":"is","values":["Google"]}]')}`)).toBe(403);
    expect(await read('goals')).toBe(403);
    expect(await read('export')).toBe(403);
    const other = await owner.call('POST', '/api/sites', { domain: 'other.example' });
    expect((await withBearer(t, `/api/stats/${other.body.site.id}/summary`)).status).toBe(403);
    // Management routes take a session, never a token or key.
    expect((await withBearer(t, '/api/sites')).status).toBe(401);
    expect((await withBearer(h.siteKey, '/api/sites')).status).toBe(401);
    // A token whose claims were changed (sections widened) or whose signature was swapped.
    const [payload, sig] = t.slice('cairn_vt_'.length).split('.') as [string, string];
    const widened = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sections: ['traffic', 'goals'] })).toString('base64url');
    expect(await read('goals', `cairn_vt_${widened}.${sig}`)).toBe(401);
    expect(await read('summary', `cairn_vt_${payload}.${sig.slice(0, -2)}AA`)).toBe(401);
    clock += 600_000;
    expect(await read('summary')).toBe(401);
  });

  it("tell a plugin the site's kept query parameters, under which its pages are counted (/?p=12)", async () => {
    const created = (await owner.call('POST', '/api/sites', { domain: 'plain.example', queryKeys: ['p', 'page_id'] })).body;
    const id = created.site.id as string;
    const { body } = await viewToken(created.secret);
    expect(body).toMatchObject({ site: id, queryKeys: ['p', 'page_id'] });
    for (const u of ['/?p=12&utm_source=news', '/?p=12', '/?page_id=2', '/?s=private+search', '/']) {
      expect((await h.post({ s: id, n: 'pageview', u: `https://plain.example${u}` })).status).toBe(202);
    }
    await h.collector.store.events.settle();
    const pages = await withBearer(body.token, `/api/stats/${id}/breakdown/page?period=day&date=${new Date(clock).toISOString().slice(0, 10)}`);
    const rows = ((await pages.json()) as { rows: { value: string; pageviews: number }[] }).rows;
    expect(Object.fromEntries(rows.map((r) => [r.value, r.pageviews]))).toEqual({ '/?p=12': 2, '/?page_id=2': 1, '/': 2 });
    expect((await viewToken(h.siteKey)).body.queryKeys).toEqual([]);
  });
});

describe('a site', () => {
  it('changes, stops counting when deleted, comes back when restored, and is purged after the grace period', async () => {
    const created = (await owner.call('POST', '/api/sites', { domain: 'blog.example' })).body;
    const id = created.site.id as string;
    const event = (host: string) => h.post({ s: id, n: 'pageview', u: `https://${host}/post` });
    expect((await event('news.example')).status).toBe(403);

    const changed = await owner.call('PATCH', `/api/sites/${id}`, { name: 'Blog', domains: ['blog.example', 'News.example'], timezone: 'Asia/Tokyo', retentionMonths: 6 });
    expect(changed.status).toBe(200);
    expect(changed.body.site).toMatchObject({ name: 'Blog', domains: ['blog.example', 'news.example'], timezone: 'Asia/Tokyo', retentionMonths: 6 });
    expect((await event('news.example')).status).toBe(202);
    expect((await owner.call('PATCH', `/api/sites/${id}`, { timezone: 'Mars/Olympus' })).status).toBe(400);
    expect((await owner.call('PATCH', `/api/sites/${id}`, { domains: [] })).status).toBe(400);
    expect((await owner.call('PATCH', `/api/sites/${id}`, { id: 'stolen' })).body.error.field).toBe('id');
    const got = await owner.call('GET', `/api/sites/${id}`);
    expect(got.body.setup).toEqual({ siteId: id, collectorUrl: h.collector.publicUrl, tag: expect.stringContaining(`data-site="${id}"`) });

    // A client granted this site, to see the grant go with the purge.
    const client = await addUser(h.collector.store, { email: 'client@example.com', role: 'client' }, clock);
    await h.collector.store.users.update(client.id, { grants: [{ site: id, sections: ['traffic'] }, { site: h.siteId, sections: ['traffic'] }] });

    expect((await owner.call('DELETE', `/api/sites/${id}`, {})).body.error.code).toBe('confirm');
    const deleted = await owner.call('DELETE', `/api/sites/${id}`, { confirm: id });
    expect(deleted).toEqual({ status: 202, body: { deletedAt: clock, purgeAfter: clock + DELETE_GRACE_MS } });
    expect((await event('blog.example')).status).toBe(403);
    expect((await withBearer(created.secret, `/api/stats/${id}/summary`)).status).toBe(403);
    const listed = (await owner.call('GET', '/api/sites')).body;
    expect(listed.sites.map((s: { id: string }) => s.id)).not.toContain(id);
    expect(listed.deleted.map((s: { id: string }) => s.id)).toEqual([id]);

    expect((await owner.call('POST', `/api/sites/${id}/restore`)).status).toBe(200);
    expect((await owner.call('POST', `/api/sites/${id}/restore`)).status).toBe(409);
    expect((await event('blog.example')).status).toBe(202);
    await h.collector.store.events.settle();
    expect((await h.collector.store.events.list(id)).length).toBe(2);

    await owner.call('DELETE', `/api/sites/${id}`, { confirm: id });
    clock += DELETE_GRACE_MS - 1;
    await h.collector.runMaintenance();
    expect((await h.collector.store.sites.list()).map((s) => s.id)).toContain(id);
    clock += 1;
    await h.collector.runMaintenance();
    expect((await h.collector.store.sites.list()).map((s) => s.id)).not.toContain(id);
    expect(await h.collector.store.events.list(id)).toEqual([]);
    expect(await h.collector.store.keys.list(id)).toEqual([]);
    expect((await h.collector.store.users.get(client.id))!.grants).toEqual([{ site: h.siteId, sections: ['traffic'] }]);
    // A week later the owner's session has long ended.
    expect((await owner.call('GET', '/api/sites')).status).toBe(401);
    owner = await logIn(h, 'owner@example.com', 'owner password 1');
    expect((await owner.call('POST', `/api/sites/${id}/restore`)).status).toBe(403);
    const audit = (await owner.call('GET', `/api/audit?target=${id}`)).body.entries.map((e: { action: string; actor: string }) => `${e.actor === 'cairn' ? 'cairn' : 'owner'} ${e.action}`);
    expect(audit).toEqual(['cairn site.purge', 'owner site.delete', 'owner site.restore', 'owner site.delete', 'owner site.update', 'owner site.create']);
  });
});
