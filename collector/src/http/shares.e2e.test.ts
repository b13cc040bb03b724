/**
 * Share links over HTTP: made by the owner or an admin with sections, a password and an expiry
 * (audited), listed apart from keys, exchanged for view tokens that read only those sections of
 * that site, and opening nothing once revoked or expired; the link itself is never a credential.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../accounts/users.ts';
import type { NewShareAnswer, ShareTokenAnswer } from '../protocol/index.ts';
import { addSite } from '../sites/add-site.ts';
import { logIn, type DashboardClient } from '../testing/dashboard-client.ts';
import { startHarness, type Harness } from '../testing/harness.ts';

let clock = Date.now();
let h: Harness;
let owner: DashboardClient;
beforeAll(async () => {
  h = await startHarness({ now: () => clock });
  await addUser(h.collector.store, { email: 'share-owner@example.com', role: 'owner', password: 'a long enough password' }, clock);
  owner = await logIn(h, 'share-owner@example.com', 'a long enough password');
});
afterAll(() => h.stop());

const secretOf = (url: string) => url.slice(url.indexOf('#') + 1);
const exchange = (secret: string, password?: string) =>
  fetch(`${h.collector.url}/api/share/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ secret, ...(password ? { password } : {}) }) });
const read = (token: string, path: string, site = h.siteId) => fetch(`${h.collector.url}/api/stats/${site}/${path}`, { headers: { authorization: `Bearer ${token}` } });

describe('share links', () => {
  it('open the sections they were given, with their password, and nothing else', async () => {
    const made = await owner.call('POST', `/api/sites/${h.siteId}/shares`, { name: 'Acme team', sections: ['traffic'], password: 'share password 1' });
    expect(made.status).toBe(201);
    const { share, url } = made.body as NewShareAnswer;
    expect(url).toMatch(new RegExp(`^${h.collector.publicUrl}/share#cairn_sh_[\\w-]{43}$`));
    expect(share).toMatchObject({ name: 'Acme team', sections: ['traffic'], hasPassword: true, expiresAt: null, revokedAt: null });
    expect(JSON.stringify(share)).not.toMatch(/hash|scrypt/);
    expect((await owner.call('GET', `/api/sites/${h.siteId}/shares`)).body.shares).toEqual([share]);
    expect((await owner.call('GET', `/api/sites/${h.siteId}/keys`)).body.keys.map((k: { id: string }) => k.id)).not.toContain(share.id);

    const secret = secretOf(url);
    expect([(await exchange(secret)).status, (await exchange(secret, 'wrong password')).status]).toEqual([401, 401]);
    const opened = await exchange(secret, 'share password 1');
    expect(opened.status).toBe(200);
    const answer = (await opened.json()) as ShareTokenAnswer;
    expect(answer).toMatchObject({ site: { id: h.siteId, name: 'example.com' }, sections: ['traffic'], linkExpiresAt: null });
    expect((await read(answer.token, 'summary?period=7d')).status).toBe(200);
    expect((await read(answer.token, 'goals?period=7d')).status).toBe(403);
    const other = await addSite(h.collector.sites, { domain: 'other.example' }, h.collector.publicUrl, clock);
    expect((await read(answer.token, 'summary?period=7d', other.site.id)).status).toBe(403);
    // The link is no credential of its own, whatever prefix it is sent with.
    expect((await read(secret, 'summary?period=7d')).status).toBe(401);
    expect((await read(secret.replace('cairn_sh_', 'cairn_sk_'), 'summary?period=7d')).status).toBe(401);
    expect((await fetch(`${h.collector.url}/api/tokens/view`, { method: 'POST', headers: { authorization: `Bearer ${secret}` } })).status).toBe(401);

    const audit = (await owner.call('GET', '/api/audit?action=share.create')).body.entries;
    expect(audit[0]).toMatchObject({ action: 'share.create', target: `${h.siteId}/${share.id}` });
  });

  it('open nothing once revoked: the link and the tokens it gave', async () => {
    const { share, url } = (await owner.call('POST', `/api/sites/${h.siteId}/shares`, { sections: ['traffic', 'sources'] })).body as NewShareAnswer;
    const token = ((await (await exchange(secretOf(url))).json()) as ShareTokenAnswer).token;
    expect((await read(token, 'summary?period=7d')).status).toBe(200);
    expect((await owner.call('DELETE', `/api/sites/${h.siteId}/shares/${share.id}`)).status).toBe(204);
    expect((await owner.call('DELETE', `/api/sites/${h.siteId}/shares/${share.id}`)).status).toBe(409);
    expect((await read(token, 'summary?period=7d')).status).toBe(401);
    expect((await exchange(secretOf(url))).status).toBe(404);
    expect((await owner.call('GET', '/api/audit?action=share.revoke')).body.entries[0]).toMatchObject({ target: `${h.siteId}/${share.id}` });
  });

  it('open nothing once expired, and give tokens that end with the link', async () => {
    const expiresAt = clock + 10 * 60_000;
    const { url } = (await owner.call('POST', `/api/sites/${h.siteId}/shares`, { sections: ['traffic'], expiresAt })).body as NewShareAnswer;
    const answer = (await (await exchange(secretOf(url))).json()) as ShareTokenAnswer;
    expect(answer.linkExpiresAt).toBe(expiresAt);
    expect(Date.parse(answer.expiresAt)).toBeLessThanOrEqual(expiresAt);
    expect((await read(answer.token, 'summary?period=7d')).status).toBe(200);
    clock = expiresAt + 1;
    expect((await read(answer.token, 'summary?period=7d')).status).toBe(401);
    expect((await exchange(secretOf(url))).status).toBe(404);
  });

  it('refuse a link without sections, with a short password or an expiry in the past, each naming its field', async () => {
    const make = async (body: unknown) => (await owner.call('POST', `/api/sites/${h.siteId}/shares`, body)).body.error.field;
    expect(await make({ sections: [] })).toBe('sections');
    expect(await make({ sections: ['traffic', 'settings'] })).toBe('sections');
    expect(await make({ sections: ['traffic'], password: 'short' })).toBe('password');
    expect(await make({ sections: ['traffic'], expiresAt: clock - 1 })).toBe('expiresAt');
  });
});
