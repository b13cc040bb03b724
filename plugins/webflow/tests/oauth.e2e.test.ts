// The authorization against a real collector and a stub of Webflow's documented OAuth endpoints:
// valid, tampered, expired and replayed callbacks; the token stored encrypted.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '../src/config.ts';
import { signValue, STATE_COOKIE } from '../src/signed-cookie.ts';
import { APP_URL, authorize, CLIENT_ID, CLIENT_SECRET, PLAIN, SITE, startFixture, type Fixture } from './fixture.ts';

let f: Fixture;
beforeAll(async () => (f = await startFixture()));
afterAll(() => f?.stop());

/** `GET /auth`: the state Webflow will carry back, and the signed cookie the browser holds. */
const begin = async () => {
  const res = await fetch(`${f.app.url}/auth`, { redirect: 'manual' });
  const location = new URL(res.headers.get('location')!);
  return { res, location, state: location.searchParams.get('state')!, cookie: (res.headers.get('set-cookie') ?? '').split(';')[0]! };
};
const callback = (query: Record<string, string>, cookie: string) => fetch(`${f.app.url}/auth/callback?${new URLSearchParams(query)}`, { redirect: 'manual', headers: { cookie } });
const refused = async (res: Response, status: number, code: string) => {
  expect(res.status).toBe(status);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
};

describe('GET /auth', () => {
  it('sends the admin to Webflow’s authorize page with the client id, redirect URI, the three scopes and a state kept in a signed cookie', async () => {
    const { res, location, state, cookie } = await begin();
    expect(res.status).toBe(302);
    expect(location.origin + location.pathname).toBe(f.stub.endpoints.authorizeUrl);
    expect(Object.fromEntries(location.searchParams)).toEqual({ response_type: 'code', client_id: CLIENT_ID, redirect_uri: `${APP_URL}/auth/callback`, scope: 'sites:read custom_code:read custom_code:write authorized_user:read', state });
    expect(SCOPES).toEqual(['sites:read', 'custom_code:read', 'custom_code:write', 'authorized_user:read']);
    expect(cookie).toContain(state);
    expect(res.headers.get('set-cookie')).toMatch(/HttpOnly/i);
    expect((await begin()).state).not.toBe(state);
  });
});

describe('GET /auth/callback', () => {
  it('exchanges the code, stores the token encrypted with the sites it reaches, and opens the site list', async () => {
    const { res, session } = await authorize(f);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/sites');
    expect(session).toMatch(/^cairn_webflow_session=/);

    const files = await readdir(join(f.config.dataDir, 'authorizations'));
    expect(files).toHaveLength(1);
    const text = await readFile(join(f.config.dataDir, 'authorizations', files[0]!), 'utf8');
    const record = JSON.parse(text) as { siteIds: string[]; token: { iv: string } };
    expect(record.siteIds).toEqual([SITE.id, PLAIN.id]);
    const found = await f.deps.tokens.forSite(SITE.id);
    expect(found?.token).toMatch(/^[0-9a-f]{48}$/);
    expect(text).not.toContain(found!.token);
    expect(text).not.toContain(found!.token.slice(0, 16));

    // The site list, behind the session: both sites, each with its install button.
    const page = await fetch(`${f.app.url}/sites`, { headers: { cookie: session } });
    const html = await page.text();
    expect(html).toContain('Dune Coffee');
    expect(html).toContain(`action="/sites/${SITE.id}/install"`);
    expect(html).toContain('Install on this site');
    expect((await fetch(`${f.app.url}/sites`, { redirect: 'manual' })).headers.get('location')).toBe('/auth');
  });

  it('refuses a state that does not match the cookie, or no cookie, before asking Webflow', async () => {
    const { state, cookie } = await begin();
    const before = f.stub.calls.length;
    await refused(await callback({ code: f.stub.code(CLIENT_ID, [SITE.id]), state: 'forged-state-value' }, cookie), 403, 'bad_state');
    await refused(await callback({ code: f.stub.code(CLIENT_ID, [SITE.id]), state }, ''), 403, 'bad_state');
    expect(f.stub.calls.length).toBe(before);
  });

  it('refuses a cookie signed with another secret (tampered), or expired', async () => {
    const { state } = await begin();
    const forged = `${STATE_COOKIE}=${signValue('not-the-secret', 'oauth-state', state, Date.now() + 60_000)}`;
    await refused(await callback({ code: f.stub.code(CLIENT_ID, [SITE.id]), state }, forged), 403, 'bad_state');
    const expired = `${STATE_COOKIE}=${signValue(CLIENT_SECRET, 'oauth-state', state, Date.now() - 1)}`;
    await refused(await callback({ code: f.stub.code(CLIENT_ID, [SITE.id]), state }, expired), 403, 'bad_state');
    const valid = `${STATE_COOKIE}=${signValue(CLIENT_SECRET, 'oauth-state', state, Date.now() + 60_000)}`;
    expect((await callback({ code: f.stub.code(CLIENT_ID, [SITE.id]), state }, valid)).status).toBe(303);
  });

  it('accepts a callback once, and refuses it replayed', async () => {
    const { state, cookie } = await begin();
    const query = { code: f.stub.code(CLIENT_ID, [SITE.id]), state };
    expect((await callback(query, cookie)).status).toBe(303);
    const before = f.stub.calls.length;
    await refused(await callback(query, cookie), 403, 'state_used');
    expect(f.stub.calls.length).toBe(before);
  });

  it('says so when Webflow refuses the code, or the admin declined', async () => {
    const { state, cookie } = await begin();
    await refused(await callback({ code: 'a-code-webflow-never-issued', state }, cookie), 400, 'code_refused');
    await refused(await callback({ error: 'access_denied', error_description: 'The user denied access' }, ''), 400, 'declined');
  });

  it('sends an authorization started on Webflow’s side (no state) through /auth, without using its code', async () => {
    const before = f.stub.calls.length;
    const res = await callback({ code: f.stub.code(CLIENT_ID, [SITE.id]) }, '');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/auth');
    expect(f.stub.calls.length).toBe(before);
  });
});
