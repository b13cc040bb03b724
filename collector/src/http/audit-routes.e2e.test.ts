/** The audit log over HTTP: what gets recorded, by whom, and who may read it. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addUser } from '../accounts/users.ts';
import { adminRequest } from '../cli/admin-client.ts';
import type { AuditEntry } from '../store/store.ts';
import { startHarness, type Harness } from '../testing/harness.ts';

let h: Harness;
const IP = '198.51.100.23';
beforeAll(async () => {
  h = await startHarness();
  await addUser(h.collector.store, { email: 'jo@example.com', role: 'owner', password: 'correct horse battery' }, Date.now());
  await addUser(h.collector.store, { email: 'cy@example.com', role: 'client', password: 'client secret 123' }, Date.now());
});
afterAll(() => h.stop());

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${h.collector.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', origin: h.collector.url, 'x-forwarded-for': IP, ...headers }, body: JSON.stringify(body) });
const logIn = async (email: string, password: string) => {
  const res = await post('/api/auth/login', { email, password });
  expect(res.status).toBe(200);
  return { cookie: res.headers.get('set-cookie')!.split(';')[0]!, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
};
const audit = async (cookie: string | null, query = '') => {
  const res = await fetch(`${h.collector.url}/api/audit${query}`, { headers: cookie ? { cookie } : {} });
  return { status: res.status, body: (await res.json()) as { entries: AuditEntry[]; total: number; page: number; pages: number } };
};

it('records logins, failures, logouts, the command line\'s changes and exports, and shows them to the owner only', async () => {
  expect((await post('/api/auth/login', { email: 'jo@example.com', password: 'not the password' })).status).toBe(401);
  expect((await post('/api/auth/login', { email: 'ghost@example.com', password: 'not the password' })).status).toBe(401);
  const client = await logIn('cy@example.com', 'client secret 123');
  expect((await post('/api/auth/logout', {}, { cookie: client.cookie, 'x-csrf-token': client.csrf })).status).toBe(204);
  const added = await adminRequest(h.collector.adminSocket, 'POST', '/users', { email: 'max@example.com', role: 'admin' });
  expect(added?.status).toBe(201);
  const goal = await adminRequest(h.collector.adminSocket, 'POST', `/sites/${h.siteId}/goals`, { kind: 'event', match: 'signup' });
  expect(goal?.status).toBe(201);
  const exported = await fetch(`${h.collector.url}/api/stats/${h.siteId}/export?period=7d`, { headers: { authorization: `Bearer ${h.siteKey}`, 'x-forwarded-for': IP } });
  expect(exported.status).toBe(200);
  await exported.text();

  const owner = await logIn('jo@example.com', 'correct horse battery');
  const { status, body } = await audit(owner.cookie);
  expect(status).toBe(200);
  const jo = (await h.collector.store.users.byEmail('jo@example.com'))!;
  const cy = (await h.collector.store.users.byEmail('cy@example.com'))!;
  const max = (await h.collector.store.users.byEmail('max@example.com'))!;
  const [key] = await h.collector.store.keys.list(h.siteId);
  const seen = body.entries.map((e) => [e.actor, e.action, e.target]).reverse();
  expect(seen).toEqual([
    [null, 'login.failed', jo.id],
    [null, 'login.failed', null],
    [cy.id, 'login', cy.id],
    [cy.id, 'logout', cy.id],
    ['cli', 'user.create', max.id],
    ['cli', 'goal.create', `${h.siteId}/${(goal!.body as { id: string }).id}`],
    [`key:${key!.id}`, 'export', h.siteId],
    [jo.id, 'login', jo.id],
  ]);
  // The address is hashed (with the day's salt), never stored as it came.
  const login = body.entries.find((e) => e.action === 'login')!;
  expect(login.ipHash).toMatch(/^[0-9a-f]{32}$/);
  expect(JSON.stringify(body)).not.toContain(IP);
  expect(JSON.stringify(body)).not.toContain('ghost@');
  expect(body.entries.find((e) => e.action === 'user.create')!.ipHash).toBeNull();

  expect((await audit(owner.cookie, '?action=login')).body.entries.map((e) => e.actor)).toEqual([jo.id, cy.id]);
  expect((await audit(owner.cookie, '?page=0')).status).toBe(400);
  expect((await audit(null)).status).toBe(401);
  const again = await logIn('cy@example.com', 'client secret 123');
  expect((await audit(again.cookie)).status).toBe(403);
});

it('pages 20 entries at a time, newest first', async () => {
  for (let i = 0; i < 25; i++) await adminRequest(h.collector.adminSocket, 'PATCH', `/sites/${h.siteId}`, { retentionMonths: 12 + (i % 3) });
  const owner = await logIn('jo@example.com', 'correct horse battery');
  const first = await audit(owner.cookie, '?action=site.update');
  expect(first.body).toMatchObject({ total: 25, page: 1, pages: 2 });
  expect(first.body.entries).toHaveLength(20);
  const second = await audit(owner.cookie, '?action=site.update&page=2');
  expect(second.body.entries).toHaveLength(5);
  const all = [...first.body.entries, ...second.body.entries];
  expect(all.map((e) => e.ts)).toEqual([...all.map((e) => e.ts)].sort((a, b) => b - a));
});
