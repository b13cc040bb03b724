/**
 * `POST /designer/view-token` and `POST /designer/install` over HTTP, on the whole app: an ID token
 * resolved by the Webflow stub for the site asked gets a view token that reads the site's stats
 * from the real collector; a tampered, unknown or another app's token is 401, another site's 403,
 * a site without Cairn 409 until the install from the Designer; CORS only for Webflow's extension
 * origin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_ID, EXTENSION_ORIGIN, OTHER_APP, PLAIN, SEEDED, seedPages, SITE, startDesignerFixture, type DesignerFixture } from './designer-fixture.ts';

const OTHER_SITE = PLAIN.id;

let f: DesignerFixture;
beforeAll(async () => {
  f = await startDesignerFixture();
  await seedPages(f);
});
afterAll(() => f?.stop());

const post = (path: string, body: unknown, origin = EXTENSION_ORIGIN) =>
  fetch(`${f.app.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: typeof body === 'string' ? body : JSON.stringify(body) });
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

describe('POST /designer/view-token', () => {
  it('answers a view token for the site’s Cairn site that reads its stats, for an ID token of that site', async () => {
    const res = await post('/designer/view-token', { siteId: SITE.id, idToken: f.idToken(SITE.id) });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(EXTENSION_ORIGIN);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { token: string; expiresAt: string; siteId: string; collectorUrl: string };
    expect(body.siteId).toBe(f.cairnSite);
    expect(body.collectorUrl).toBe(f.h.collector.url);
    expect(Date.parse(body.expiresAt)).toBeGreaterThan(Date.now());
    // The token reads the site: the seeded visitors, as the widgets will ask for them.
    const stats = await fetch(`${body.collectorUrl}/api/stats/${body.siteId}/summary?period=30d`, { headers: { authorization: `Bearer ${body.token}` } });
    expect(stats.status).toBe(200);
    expect(((await stats.json()) as { metrics: { visitors: number } }).metrics.visitors).toBe(SEEDED.site.visitors);
    // …and no other site of the collector.
    const other = await fetch(`${body.collectorUrl}/api/stats/${f.h.siteId}/summary?period=30d`, { headers: { authorization: `Bearer ${body.token}` } });
    expect(other.status).toBe(403);
    // Webflow resolved it: the app cannot check an ID token on its own.
    expect(f.resolveCalls()).toBeGreaterThan(0);
  });

  it('refuses a tampered ID token, an unknown one and none with 401', async () => {
    const good = f.idToken(SITE.id);
    const [head, body, sig] = good.split('.') as [string, string, string];
    const forged = `${head}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), sub: 'someone-else' })).toString('base64url')}.${sig}`;
    const otherApp = f.idToken(SITE.id, { app: OTHER_APP });
    for (const idToken of [forged, 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl', good.slice(0, -4) + 'AAAA', otherApp]) {
      const res = await post('/designer/view-token', { siteId: SITE.id, idToken });
      expect(res.status).toBe(401);
      expect(await errorOf(res)).toMatchObject({ code: 'bad_id_token' });
    }
    const none = await post('/designer/view-token', { siteId: SITE.id });
    expect(none.status).toBe(401);
    expect((await errorOf(none)).code).toBe('no_id_token');
  });

  it('refuses another site’s ID token with 403', async () => {
    const res = await post('/designer/view-token', { siteId: SITE.id, idToken: f.idToken(OTHER_SITE) });
    expect(res.status).toBe(403);
    expect(await errorOf(res)).toEqual({ code: 'wrong_site', message: 'The ID token was issued in the Designer of another Webflow site.' });
  });

  it('says 403 for a site the app is not authorized on, 409 for one without Cairn, 400 for no site id', async () => {
    const unknown = await post('/designer/view-token', { siteId: '64f0c0ffee0000000000c003', idToken: f.idToken('64f0c0ffee0000000000c003') });
    expect(unknown.status).toBe(403);
    expect((await errorOf(unknown)).code).toBe('not_authorized');
    const notConnected = await post('/designer/view-token', { siteId: OTHER_SITE, idToken: f.idToken(OTHER_SITE) });
    expect(notConnected.status).toBe(409);
    expect(await errorOf(notConnected)).toEqual({ code: 'not_connected', message: 'Cairn is not installed on this site yet: install it from the extension.' });
    for (const body of [{ idToken: f.idToken(SITE.id) }, { siteId: '../../etc', idToken: f.idToken(SITE.id) }]) {
      const res = await post('/designer/view-token', body);
      expect(res.status).toBe(400);
      expect((await errorOf(res)).code).toBe('bad_site_id');
    }
    const notJson = await post('/designer/view-token', '{"siteId":');
    expect(notJson.status).toBe(400);
    expect((await errorOf(notJson)).code).toBe('bad_body');
  });
});

describe('POST /designer/install', () => {
  it('checks the ID token as the view token does before installing anything', async () => {
    const forged = await post('/designer/install', { siteId: OTHER_SITE, idToken: f.idToken(OTHER_SITE).slice(0, -4) + 'AAAA' });
    expect(forged.status).toBe(401);
    const wrongSite = await post('/designer/install', { siteId: OTHER_SITE, idToken: f.idToken(SITE.id) });
    expect(wrongSite.status).toBe(403);
    expect((await f.deps.tokens.site(OTHER_SITE))?.cairnSiteId).toBeUndefined();
    expect(f.stub.applied(CLIENT_ID, OTHER_SITE)).toEqual([]);
  });

  it('installs Cairn on the site for a person of the site, after which the view token is answered', async () => {
    const res = await post('/designer/install', { siteId: OTHER_SITE, idToken: f.idToken(OTHER_SITE) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { installed: boolean; siteId: string; publishNeeded: boolean };
    expect(body).toMatchObject({ installed: true, publishNeeded: true });
    expect((await f.deps.tokens.site(OTHER_SITE))?.cairnSiteId).toBe(body.siteId);
    // The tracker is applied to the site's head (live once the owner publishes).
    expect(f.stub.applied(CLIENT_ID, OTHER_SITE).map((s) => s.attributes?.['data-site'])).toEqual([body.siteId]);
    const view = await post('/designer/view-token', { siteId: OTHER_SITE, idToken: f.idToken(OTHER_SITE) });
    expect(view.status).toBe(200);
    expect(((await view.json()) as { siteId: string }).siteId).toBe(body.siteId);
  });
});

describe('CORS', () => {
  it('answers the preflight of Webflow’s extension origin, and no other origin', async () => {
    const preflight = (origin: string) =>
      fetch(`${f.app.url}/designer/view-token`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    const ok = await preflight(EXTENSION_ORIGIN);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(EXTENSION_ORIGIN);
    expect(ok.headers.get('access-control-allow-methods')).toBe('POST');
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/content-type/i);
    for (const origin of ['https://evil.example', 'https://65a1b2c3d4e5f60718293a4b.webflow-ext.com.evil.example', 'http://65a1b2c3d4e5f60718293a4b.webflow-ext.com']) {
      const bad = await preflight(origin);
      expect(bad.status).toBe(403);
      expect(bad.headers.get('access-control-allow-origin')).toBeNull();
      // The browser would drop the answer to a request sent anyway: no allow-origin header on it.
      const res = await post('/designer/view-token', { siteId: SITE.id, idToken: f.idToken(SITE.id) }, origin);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
  });
});
