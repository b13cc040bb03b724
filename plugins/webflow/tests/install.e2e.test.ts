// Install on a Webflow site against a real collector and a stub of the documented Data API:
// registered once, applied once, others' scripts untouched, never published, removed cleanly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installCairn } from '../src/app.ts';
import type { TrackerRelease } from '../src/cairn-client.ts';
import { refreshSites } from '../src/refresh.ts';
import { authorize, CLIENT_ID, OTHER_APP, PLAIN, post, SITE, startFixture, writes, type Fixture } from './fixture.ts';

let f: Fixture;
let session: string;
let tracker: TrackerRelease;
/** Another app's script, applied at site level before Cairn arrives. */
const OTHER_SCRIPT = { id: 'chat_widget', location: 'header', version: '2.1.0', attributes: { 'data-room': 'lobby' } };

beforeAll(async () => {
  f = await startFixture();
  tracker = await f.deps.cairn.tracker();
  // Another app registers and applies its own script on the site, with its own token.
  const other = f.stub.tokenFor(OTHER_APP, [SITE.id]);
  const call = (method: string, path: string, body: unknown) =>
    fetch(`${f.stub.endpoints.apiBase}/sites/${SITE.id}${path}`, { method, headers: { authorization: `Bearer ${other}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect((await call('POST', '/registered_scripts/hosted', { hostedLocation: 'https://chat.example/w.js', integrityHash: 'sha384-abc', version: '2.1.0', displayName: 'Chat Widget' })).status).toBe(201);
  expect((await call('PUT', '/custom_code', { scripts: [OTHER_SCRIPT] })).status).toBe(200);
  session = (await authorize(f)).session;
});
afterAll(() => f?.stop());

const sites = async () => (await f.h.collector.store.sites.list()).filter((s) => s.id !== f.h.siteId);

describe('POST /sites/:siteId/install', () => {
  it('makes the Cairn site, registers the tracker once and applies it site-wide with its attributes, and asks to publish', async () => {
    const seeded = writes(f.stub).length; // the other app's own registration and apply
    const res = await post(f, session, SITE.id, 'install');
    expect(res.status).toBe(200);
    const result = (await res.json()) as Awaited<ReturnType<typeof installCairn>>;
    expect(result).toMatchObject({ siteId: SITE.id, registered: true, applied: true, publishNeeded: true, domains: ['dunecoffee.example', 'dune-coffee.webflow.io'] });

    const [site] = await sites();
    expect(site).toMatchObject({ id: result.cairnSiteId, name: 'Dune Coffee', domains: ['dunecoffee.example', 'dune-coffee.webflow.io'], timezone: 'Europe/Berlin' });

    // Registered: the collector's versioned URL and SRI hash, a SemVer version, not copied with the site.
    expect(f.stub.registered(CLIENT_ID, SITE.id)).toEqual([
      expect.objectContaining({ id: 'cairn', displayName: 'Cairn', hostedLocation: tracker.url, integrityHash: tracker.integrity, version: '1.0.0', canCopy: false }),
    ]);
    // The collector's own GET /api/tracker: an immutable versioned URL and its SRI hash.
    expect(tracker.url).toMatch(new RegExp(`/t/${tracker.version}/t\\.js$`));
    expect(tracker.integrity).toMatch(/^sha384-[A-Za-z0-9+/]{64}$/);
    // Applied: configuration in attributes.
    expect(f.stub.applied(CLIENT_ID, SITE.id)).toEqual([
      { id: 'cairn', location: 'header', version: '1.0.0', attributes: { 'data-site': result.cairnSiteId, 'data-api': `${f.config.collector}/api/event` } },
    ]);
    // The other app's script is still applied; the app never published.
    expect(f.stub.applied(OTHER_APP, SITE.id)).toEqual([OTHER_SCRIPT]);
    expect(writes(f.stub).slice(seeded)).toEqual([`POST /v2/sites/${SITE.id}/registered_scripts/hosted`, `PUT /v2/sites/${SITE.id}/custom_code`]);
  });

  it('changes nothing when retried: no new site, no registration, no write', async () => {
    const before = { calls: writes(f.stub).length, sites: (await sites()).length };
    const res = await post(f, session, SITE.id, 'install');
    expect(await res.json()).toMatchObject({ registered: false, applied: false, publishNeeded: true });
    expect(writes(f.stub).length).toBe(before.calls);
    expect((await sites()).length).toBe(before.sites);
    expect(f.stub.registered(CLIENT_ID, SITE.id)).toHaveLength(1);
  });

  it('stops asking to publish once the owner published', async () => {
    f.stub.publish(SITE.id);
    expect(await (await post(f, session, SITE.id, 'install')).json()).toMatchObject({ applied: false, publishNeeded: false });
  });

  it('puts feature settings in the attributes of the same version, not in a new one', async () => {
    const res = await post(f, session, SITE.id, 'install', { disable: ['spa', 'form'], exclude: '/drafts/*', respectDnt: true, vitals: true });
    expect(await res.json()).toMatchObject({ registered: false, applied: true, publishNeeded: true });
    const [applied] = f.stub.applied(CLIENT_ID, SITE.id);
    expect(applied).toMatchObject({ version: '1.0.0', attributes: { 'data-disable': 'spa form', 'data-exclude': '/drafts/*', 'data-respect-dnt': 'true', 'data-vitals': tracker.vitals!.url } });
    expect(f.stub.registered(CLIENT_ID, SITE.id)).toHaveLength(1);
    // Unknown features are refused, in words.
    const bad = await post(f, session, SITE.id, 'install', { disable: ['everything'] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('everything');
  });

  it('takes the page’s form as the settings (an unchecked box is off) and goes back to the list with the publish reminder', async () => {
    const form = new URLSearchParams([['disable', 'spa'], ['disable', 'form'], ['exclude', '/drafts/*'], ['vitals', 'on']]);
    const res = await fetch(`${f.app.url}/sites/${SITE.id}/install`, { method: 'POST', redirect: 'manual', headers: { cookie: session, origin: 'https://cairn-app.example', 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/sites?done=installed-publish');
    expect(f.stub.applied(CLIENT_ID, SITE.id)[0]!.attributes).not.toHaveProperty('data-respect-dnt');
    expect(f.stub.applied(CLIENT_ID, SITE.id)[0]!.attributes).toMatchObject({ 'data-disable': 'spa form', 'data-exclude': '/drafts/*', 'data-vitals': tracker.vitals!.url });
    const page = await (await fetch(`${f.app.url}${res.headers.get('location')}`, { headers: { cookie: session } })).text();
    expect(page).toContain('Publish the site in Webflow for visits to be counted');
  });

  it('counts a site without a custom domain on its webflow.io address; two installs at once make one site and one version', async () => {
    const [a, b] = await Promise.all([post(f, session, PLAIN.id, 'install'), post(f, session, PLAIN.id, 'install')]);
    const results = [(await a.json()) as { cairnSiteId: string }, (await b.json()) as { cairnSiteId: string }];
    expect(results[0]!.cairnSiteId).toBe(results[1]!.cairnSiteId);
    expect((await sites()).filter((s) => s.name === 'Plain Site')).toEqual([expect.objectContaining({ id: results[0]!.cairnSiteId, domains: ['plain-site.webflow.io'], timezone: 'UTC' })]);
    expect(f.stub.registered(CLIENT_ID, PLAIN.id)).toHaveLength(1);
  });

  it('registers and applies a new version when the collector announces a new tracker, on every installed site', async () => {
    // The collector after an upgrade: a new release at its own versioned URL (a stand-in for
    // GET /api/tracker's answer; the collector here serves one build).
    const next: TrackerRelease = { version: 'a1b2c3d4e5f6', url: `${f.config.collector}/t/a1b2c3d4e5f6/t.js`, integrity: 'sha384-bmV4dC1yZWxlYXNlLW9mLXRoZS10cmFja2VyLWZvci10ZXN0cw==', vitals: { url: `${f.config.collector}/t/a1b2c3d4e5f6/t-v.js`, integrity: 'sha384-dml0YWxz' } };
    const deps = { ...f.deps, cairn: { ...f.deps.cairn, tracker: async () => next } };
    const results = await refreshSites(deps);
    expect(results.map((r) => [r.siteId, r.result?.registered, r.result?.applied, r.result?.script.version]).sort()).toEqual([
      [SITE.id, true, true, '1.0.1'],
      [PLAIN.id, true, true, '1.0.1'],
    ].sort());
    expect(f.stub.registered(CLIENT_ID, SITE.id).map((r) => [r.version, r.hostedLocation])).toEqual([
      ['1.0.0', tracker.url],
      ['1.0.1', next.url],
    ]);
    // The new version replaces ours in place, with the site's settings kept; the other app's stays.
    expect(f.stub.applied(CLIENT_ID, SITE.id)).toEqual([expect.objectContaining({ id: 'cairn', version: '1.0.1', attributes: expect.objectContaining({ 'data-vitals': next.vitals!.url, 'data-disable': 'spa form' }) })]);
    expect(f.stub.applied(OTHER_APP, SITE.id)).toEqual([OTHER_SCRIPT]);
    // Run again: nothing new.
    const again = await refreshSites(deps);
    expect(again.every((r) => r.result && !r.result.registered && !r.result.applied)).toBe(true);
    // Back on the collector's own release: its version is found registered, not registered again.
    const back = await installCairn(f.deps, SITE.id);
    expect(back).toMatchObject({ registered: false, applied: true, script: { version: '1.0.0' } });
  });

  it('never calls the publish endpoint', () => {
    expect(f.stub.calls.filter((c) => c.endsWith('/publish'))).toEqual([]);
  });
});

describe('POST /sites/:siteId/uninstall', () => {
  it('takes only Cairn’s script off; the other app’s stays, and the Cairn site is kept', async () => {
    const cairnSite = (await sites()).find((s) => s.name === 'Dune Coffee')!;
    const res = await post(f, session, SITE.id, 'uninstall');
    expect(await res.json()).toMatchObject({ removed: true, publishNeeded: true });
    expect(f.stub.applied(CLIENT_ID, SITE.id)).toEqual([]);
    expect(f.stub.applied(OTHER_APP, SITE.id)).toEqual([OTHER_SCRIPT]);
    expect(await f.deps.cairn.getSite(cairnSite.id)).toMatchObject({ id: cairnSite.id });
    // Again: nothing to remove, nothing written.
    const before = writes(f.stub).length;
    expect(await (await post(f, session, SITE.id, 'uninstall')).json()).toMatchObject({ removed: false, publishNeeded: false });
    expect(writes(f.stub).length).toBe(before);
    // Reinstalled: the same Cairn site, its version already registered.
    expect(await (await post(f, session, SITE.id, 'install')).json()).toMatchObject({ cairnSiteId: cairnSite.id, registered: false, applied: true });
    expect(f.stub.calls.filter((c) => c.endsWith('/publish'))).toEqual([]);
  });
});

describe('who may install', () => {
  let narrow: string;
  it('refuses a request without the session, from another origin, or for a site the authorization does not cover', async () => {
    const noSession = await fetch(`${f.app.url}/sites/${SITE.id}/install`, { method: 'POST', headers: { origin: 'https://cairn-app.example', accept: 'application/json' } });
    expect(noSession.status).toBe(401);
    const crossSite = await fetch(`${f.app.url}/sites/${SITE.id}/install`, { method: 'POST', headers: { cookie: session, origin: 'https://evil.example', accept: 'application/json' } });
    expect(crossSite.status).toBe(403);
    narrow = (await authorize(f, [PLAIN.id])).session;
    const other = await post(f, narrow, SITE.id, 'install');
    expect(other.status).toBe(403);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe('not_authorized');
  });

  it('forgets an authorization Webflow stopped honouring, and says to authorize again', async () => {
    f.stub.revoke(CLIENT_ID);
    const res = await post(f, session, SITE.id, 'install');
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('webflow_deauthorized');
    expect(await f.deps.tokens.forSite(SITE.id)).toBeUndefined();
    expect(f.logs.filter((l) => l.includes('forgotten'))).toHaveLength(1);
    // The site list of the other (also revoked) authorization: forgotten too, and a new authorization started.
    const page = await fetch(`${f.app.url}/sites`, { redirect: 'manual', headers: { cookie: narrow } });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/auth');
    expect(f.logs.filter((l) => l.includes('forgotten'))).toHaveLength(2);
  });
});
