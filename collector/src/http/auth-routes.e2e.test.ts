/**
 * Dashboard login over HTTP against a real collector: cookie attributes, generic failures, rate
 * limits per address and per account, session fixation, CSRF (origin and token), logout,
 * password change ending every session, idle and absolute expiry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../accounts/users.ts';
import { LOGIN_IDLE_MS, LOGIN_LIFETIME_MS } from '../accounts/logins.ts';
import { startHarness, type Harness } from '../testing/harness.ts';

let clock = Date.UTC(2026, 10, 23, 12);
let h: Harness;
let origin: string;
beforeAll(async () => {
  h = await startHarness({ now: () => clock });
  origin = h.collector.url;
  await addUser(h.collector.store, { email: 'jo@example.com', role: 'owner', password: 'correct horse battery' }, clock);
  await addUser(h.collector.store, { email: 'ann@example.com', role: 'admin', password: 'another long secret' }, clock);
});
afterAll(() => h.stop());

/** A request from the dashboard's own pages, with a cookie and a CSRF token when given. */
function call(path: string, opts: { body?: unknown; cookie?: string; csrf?: string; origin?: string | null; ip?: string; method?: string } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-forwarded-for': opts.ip ?? '198.51.100.1' };
  if (opts.origin !== null) headers.origin = opts.origin ?? origin;
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.csrf) headers['x-csrf-token'] = opts.csrf;
  return fetch(`${h.collector.url}/api/auth${path}`, { method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'), headers, ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }) });
}
const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0]!;
async function logIn(email = 'jo@example.com', password = 'correct horse battery', ip?: string) {
  const res = await call('/login', { body: { email, password }, ...(ip ? { ip } : {}) });
  expect(res.status).toBe(200);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie: cookieOf(res), csrf: csrfToken, res };
}

describe('login', () => {
  it('sets an httpOnly, SameSite=Lax session cookie and answers who is logged in', async () => {
    const { cookie, csrf, res } = await logIn(' JO@example.com ');
    expect(res.headers.get('set-cookie')).toMatch(/^cairn_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=28800$/);
    const me = await call('/me', { cookie });
    expect(me.status).toBe(200);
    const body = (await me.json()) as { user: Record<string, unknown>; csrfToken: string };
    expect(body.user).toMatchObject({ email: 'jo@example.com', role: 'owner', hasPassword: true });
    expect(body.user).not.toHaveProperty('passwordHash');
    expect(body.csrfToken).toBe(csrf);
    expect((await call('/me')).status).toBe(401);
    expect((await call('/me', { cookie: 'cairn_session=forged' })).status).toBe(401);
  });

  it('fails alike for a wrong password and an unknown account', async () => {
    const wrong = await call('/login', { body: { email: 'jo@example.com', password: 'wrong password!' }, ip: '198.51.100.7' });
    const unknown = await call('/login', { body: { email: 'nobody@example.com', password: 'wrong password!' }, ip: '198.51.100.7' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await wrong.json()).toEqual(await unknown.json());
    expect(wrong.headers.get('set-cookie')).toBeNull();
  });

  it('comes from the public URL\'s host even when a proxy rewrites Host', async () => {
    const behindProxy = await startHarness({ config: { publicUrl: 'https://stats.example.com' } });
    try {
      await addUser(behindProxy.collector.store, { email: 'jo@example.com', role: 'owner', password: 'correct horse battery' }, Date.now());
      const res = await fetch(`${behindProxy.collector.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'https://stats.example.com' },
        body: JSON.stringify({ email: 'jo@example.com', password: 'correct horse battery' }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('set-cookie')).toMatch(/; Secure$/);
    } finally {
      await behindProxy.stop();
    }
  });

  it('is refused from another site (CSRF on the login form)', async () => {
    expect((await call('/login', { body: { email: 'jo@example.com', password: 'correct horse battery' }, origin: 'https://evil.example' })).status).toBe(403);
    expect((await call('/login', { body: { email: 'jo@example.com', password: 'correct horse battery' }, origin: null })).status).toBe(403);
  });

  it('is rate limited per account, whatever the address, and per address, whatever the account', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await call('/login', { body: { email: 'ann@example.com', password: 'guess number ' + i }, ip: `203.0.113.${i}` })).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    const limited = await call('/login', { body: { email: 'ann@example.com', password: 'another long secret' }, ip: '203.0.113.99' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // A minute later the account may try again.
    clock += 60_000;
    expect((await call('/login', { body: { email: 'ann@example.com', password: 'another long secret' }, ip: '203.0.113.99' })).status).toBe(200);
    const fromOneAddress: number[] = [];
    for (let i = 0; i < 22; i++) fromOneAddress.push((await call('/login', { body: { email: `user${i}@example.com`, password: 'whatever it is' }, ip: '192.0.2.50' })).status);
    expect(fromOneAddress.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(fromOneAddress.at(-1)).toBe(429);
    clock += 60_000;
  });

  it('never adopts a session the browser brought (fixation), and rotates on each login', async () => {
    const first = await logIn();
    const second = (await call('/login', { body: { email: 'jo@example.com', password: 'correct horse battery' }, cookie: first.cookie })).headers.get('set-cookie')!.split(';')[0]!;
    expect(second).not.toBe(first.cookie);
    expect((await call('/me', { cookie: first.cookie })).status).toBe(401);
    expect((await call('/me', { cookie: second })).status).toBe(200);
  });
});

describe('state-changing requests of a session', () => {
  it('need the same origin and the session CSRF token', async () => {
    const { cookie, csrf } = await logIn();
    expect((await call('/logout', { body: {}, cookie })).status).toBe(403);
    expect((await call('/logout', { body: {}, cookie, csrf: 'x'.repeat(csrf.length) })).status).toBe(403);
    expect((await call('/logout', { body: {}, cookie, csrf, origin: 'https://evil.example' })).status).toBe(403);
    expect((await call('/me', { cookie })).status).toBe(200);
    const out = await call('/logout', { body: {}, cookie, csrf });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^cairn_session=; .*Max-Age=0/);
    expect((await call('/me', { cookie })).status).toBe(401);
  });

  it('changing the password ends every session of the user and opens a new one', async () => {
    const a = await logIn('ann@example.com', 'another long secret');
    const b = await logIn('ann@example.com', 'another long secret');
    expect((await call('/password', { body: { current: 'not it at all', next: 'a brand new secret' }, cookie: a.cookie, csrf: a.csrf })).status).toBe(403);
    expect((await call('/password', { body: { current: 'another long secret', next: 'short' }, cookie: a.cookie, csrf: a.csrf })).status).toBe(400);
    const changed = await call('/password', { body: { current: 'another long secret', next: 'a brand new secret' }, cookie: a.cookie, csrf: a.csrf });
    expect(changed.status).toBe(200);
    const fresh = cookieOf(changed);
    expect((await call('/me', { cookie: a.cookie })).status).toBe(401);
    expect((await call('/me', { cookie: b.cookie })).status).toBe(401);
    expect((await call('/me', { cookie: fresh })).status).toBe(200);
    // Password changes count against the account's attempts as logins do: a minute to refill.
    clock += 60_000;
    expect((await call('/login', { body: { email: 'ann@example.com', password: 'another long secret' } })).status).toBe(401);
    await logIn('ann@example.com', 'a brand new secret');
  });

  it('counts password changes as logins: per account, whatever the address, and per address, whatever the account', async () => {
    clock += 60_000;
    const names = ['kim', 'lee', 'max', 'noa', 'oli', 'pat', 'sam'];
    const right = (i: number) => `${names[i]}'s old password`;
    const users = await Promise.all(names.map((n, i) => addUser(h.collector.store, { email: `${n}@example.com`, role: 'client', password: right(i) }, clock)));
    const sessions: Awaited<ReturnType<typeof logIn>>[] = [];
    for (const [i, u] of users.entries()) sessions.push(await logIn(u.email, right(i), `203.0.113.${150 + i}`));
    clock += 60_000; // the logins' attempts are given back
    const change = (i: number, current: string, ip: string) => call('/password', { body: { current, next: 'a brand new secret' }, cookie: sessions[i]!.cookie, csrf: sessions[i]!.csrf, ip });

    const guesses: number[] = [];
    for (let i = 0; i < 5; i++) guesses.push((await change(0, 'guess number ' + i, `203.0.113.${160 + i}`)).status);
    expect(guesses).toEqual([403, 403, 403, 403, 403]);
    const limited = await change(0, right(0), '203.0.113.170');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another account, from the address of the last guess, is not affected.
    expect((await change(1, right(1), '203.0.113.164')).status).toBe(200);
    // A minute later the account may try again, and its password had not changed.
    clock += 60_000;
    expect((await change(0, right(0), '203.0.113.170')).status).toBe(200);

    const fromOneAddress: number[] = [];
    for (let i = 2; i < 7; i++) for (let j = 0; j < 4; j++) fromOneAddress.push((await change(i, 'guess number ' + j, '192.0.2.60')).status);
    expect(fromOneAddress).toEqual(new Array(20).fill(403));
    expect((await change(6, right(6), '192.0.2.60')).status).toBe(429);
    // Another address is not affected.
    expect((await change(2, right(2), '192.0.2.61')).status).toBe(200);

    const owner = await logIn('jo@example.com', 'correct horse battery', '198.51.100.60');
    const audit = await fetch(`${h.collector.url}/api/audit?action=password.change-limited`, { headers: { cookie: owner.cookie } });
    const { entries } = (await audit.json()) as { entries: { actor: string | null; target: string | null }[] };
    expect(entries.map((e) => [e.actor, e.target])).toEqual([
      [users[6]!.id, users[6]!.id],
      [users[0]!.id, users[0]!.id],
    ]);
    clock += 60_000;
  });

  it('sessions end after an hour without requests, and after 8 hours in any case', async () => {
    const idle = await logIn();
    clock += LOGIN_IDLE_MS - 1000;
    expect((await call('/me', { cookie: idle.cookie })).status).toBe(200);
    clock += LOGIN_IDLE_MS - 1000; // active again just in time: still valid
    expect((await call('/me', { cookie: idle.cookie })).status).toBe(200);
    clock += LOGIN_IDLE_MS;
    expect((await call('/me', { cookie: idle.cookie })).status).toBe(401);

    const busy = await logIn();
    for (let t = 0; t < LOGIN_LIFETIME_MS - 30 * 60_000; t += 30 * 60_000) {
      clock += 30 * 60_000;
      expect((await call('/me', { cookie: busy.cookie })).status).toBe(200);
    }
    clock += 30 * 60_000;
    expect((await call('/me', { cookie: busy.cookie })).status).toBe(401);
  });
});

describe('without an SMTP server', () => {
  it('says so at start as a warning, and a reset request gets 503 logged as a warning in plain words, never a stack trace', async () => {
    const startWarning = h.logs.map((l) => JSON.parse(l) as { level: number; msg: string }).find((l) => l.msg.startsWith('No SMTP server is configured'));
    expect(startWarning?.level).toBe(40);
    const res = await call('/reset-request', { body: { email: 'jo@example.com' }, ip: '198.51.100.200' });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('mail_unavailable');
    const logged = h.logs.map((l) => JSON.parse(l) as { level: number; msg: string; code?: string; err?: unknown }).filter((l) => l.code === 'mail_unavailable');
    expect(logged).toEqual([expect.objectContaining({ level: 40, msg: expect.stringContaining('cannot send email') })]);
    expect(logged[0]!.err).toBeUndefined();
  });

  it('tells the login page whether the first owner is still to be created', async () => {
    expect(await (await call('/setup')).json()).toEqual({ needed: false });
    const fresh = await startHarness();
    try {
      const res = await fetch(`${fresh.collector.url}/api/auth/setup`);
      expect([res.status, res.headers.get('cache-control'), await res.json()]).toEqual([200, 'no-store', { needed: true }]);
    } finally {
      await fresh.stop();
    }
  });
});
