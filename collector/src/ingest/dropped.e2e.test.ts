/**
 * Every event the collector does not count is counted by reason, once, over HTTP: bots,
 * prefetches, foreign domains, deleted sites, rate limits, duplicates and invalid events; the
 * filtered-traffic report shows them to owners and admins; the live installation check shows
 * each event of the next minutes as it arrives, stored or dropped and why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../accounts/users.ts';
import type { FilteredAnswer, LiveCheckAnswer } from '../protocol/index.ts';
import { addSite } from '../sites/add-site.ts';
import { logIn, type DashboardClient } from '../testing/dashboard-client.ts';
import { CHROME_UA, startHarness, type Harness } from '../testing/harness.ts';

let h: Harness;
let owner: DashboardClient;
let address = 0;
/** Each request from its own address, so that only the rate-limit case meets the limit. */
const from = () => ({ 'x-forwarded-for': `203.0.113.${++address}` });

beforeAll(async () => {
  h = await startHarness({ config: { rateLimitIp: 3 } });
  await addUser(h.collector.store, { email: 'drops-owner@example.com', role: 'owner', password: 'a long enough password' }, Date.now());
  owner = await logIn(h, 'drops-owner@example.com', 'a long enough password');
});
afterAll(() => h.stop());

const page = (site: string, extra: Record<string, unknown> = {}) => ({ s: site, n: 'pageview', u: 'https://example.com/pricing', ...extra });

async function report(site: string): Promise<FilteredAnswer> {
  await h.collector.runMaintenance();
  const res = await owner.call('GET', `/api/stats/${site}/filtered?period=7d`);
  expect(res.status).toBe(200);
  return res.body as FilteredAnswer;
}

const countsOf = (r: FilteredAnswer) => Object.fromEntries(r.reasons.map((x) => [x.reason, x.count]));

describe('drops', () => {
  it('counts each kind of drop once, by reason, and the report explains each', async () => {
    const { site } = await addSite(h.collector.sites, { domain: 'example.com' }, h.collector.publicUrl, Date.now());
    const s = site.id;
    const post = (body: unknown, headers: Record<string, string> = {}) => h.post(body, { ...from(), ...headers });

    expect((await post(page(s), { 'user-agent': CHROME_UA.replace('Chrome/', 'HeadlessChrome/') })).status).toBe(202);
    expect((await post(page(s), { 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' })).status).toBe(202);
    expect((await post(page(s), { 'user-agent': '' })).status).toBe(202);
    expect((await post(page(s), { 'sec-purpose': 'prefetch' })).status).toBe(202);
    expect((await post(page(s, { u: 'https://copy.example.org/' }))).status).toBe(403);
    expect((await post(page(s, { u: 'not a url' }))).status).toBe(400);
    // A batch refused whole: both its events are counted.
    expect((await post([page(s), page(s, { n: '' })])).status).toBe(400);
    expect((await post(page(s, { id: 'drops-1' }))).status).toBe(202);
    expect((await post(page(s, { id: 'drops-1' }))).status).toBe(202);
    const limited = from();
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await h.post(page(s), limited)).status);
    expect(statuses).toEqual([202, 202, 202, 429]);
    // Not counted against any site: a body that is not JSON, a site that never existed.
    expect((await post('{not json')).status).toBe(400);
    const unknownBefore = (await owner.call('GET', '/api/health')).body.ingest.unknownSite as number;
    expect((await post(page('no-such-site'))).status).toBe(403);
    expect((await owner.call('GET', '/api/health')).body.ingest.unknownSite).toBe(unknownBefore + 1);

    const r = await report(s);
    expect(countsOf(r)).toEqual({ headless: 1, bot: 1, no_user_agent: 1, prefetch: 1, hostname_not_allowed: 1, invalid: 3, duplicate: 1, rate_limited: 1 });
    expect(r.total).toBe(10);
    expect(r.reasons[0]).toMatchObject({ reason: 'invalid', count: 3, label: 'Not a valid event' });
    for (const x of r.reasons) expect(x.explanation.length).toBeGreaterThan(20);
    expect(r.days).toHaveLength(7);
    expect(r.days.at(-1)).toMatchObject({ total: 10, counts: { invalid: 3, headless: 1 } });
    expect(r.days.slice(0, -1).every((d) => d.total === 0)).toBe(true);
    // Stored: the four pageviews let through (the one sent twice, once).
    expect(await h.stored(s)).toHaveLength(4);
  });

  it('counts events for a deleted site against it, readable while it can be restored', async () => {
    const { site } = await addSite(h.collector.sites, { domain: 'example.com' }, h.collector.publicUrl, Date.now());
    expect((await owner.call('DELETE', `/api/sites/${site.id}`, { confirm: site.id })).status).toBe(202);
    expect((await h.post(page(site.id), from())).status).toBe(403);
    expect(countsOf(await report(site.id))).toEqual({ unknown_site: 1 });
  });

  it('shows the report to owners and admins only', async () => {
    const user = await addUser(h.collector.store, { email: 'drops-client@example.com', role: 'client', password: 'a long enough password' }, Date.now());
    await h.collector.store.users.update(user.id, { grants: [{ site: h.siteId, sections: ['traffic', 'sources'] }] });
    const client = await logIn(h, 'drops-client@example.com', 'a long enough password');
    expect((await client.call('GET', `/api/stats/${h.siteId}/filtered?period=7d`)).status).toBe(403);
    const key = await fetch(`${h.collector.url}/api/stats/${h.siteId}/filtered?period=7d`, { headers: { authorization: `Bearer ${h.siteKey}` } });
    expect(key.status).toBe(401);
  });
});

describe('live installation check', () => {
  it('shows events of a checked site as they arrive, stored or dropped and why, and nothing of other sites', async () => {
    const { site } = await addSite(h.collector.sites, { domain: 'example.com' }, h.collector.publicUrl, Date.now());
    // Before the check is opened, nothing is kept.
    expect((await h.post(page(site.id, { u: 'https://example.com/before' }), from())).status).toBe(202);
    const opened = await owner.call('GET', `/api/sites/${site.id}/live-check`);
    expect(opened.status).toBe(200);
    expect((opened.body as LiveCheckAnswer).entries).toEqual([]);
    expect((opened.body as LiveCheckAnswer).listeningUntil).toBeGreaterThan(Date.now() + 4 * 60_000);

    expect((await h.post(page(site.id), from())).status).toBe(202);
    expect((await h.post(page(site.id), { ...from(), 'user-agent': CHROME_UA.replace('Chrome/', 'HeadlessChrome/') })).status).toBe(202);
    expect((await h.post(page(site.id, { u: 'https://example.org/' }), from())).status).toBe(403);
    expect((await h.post(page(h.siteId), from())).status).toBe(202);

    const { body } = await owner.call('GET', `/api/sites/${site.id}/live-check?after=0`);
    const entries = (body as LiveCheckAnswer).entries;
    expect(entries.map((e) => [e.outcome, e.host, e.page])).toEqual([
      ['stored', 'example.com', '/pricing'],
      ['headless', 'example.com', '/pricing'],
      ['hostname_not_allowed', 'example.org', '/'],
    ]);
    expect(entries[0]).toMatchObject({ name: 'pageview', browser: 'Chrome', device: 'desktop' });
    expect(entries[1]!.detail).toBe('"HeadlessChrome" in the browser name (User-Agent)');
    expect(entries[2]!.detail).toContain('example.org is not a domain of site');
    // Nothing that identifies a visitor.
    expect(JSON.stringify(entries)).not.toMatch(/203\.0\.113|Mozilla|visitor/);
    // Asked again after the last one seen: nothing new.
    const again = await owner.call('GET', `/api/sites/${site.id}/live-check?after=${entries.at(-1)!.seq}`);
    expect(again.body.entries).toEqual([]);
  });

  it('is for owners and admins of the site', async () => {
    const client = await logIn(h, 'drops-client@example.com', 'a long enough password');
    expect((await client.call('GET', `/api/sites/${h.siteId}/live-check`)).status).toBe(403);
    expect((await owner.call('GET', `/api/sites/${h.siteId}/live-check?after=-1`)).status).toBe(400);
  });
});
