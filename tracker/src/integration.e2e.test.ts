/**
 * @cairn/tracker/integration against a real collector over HTTP: a site created, read, given
 * domains, keys and goals, a view token that reads its stats, the tracker release, the site
 * deleted; a refused key and an unreachable collector as IntegrationErrors; the start-up check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integrationKey, startHarness, type Harness } from '@cairn/collector/testing';
import { checkCollector, createIntegrationClient, IntegrationError, type IntegrationClient } from './integration.ts';

// Port 9 (discard) has nothing listening on loopback: connections are refused at once.
const NOWHERE = 'http://127.0.0.1:9';

let h: Harness;
let key: string;
let cairn: IntegrationClient;
beforeAll(async () => {
  h = await startHarness();
  key = await integrationKey(h, 'Integration client test');
  cairn = createIntegrationClient({ collector: h.collector.url, key });
});
afterAll(() => h?.stop());

const failure = async (work: Promise<unknown>): Promise<IntegrationError> => {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(IntegrationError);
  return err as IntegrationError;
};

describe('createIntegrationClient()', () => {
  it('creates a site, reads it, sets its domains, and lists it among the key’s sites only', async () => {
    const site = await cairn.createSite({ domain: 'dune-coffee.example', name: 'Dune Coffee' });
    expect(site).toMatchObject({ name: 'Dune Coffee', domains: ['dune-coffee.example'] });
    expect(await cairn.getSite(site.id)).toMatchObject({ id: site.id, name: 'Dune Coffee' });

    const changed = await cairn.setDomains(site.id, ['dune-coffee.example', 'dune-coffee.shop']);
    expect(changed.domains).toEqual(['dune-coffee.example', 'dune-coffee.shop']);
    expect((await cairn.getSite(site.id))?.domains).toEqual(['dune-coffee.example', 'dune-coffee.shop']);

    const ids = (await cairn.sites()).map((s) => s.id);
    expect(ids).toContain(site.id);
    // The harness's own site belongs to no integration key: this key neither lists nor reads it.
    expect(ids).not.toContain(h.siteId);
    expect(await cairn.getSite(h.siteId)).toBeUndefined();
  });

  it('makes a site key whose secret is answered once, and lists the keys without secrets', async () => {
    const site = await cairn.createSite({ domain: 'keys.example', name: 'Keys' });
    const made = await cairn.createSiteKey(site.id, 'App proxy');
    expect(made.secret).toMatch(/^cairn_sk_/);
    expect(made.key).toMatchObject({ site: site.id, name: 'App proxy' });
    const keys = await cairn.siteKeys(site.id);
    expect(keys.map((k) => k.id)).toContain(made.key.id);
    expect(JSON.stringify(keys)).not.toContain(made.secret);
  });

  it('creates goals and lists them', async () => {
    const site = await cairn.createSite({ domain: 'goals.example', name: 'Goals' });
    const goal = await cairn.createGoal(site.id, { kind: 'event', match: 'Purchase', name: 'Purchase', revenue: 'amount', currency: 'currency' });
    expect(goal).toMatchObject({ kind: 'event', match: 'Purchase', revenue: 'amount', currency: 'currency' });
    await cairn.createGoal(site.id, { kind: 'page', match: '/thanks' });
    expect((await cairn.goals(site.id)).map((g) => g.match).sort()).toEqual(['/thanks', 'Purchase']);
  });

  it('mints a view token that reads its site’s stats and no other site’s', async () => {
    const site = await cairn.createSite({ domain: 'stats.example', name: 'Stats' });
    const minted = await cairn.viewToken(site.id);
    expect(minted.token).toMatch(/^cairn_vt_/);
    expect(minted.site).toBe(site.id);
    const read = (id: string) => fetch(`${h.collector.url}/api/stats/${id}/summary`, { headers: { authorization: `Bearer ${minted.token}` } });
    expect((await read(site.id)).status).toBe(200);
    expect((await read(h.siteId)).status).toBeGreaterThanOrEqual(401);
  });

  it('deletes a site: it reads as gone, and is no longer among the key’s sites', async () => {
    const site = await cairn.createSite({ domain: 'gone.example', name: 'Gone' });
    await cairn.deleteSite(site.id);
    expect(await cairn.getSite(site.id)).toBeUndefined();
    // Again (a webhook delivered twice): nothing left to do, no error.
    await cairn.deleteSite(site.id);
    expect((await cairn.sites()).filter((s) => !s.deletedAt).map((s) => s.id)).not.toContain(site.id);
  });

  it('answers the tracker release the collector serves, with its integrity hash', async () => {
    const release = await cairn.tracker();
    expect(new URL(release.url).pathname).toMatch(/^\/t\/[^/]+\/t\.js$/);
    expect(release.version).not.toBe('');
    expect(release.integrity).toMatch(/^sha(256|384|512)-/);
  });

  it('says the collector refused, with its status, when the key is not one it knows', async () => {
    const stranger = createIntegrationClient({ collector: h.collector.url, key: 'cairn_ik_not-a-key-of-this-collector' });
    const err = await failure(stranger.createSite({ domain: 'nope.example', name: 'Nope' }));
    expect(err).toMatchObject({ status: 401, code: 'collector_refused' });
    expect(err.message).toMatch(/^The Cairn collector refused to create the site: 401/);
  });

  it('says the collector could not be reached, with status 0, naming what it was doing', async () => {
    const err = await failure(createIntegrationClient({ collector: NOWHERE, key }).goals('st_any'));
    expect(err).toMatchObject({ status: 0, code: 'collector_unreachable' });
    expect(err.message).toContain(`The Cairn collector at ${NOWHERE} could not be reached to list the site’s goals`);
  });

  it('throws what toError makes of a failure instead', async () => {
    class AppError extends Error {}
    const mapped = createIntegrationClient({ collector: NOWHERE, key, toError: (e) => new AppError(`${e.code}: ${e.message}`) });
    await expect(mapped.sites()).rejects.toThrow(AppError);
    await expect(mapped.sites()).rejects.toThrow(/^collector_unreachable: The Cairn collector/);
  });
});

describe('checkCollector()', () => {
  it('is satisfied by a collector that accepts the key', async () => {
    expect(await checkCollector({ collector: h.collector.url, key })).toBeUndefined();
  });

  it('stops the start when the key is refused, saying how to make a new one', async () => {
    const problem = await checkCollector({ collector: h.collector.url, key: 'cairn_ik_revoked', keyName: 'CAIRN_INTEGRATION_KEY', integrationName: 'Test app' });
    expect(problem).toMatchObject({ fatal: true, error: { status: 401, code: 'collector_refused' } });
    expect(problem?.message).toContain('refused CAIRN_INTEGRATION_KEY (401)');
    expect(problem?.message).toContain('integration add --name "Test app"');
  });

  it('only warns when the collector cannot be reached: it may start later', async () => {
    const problem = await checkCollector({ collector: NOWHERE, key });
    expect(problem).toMatchObject({ fatal: false, error: { status: 0, code: 'collector_unreachable' } });
    expect(problem?.message).toMatch(new RegExp(`^the collector at ${NOWHERE} could not be reached \\(.+\\); installs will fail until it answers$`));
  });
});
