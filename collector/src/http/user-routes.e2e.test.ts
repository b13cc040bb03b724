/**
 * Users over HTTP against a real collector and a real SMTP server: invitations by email, password
 * reset links (single use, one hour), what admins may and may not do to other users, and a
 * collector without SMTP handing the link to whoever invited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../accounts/users.ts';
import { PASSWORD_LINK_TTL_MS } from '../accounts/password-links.ts';
import { logIn, type DashboardClient } from '../testing/dashboard-client.ts';
import { startHarness, type Harness } from '../testing/harness.ts';
import { startMailbox, type Mailbox } from '../testing/mailbox.ts';

let clock = Date.UTC(2026, 10, 24, 9);
let h: Harness;
let mailbox: Mailbox;
let owner: DashboardClient;
beforeAll(async () => {
  mailbox = await startMailbox();
  h = await startHarness({ now: () => clock, config: { smtpUrl: mailbox.url, mailFrom: 'Cairn <cairn@example.com>' } });
  await addUser(h.collector.store, { email: 'owner@example.com', role: 'owner', password: 'owner password 1', name: 'Olive' }, clock);
  owner = await logIn(h, 'owner@example.com', 'owner password 1');
});
afterAll(async () => {
  await h.stop();
  await mailbox.close();
});

/** The token of the password link in a mail. */
const linkIn = (raw: string) => {
  const m = /\/reset#token=(cairn_pr_[\w-]+\.[\w-]+)/.exec(raw);
  if (!m) throw new Error(`no link in:\n${raw}`);
  return m[1]!;
};
const post = (path: string, body: unknown, origin = h.collector.url) =>
  fetch(`${h.collector.url}${path}`, { method: 'POST', headers: { origin, 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.77' }, body: JSON.stringify(body) });

describe('invitations', () => {
  it('email a one-time link that sets the password; the client then sees only what it was granted', async () => {
    const before = mailbox.messages.length;
    const invited = await owner.call('POST', '/api/users', { email: 'Client@Example.com', name: 'Cleo', role: 'client', grants: [{ site: h.siteId, sections: ['traffic', 'goals'] }] });
    expect(invited.status).toBe(201);
    expect(invited.body).toMatchObject({ user: { email: 'client@example.com', role: 'client', hasPassword: false, grants: [{ site: h.siteId, sections: ['traffic', 'goals'] }] }, invitation: { emailed: true } });
    expect(invited.body.invitation).not.toHaveProperty('url');
    const mail = await mailbox.next('client@example.com', before);
    expect(mail.raw).toMatch(/Olive/);
    expect(mail.raw).toMatch(/one hour/);
    const token = linkIn(mail.raw);

    expect((await post('/api/auth/reset', { token, password: 'short' })).status).toBe(400);
    expect((await post('/api/auth/reset', { token, password: 'client password 1' })).status).toBe(204);
    // Used once: never again.
    const again = await post('/api/auth/reset', { token, password: 'another password 2' });
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('invalid_link');

    const client = await logIn(h, 'client@example.com', 'client password 1');
    const sites = await client.call('GET', '/api/sites');
    expect(sites.body.sites.map((s: { id: string; sections: string[] }) => [s.id, s.sections])).toEqual([[h.siteId, ['traffic', 'goals']]]);
    expect(sites.body).not.toHaveProperty('deleted');
    expect((await client.call('GET', '/api/users')).status).toBe(403);

    // Withdrawing a grant takes effect on the next request.
    const id = invited.body.user.id;
    expect((await owner.call('PATCH', `/api/users/${id}`, { grants: [] })).status).toBe(200);
    expect((await client.call('GET', `/api/stats/${h.siteId}/summary`)).status).toBe(403);
    // Removing the user ends its sessions.
    expect((await owner.call('DELETE', `/api/users/${id}`)).status).toBe(204);
    expect((await client.call('GET', '/api/auth/me')).status).toBe(401);
  });

  it('are checked: grants name live sites and known sections, emails are unique, roles are admin or client', async () => {
    const bad = async (body: unknown) => (await owner.call('POST', '/api/users', body)).body.error;
    expect(await bad({ email: 'x@example.com', role: 'client', grants: [{ site: 'nope', sections: ['traffic'] }] })).toMatchObject({ field: 'grants.0.site' });
    expect(await bad({ email: 'x@example.com', role: 'client', grants: [{ site: h.siteId, sections: ['everything'] }] })).toMatchObject({ field: 'grants.0.sections' });
    expect(await bad({ email: 'x@example.com', role: 'owner' })).toMatchObject({ field: 'role' });
    expect(await bad({ email: 'not an email', role: 'admin' })).toMatchObject({ code: 'invalid_user' });
    expect((await owner.call('POST', '/api/users', { email: 'owner@example.com', role: 'admin' })).status).toBe(409);
  });
});

describe('what admins may do', () => {
  it('manage clients, not admins or the owner; only the owner changes roles; nobody removes the owner', async () => {
    await owner.call('POST', '/api/users', { email: 'ann@example.com', role: 'admin', password: 'admin password 1' });
    const ann = await logIn(h, 'ann@example.com', 'admin password 1');
    const users = (await ann.call('GET', '/api/users')).body.users as { id: string; email: string; role: string }[];
    const ownerId = users.find((u) => u.role === 'owner')!.id;
    expect(JSON.stringify(users)).not.toContain('scrypt');

    expect((await ann.call('POST', '/api/users', { email: 'bob@example.com', role: 'admin' })).status).toBe(403);
    const cy = await ann.call('POST', '/api/users', { email: 'cy@example.com', role: 'client', grants: [{ site: h.siteId, sections: ['traffic'] }] });
    expect(cy.status).toBe(201);
    expect((await ann.call('PATCH', `/api/users/${cy.body.user.id}`, { name: 'Cy' })).status).toBe(200);
    expect((await ann.call('PATCH', `/api/users/${cy.body.user.id}`, { role: 'admin' })).status).toBe(403);
    expect((await ann.call('PATCH', `/api/users/${ownerId}`, { name: 'Hijacked' })).status).toBe(403);
    expect((await ann.call('DELETE', `/api/users/${ownerId}`)).status).toBe(403);
    expect((await owner.call('DELETE', `/api/users/${ownerId}`)).status).toBe(403);
    expect((await owner.call('PATCH', `/api/users/${ownerId}`, { role: 'admin' })).status).toBe(403);
    // The owner promotes a client: its grants go (admins see every site).
    const promoted = await owner.call('PATCH', `/api/users/${cy.body.user.id}`, { role: 'admin' });
    expect(promoted.body.user).toMatchObject({ role: 'admin', grants: [] });
    expect((await ann.call('POST', `/api/users/${cy.body.user.id}/invitation`)).status).toBe(403);
    expect((await owner.call('POST', `/api/users/${cy.body.user.id}/invitation`)).body.invitation).toEqual({ emailed: true });
  });
});

describe('password reset', () => {
  it('emails a link valid one hour, once; says the same for unknown emails; ends every session', async () => {
    await addUser(h.collector.store, { email: 'dee@example.com', role: 'admin', password: 'old password 12' }, clock);
    const session = await logIn(h, 'dee@example.com', 'old password 12');
    const before = mailbox.messages.length;
    const known = await post('/api/auth/reset-request', { email: 'DEE@example.com' });
    const unknown = await post('/api/auth/reset-request', { email: 'nobody@example.com' });
    expect([known.status, unknown.status]).toEqual([202, 202]);
    expect(await known.json()).toEqual(await unknown.json());
    const mail = await mailbox.next('dee@example.com', before);
    expect(mail.raw).toMatch(/did not ask/);
    await new Promise((r) => setTimeout(r, 200));
    expect(mailbox.messages.slice(before).flatMap((m) => m.to)).toEqual(['dee@example.com']);

    const token = linkIn(mail.raw);
    expect((await post('/api/auth/reset', { token, password: 'new password 12' }, 'https://evil.example')).status).toBe(403);
    expect((await post('/api/auth/reset', { token, password: 'new password 12' })).status).toBe(204);
    expect((await session.call('GET', '/api/auth/me')).status).toBe(401);
    expect((await post('/api/auth/reset', { token, password: 'newer password 12' })).status).toBe(400);
    await expect(logIn(h, 'dee@example.com', 'old password 12')).rejects.toThrow(/401/);
    await logIn(h, 'dee@example.com', 'new password 12');

    // A link not used within the hour is dead.
    const at = mailbox.messages.length;
    await post('/api/auth/reset-request', { email: 'dee@example.com' });
    const late = linkIn((await mailbox.next('dee@example.com', at)).raw);
    clock += PASSWORD_LINK_TTL_MS + 1;
    expect((await post('/api/auth/reset', { token: late, password: 'latest password 12' })).status).toBe(400);
  });
});

describe('first start', () => {
  it('prints a setup link that makes the owner once, and is refused after', async () => {
    const fresh = await startHarness();
    try {
      const line = fresh.logs.find((l) => l.includes('No owner yet'));
      const link = /"setup":"([^"]+)"/.exec(line ?? '')?.[1] ?? '';
      expect(link).toMatch(new RegExp(`^${fresh.collector.publicUrl}/setup#token=cairn_su_`));
      const token = link.split('#token=')[1]!;
      const setup = (body: unknown) =>
        fetch(`${fresh.collector.url}/api/auth/setup`, { method: 'POST', headers: { origin: fresh.collector.url, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect((await setup({ token: `${token.slice(0, -2)}AA`, email: 'me@example.com', password: 'owner password 1' })).status).toBe(400);
      expect((await setup({ token, email: 'me@example.com', password: 'short' })).status).toBe(400);
      const made = await setup({ token, email: 'me@example.com', password: 'owner password 1', name: 'Me' });
      expect(made.status).toBe(201);
      expect(((await made.json()) as { user: unknown }).user).toMatchObject({ email: 'me@example.com', role: 'owner', name: 'Me' });
      expect((await setup({ token, email: 'other@example.com', password: 'owner password 2' })).status).toBe(409);
      await logIn(fresh, 'me@example.com', 'owner password 1');
      await fresh.restart();
      expect(fresh.logs.filter((l) => l.includes('No owner yet'))).toHaveLength(1);
    } finally {
      await fresh.stop();
    }
  });
});

describe('without SMTP', () => {
  it('refuses reset requests with a clear answer, and hands the invitation link to whoever invited', async () => {
    const plain = await startHarness();
    try {
      await addUser(plain.collector.store, { email: 'owner@example.com', role: 'owner', password: 'owner password 1' }, Date.now());
      const o = await logIn(plain, 'owner@example.com', 'owner password 1');
      const reset = await fetch(`${plain.collector.url}/api/auth/reset-request`, { method: 'POST', headers: { origin: plain.collector.url, 'content-type': 'application/json' }, body: JSON.stringify({ email: 'owner@example.com' }) });
      expect(reset.status).toBe(503);
      const invited = await o.call('POST', '/api/users', { email: 'eve@example.com', role: 'admin' });
      expect(invited.body.invitation).toMatchObject({ emailed: false, url: expect.stringMatching(new RegExp(`^${plain.collector.publicUrl}/reset#token=cairn_pr_`)), problem: expect.stringContaining('CAIRN_SMTP_URL') });
      const token = (invited.body.invitation.url as string).split('#token=')[1]!;
      const set = await fetch(`${plain.collector.url}/api/auth/reset`, { method: 'POST', headers: { origin: plain.collector.url, 'content-type': 'application/json' }, body: JSON.stringify({ token, password: 'eve password 12' }) });
      expect(set.status).toBe(204);
      await logIn(plain, 'eve@example.com', 'eve password 12');
    } finally {
      await plain.stop();
    }
  });
});
