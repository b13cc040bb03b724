// Session tokens on the embedded API, and the view token it hands to the admin page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { install, OTHER_SHOP, sessionToken, SHOP, startFixture, type Fixture } from './fixture.ts';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
  expect((await install(f)).status).toBe(302);
});
afterAll(() => f?.stop());

const viewToken = (token?: string) => fetch(`${f.app.url}/api/view-token`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

describe('GET /api/view-token', () => {
  it('answers a view token that reads the shop’s site’s stats on the collector', async () => {
    const res = await viewToken(sessionToken());
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { token: string; siteId: string; collectorUrl: string; expiresAt: string };
    expect(body.collectorUrl).toBe(f.h.collector.url);
    expect(body.token).toMatch(/^cairn_vt_/);
    const site = (await f.h.collector.store.sites.list()).find((s) => s.name === 'Dune Coffee')!;
    expect(body.siteId).toBe(site.id);
    const stats = await fetch(`${body.collectorUrl}/api/stats/${body.siteId}/summary`, { headers: { authorization: `Bearer ${body.token}` } });
    expect(stats.status).toBe(200);
    // and only that site's
    expect((await fetch(`${body.collectorUrl}/api/stats/${f.h.siteId}/summary`, { headers: { authorization: `Bearer ${body.token}` } })).status).toBeGreaterThanOrEqual(401);
  });
});

describe('session tokens', () => {
  it('refuses a request without one', async () => {
    const res = await viewToken();
    expect(res.status).toBe(401);
    expect(await code(res)).toBe('no_session_token');
  });

  it('refuses a tampered token: claims changed after signing, or signed with another secret', async () => {
    const [head, , sig] = sessionToken().split('.');
    const forged = Buffer.from(JSON.stringify({ dest: `https://${OTHER_SHOP}`, aud: 'test-api-key', exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url');
    expect((await viewToken(`${head}.${forged}.${sig}`)).status).toBe(401);
    const res = await viewToken(sessionToken({}, 'another-secret'));
    expect(res.status).toBe(401);
    expect(await code(res)).toBe('bad_session_token');
  });

  it('refuses an expired token, and one not valid yet (beyond the clock tolerance)', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect((await viewToken(sessionToken({ exp: now - 60, nbf: now - 120, iat: now - 120 }))).status).toBe(401);
    expect((await viewToken(sessionToken({ nbf: now + 120, iat: now + 120, exp: now + 180 }))).status).toBe(401);
    // a couple of seconds of skew is tolerated
    expect((await viewToken(sessionToken({ exp: now - 2 }))).status).toBe(200);
  });

  it('refuses a token for another app (wrong audience)', async () => {
    expect((await viewToken(sessionToken({ aud: 'another-app' }))).status).toBe(401);
  });

  it('refuses a shop that has not installed the app, and a dest that is not a shop', async () => {
    const res = await viewToken(sessionToken({ dest: `https://${OTHER_SHOP}`, iss: `https://${OTHER_SHOP}/admin` }));
    expect(res.status).toBe(403);
    expect(await code(res)).toBe('not_installed');
    expect((await viewToken(sessionToken({ dest: 'https://evil.example.com' }))).status).toBe(401);
    expect((await viewToken(sessionToken({ iss: `https://${OTHER_SHOP}/admin` }))).status).toBe(401); // issuer and destination disagree
    expect((await viewToken(sessionToken({ dest: `https://${SHOP}` }))).status).toBe(200);
  });
});

describe('GET /api/embed', () => {
  /** A theme's settings file as Shopify writes it: a comment, then the JSON, app embeds under current.blocks. */
  const settings = (blocks: Record<string, { type: string; disabled: boolean }>) =>
    `/*\n * IMPORTANT: The contents of this file are auto-generated.\n */\n${JSON.stringify({ current: { blocks, sections: {} }, presets: {} })}`;
  const embed = async () => (await (await fetch(`${f.app.url}/api/embed`, { headers: { authorization: `Bearer ${sessionToken()}` } })).json()) as { enabled: boolean | null; enableUrl: string };

  it('says whether the published theme has the app embed on, with the theme editor link that turns it on', async () => {
    const link = `https://${SHOP}/admin/themes/current/editor?context=apps&activateAppId=test-api-key/cairn`;
    // No published theme, or a theme that never had it.
    expect(await embed()).toEqual({ enabled: null, enableUrl: link });
    f.stub.settingsData.set(SHOP, settings({ '1234': { type: 'shopify://apps/other-app/blocks/chat/0a1b', disabled: false } }));
    expect(await embed()).toEqual({ enabled: false, enableUrl: link });
    f.stub.settingsData.set(SHOP, settings({ '987': { type: 'shopify://apps/cairn/blocks/cairn/5f6e-77aa', disabled: true } }));
    expect((await embed()).enabled).toBe(false);
    f.stub.settingsData.set(SHOP, settings({ '987': { type: 'shopify://apps/cairn/blocks/cairn/5f6e-77aa', disabled: false } }));
    expect((await embed()).enabled).toBe(true);
    // A session token is needed, as on every embedded request.
    expect((await fetch(`${f.app.url}/api/embed`)).status).toBe(401);
  });
});
