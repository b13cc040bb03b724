/**
 * The authorisation matrix, generated from the route table itself (http/routes.ts): every API
 * route × every kind of caller × site A and site B, against a real collector. Each cell's expected
 * status follows from the route's declared access; each response is checked for data of a site
 * the caller may not see. A route mounted outside the table, or without an example request here,
 * fails the first tests, so no route escapes the matrix.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Logins } from '../accounts/logins.ts';
import { passwordLink } from '../accounts/password-links.ts';
import { setupToken } from '../accounts/owner-setup.ts';
import { tokenSecret } from '../accounts/signed-tokens.ts';
import { addUser } from '../accounts/users.ts';
import { newGoal } from '../sites/goals.ts';
import { newShareLink } from '../sites/share-links.ts';
import { newSiteKey } from '../sites/site-keys.ts';
import { newIntegrationKey } from '../sites/integration-keys.ts';
import type { Section, User } from '../store/store.ts';
import { startMailbox, type Mailbox } from '../testing/mailbox.ts';
import { startHarness, type Harness } from '../testing/harness.ts';
import { addSite } from '../sites/add-site.ts';
import type { Route } from './routes.ts';

const CALLERS = ['anonymous', 'clientA', 'clientB', 'admin', 'owner', 'tokenA', 'revokedToken', 'siteKeyA', 'shareA', 'revokedShare', 'integrationA', 'revokedIntegration'] as const;
type Caller = (typeof CALLERS)[number];
type SiteName = 'A' | 'B';

interface SiteRef {
  id: string;
  name: string;
  /** Strings only this site's data contains. */
  markers: string[];
}

let h: Harness;
let mailbox: Mailbox;
let logins: Logins;
let secret: Buffer;
const sites = {} as Record<SiteName, SiteRef>;
const users = {} as Record<'owner' | 'admin' | 'clientA' | 'clientB', User>;
const PASSWORD = 'matrix password 123';
const BEARERS = ['tokenA', 'revokedToken', 'siteKeyA', 'shareA', 'revokedShare', 'integrationA', 'revokedIntegration'] as const;
const bearer = {} as Record<(typeof BEARERS)[number], string>;
/** Callers whose credential was revoked: nothing but public routes. */
const REVOKED: readonly Caller[] = ['anonymous', 'revokedToken', 'revokedShare', 'revokedIntegration'];
/** The sections of site A that the limited callers were given. */
const CLIENT_A: Section[] = ['traffic'];
const TOKEN_A: Section[] = ['traffic', 'realtime'];
/** What a share link of site A shows: a view token from `POST /api/share/token`. */
const SHARE_A: Section[] = ['traffic', 'goals'];
let n = 0;
const unique = () => `${++n}-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  mailbox = await startMailbox();
  h = await startHarness({ domain: 'site-a-private.example', config: { smtpUrl: mailbox.url, mailFrom: 'Cairn <cairn@example.com>' } });
  const b = await addSite(h.collector.sites, { domain: 'b-secret.example.org', name: 'B secret site' }, h.collector.publicUrl, Date.now());
  sites.A = { id: h.siteId, name: 'site-a-private.example', markers: [h.siteId, 'site-a-private', '/only-on-site-a', 'a-private-plan'] };
  sites.B = { id: b.site.id, name: 'B secret site', markers: [b.site.id, 'b-secret', '/only-on-site-b', 'B secret site'] };
  // Data on both sites: a page, a source and a custom prop that only that site has.
  const ua = { 'x-forwarded-for': '203.0.113.9' };
  for (const [ref, host, page, plan] of [
    [sites.A, 'site-a-private.example', '/only-on-site-a', 'a-private-plan'],
    [sites.B, 'b-secret.example.org', '/only-on-site-b', 'b-secret-plan'],
  ] as const) {
    expect((await h.post({ s: ref.id, n: 'pageview', u: `https://${host}${page}`, r: 'https://news.example.net/x' }, ua)).status).toBe(202);
    expect((await h.post({ s: ref.id, n: 'signup', u: `https://${host}${page}`, p: { plan } }, ua)).status).toBe(202);
  }
  await h.collector.store.events.settle();

  const now = Date.now();
  users.owner = await addUser(h.collector.store, { email: 'owner@example.com', role: 'owner', password: PASSWORD }, now);
  users.admin = await addUser(h.collector.store, { email: 'admin@example.com', role: 'admin', password: PASSWORD }, now);
  users.clientA = await addUser(h.collector.store, { email: 'client-a@example.com', role: 'client', password: PASSWORD }, now);
  users.clientB = await addUser(h.collector.store, { email: 'client-b@example.com', role: 'client', password: PASSWORD }, now);
  await h.collector.store.users.update(users.clientA.id, { grants: [{ site: sites.A.id, sections: CLIENT_A }] });
  await h.collector.store.users.update(users.clientB.id, { grants: [{ site: sites.B.id, sections: ['traffic', 'sources', 'goals', 'realtime', 'export'] }] });
  logins = new Logins(h.collector.store, Date.now);
  secret = await tokenSecret(h.collector.store.meta);

  bearer.siteKeyA = h.siteKey;
  const exchange = async (key: string, sections: Section[]) => {
    const res = await fetch(`${h.collector.url}/api/tokens/view`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ sections }) });
    expect(res.status).toBe(201);
    return ((await res.json()) as { token: string }).token;
  };
  bearer.tokenA = await exchange(h.siteKey, TOKEN_A);
  const doomed = newSiteKey(sites.A.id, 'doomed', now);
  await h.collector.store.keys.create(doomed.key);
  bearer.revokedToken = await exchange(doomed.secret, ['traffic', 'sources', 'goals', 'realtime', 'export']);
  await h.collector.store.keys.revoke(doomed.key.id, now);

  const share = async (sections: Section[]) => {
    const made = await newShareLink(sites.A.id, { sections }, now);
    await h.collector.store.keys.create(made.key);
    const res = await fetch(`${h.collector.url}/api/share/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ secret: made.secret }) });
    expect(res.status).toBe(200);
    return { id: made.key.id, token: ((await res.json()) as { token: string }).token };
  };
  bearer.shareA = (await share(SHARE_A)).token;
  const revoked = await share(['traffic', 'sources', 'goals', 'realtime', 'export']);
  bearer.revokedShare = revoked.token;
  await h.collector.store.keys.revoke(revoked.id, now);

  // An app server's integration key that created site A (and so manages it), and a revoked one.
  const integration = newIntegrationKey('Shopify app', now);
  await h.collector.store.keys.create(integration.key);
  await h.collector.sites.update(sites.A.id, { integration: integration.key.id });
  bearer.integrationA = integration.secret;
  const gone = newIntegrationKey('Old app', now);
  await h.collector.store.keys.create(gone.key);
  await h.collector.store.keys.revoke(gone.key.id, now);
  bearer.revokedIntegration = gone.secret;
});
afterAll(async () => {
  await h?.stop();
  await mailbox?.close();
});

/** A throwaway client (the target of user routes that change or remove one). */
const throwaway = (password?: string) => addUser(h.collector.store, { email: `throwaway-${unique()}@example.com`, role: 'client', ...(password ? { password } : {}) }, Date.now());

interface Example {
  params?: Record<string, string>;
  query?: string;
  body?: unknown;
  /** For a public route whose example cannot succeed here: the status everyone gets. */
  expect?: number;
  /** Undoes what the example or an allowed call changed, so that the next cell starts alike. */
  after?: () => Promise<unknown>;
}

/** A request that succeeds for a caller allowed to make it; one per route of the table. */
const EXAMPLES: Record<string, (site: SiteRef) => Promise<Example> | Example> = {
  'POST /api/auth/login': async () => {
    const user = await throwaway(PASSWORD);
    return { body: { email: user.email, password: PASSWORD } };
  },
  'GET /api/auth/me': () => ({}),
  'POST /api/auth/logout': () => ({}),
  'POST /api/auth/password': () => ({ body: { current: PASSWORD, next: PASSWORD } }),
  'GET /api/auth/setup': () => ({}),
  // There is an owner already: everyone is told so (first start is tested in user-routes.e2e.test.ts).
  'POST /api/auth/setup': async () => ({ body: { token: setupToken(secret, Date.now()), email: `owner-${unique()}@example.com`, password: PASSWORD }, expect: 409 }),
  'POST /api/auth/reset-request': () => ({ body: { email: `nobody-${unique()}@example.com` } }),
  'POST /api/auth/reset': async () => ({ body: { token: passwordLink(secret, await throwaway(), 'invite', Date.now()), password: PASSWORD } }),
  'GET /api/audit': () => ({}),
  'GET /api/health': () => ({}),
  'GET /api/tracker': () => ({}),
  'GET /api/sites': () => ({}),
  'POST /api/sites': () => ({ body: { domain: `new-${unique()}.example.net` } }),
  'GET /api/sites/:site': () => ({}),
  'PATCH /api/sites/:site': (s) => ({ body: { name: s.name } }),
  'DELETE /api/sites/:site': (s) => ({ body: { confirm: s.id }, after: () => h.collector.sites.update(s.id, { deletedAt: null }) }),
  'POST /api/sites/:site/restore': async (s) => {
    await h.collector.sites.update(s.id, { deletedAt: Date.now() });
    return { after: () => h.collector.sites.update(s.id, { deletedAt: null }) };
  },
  'GET /api/sites/:site/live-check': () => ({ query: 'after=0' }),
  'GET /api/sites/:site/shares': () => ({}),
  'POST /api/sites/:site/shares': () => ({ body: { name: 'matrix', sections: ['traffic'] } }),
  'DELETE /api/sites/:site/shares/:share': async (s) => {
    const made = await newShareLink(s.id, { sections: ['traffic'] }, Date.now());
    await h.collector.store.keys.create(made.key);
    return { params: { share: made.key.id } };
  },
  // A link of a third site: whoever holds a link sees its site's name, which the leak check would take for A's.
  'POST /api/share/token': async () => {
    const c = await addSite(h.collector.sites, { domain: `c-${unique()}.example.net` }, h.collector.publicUrl, Date.now());
    const made = await newShareLink(c.site.id, { sections: ['traffic'] }, Date.now());
    await h.collector.store.keys.create(made.key);
    return { body: { secret: made.secret } };
  },
  'GET /api/sites/:site/goals': () => ({}),
  'POST /api/sites/:site/goals': () => ({ body: { kind: 'event', match: 'signup' } }),
  'DELETE /api/sites/:site/goals/:goal': async (s) => {
    const goal = newGoal({ kind: 'page', match: '/thanks' });
    await h.collector.store.goals.create(s.id, goal);
    return { params: { goal: goal.id } };
  },
  'GET /api/sites/:site/keys': () => ({}),
  'POST /api/sites/:site/keys': () => ({ body: { name: 'matrix' } }),
  'DELETE /api/sites/:site/keys/:key': async (s) => {
    const { key } = newSiteKey(s.id, 'to revoke', Date.now());
    await h.collector.store.keys.create(key);
    return { params: { key: key.id } };
  },
  'POST /api/tokens/view': () => ({ body: { sections: ['traffic'] } }),
  'POST /api/sites/:site/tokens/view': () => ({ body: { sections: ['traffic'], ttl: 600 } }),
  'GET /api/integrations': () => ({}),
  'POST /api/integrations': () => ({ body: { name: 'matrix app' } }),
  'DELETE /api/integrations/:key': async () => {
    const { key } = newIntegrationKey('to revoke', Date.now());
    await h.collector.store.keys.create(key);
    return { params: { key: key.id } };
  },
  'GET /api/users': () => ({}),
  'POST /api/users': () => ({ body: { email: `new-${unique()}@example.com`, role: 'client', grants: [] } }),
  'PATCH /api/users/:user': async () => ({ params: { user: (await throwaway()).id }, body: { name: 'Renamed' } }),
  'DELETE /api/users/:user': async () => ({ params: { user: (await throwaway()).id } }),
  'POST /api/users/:user/invitation': async () => ({ params: { user: (await throwaway()).id } }),
  'GET /api/stats/:site/summary': () => ({ query: 'period=30d' }),
  'GET /api/stats/:site/timeseries': () => ({ query: 'period=7d' }),
  'GET /api/stats/:site/dashboard': () => ({ query: 'period=30d&breakdowns=page,country' }),
  'GET /api/stats/:site/breakdown/:dimension': () => ({ params: { dimension: 'source' }, query: 'period=30d' }),
  'GET /api/stats/:site/goals': () => ({ query: 'period=30d' }),
  'GET /api/stats/:site/funnel': () => ({ query: `period=30d&steps=${encodeURIComponent('[{"kind":"page","match":"/*"},{"kind":"event","match":"signup"}]')}` }),
  'GET /api/stats/:site/filtered': () => ({ query: 'period=30d' }),
  'GET /api/stats/:site/vitals': () => ({ query: 'period=30d' }),
  'GET /api/stats/:site/realtime': () => ({}),
  'GET /api/stats/:site/export': () => ({ query: 'period=30d&format=ndjson' }),
};

const keyOf = (r: Pick<Route, 'method' | 'path'>) => `${r.method.toUpperCase()} ${r.path}`;
const hasSite = (r: Route) => r.path.includes(':site');

/** What a caller should get from a route on a site: 'ok' (2xx), 401 or 403, from the route's declared access. */
function expected(route: Route, caller: Caller, site: SiteName, ex: Example): 'ok' | number {
  const a = route.access;
  if (a.kind === 'public') return ex.expect ?? 'ok';
  if (REVOKED.includes(caller)) return 401;
  if (a.kind === 'site-key') return caller === 'siteKeyA' ? 'ok' : 401;
  if (a.kind === 'integration') return caller !== 'integrationA' ? 401 : site === 'A' ? 'ok' : 403;
  const req = { params: { site: sites[site].id, ...ex.params }, query: Object.fromEntries(new URLSearchParams(ex.query ?? '')) } as never;
  const granted = (): readonly Section[] => {
    if (caller === 'owner' || caller === 'admin') return ['traffic', 'sources', 'goals', 'realtime', 'export'];
    if (caller === 'clientA') return site === 'A' ? CLIENT_A : [];
    if (caller === 'clientB') return site === 'B' ? ['traffic', 'sources', 'goals', 'realtime', 'export'] : [];
    if (caller === 'tokenA') return site === 'A' ? TOKEN_A : [];
    if (caller === 'shareA') return site === 'A' ? SHARE_A : [];
    return site === 'A' ? ['traffic', 'sources', 'goals', 'realtime', 'export'] : []; // siteKeyA, integrationA (it created A)
  };
  if (a.kind === 'read') {
    const g = granted();
    return g.length > 0 && a.sections(req).every((s) => g.includes(s)) ? 'ok' : 403;
  }
  // An integration key: the management routes open to integrations, on the sites it created.
  if (caller === 'integrationA') {
    if (!a.integrations) return 401;
    return a.kind === 'session' || site === 'A' ? 'ok' : 403;
  }
  // Management routes take a session only.
  if (caller === 'tokenA' || caller === 'siteKeyA' || caller === 'shareA') return 401;
  const role = users[caller as keyof typeof users].role;
  if (!a.roles.includes(role)) return 403;
  if (a.kind === 'session') return 'ok';
  if (a.deleted && role === 'client') return 403;
  const g = granted();
  return g.length > 0 && (a.sections?.(req) ?? []).every((s) => g.includes(s)) ? 'ok' : 403;
}

/** Whether a caller may see anything of a site at all (for the leak check). */
function sees(caller: Caller, site: SiteName): boolean {
  if (caller === 'owner' || caller === 'admin') return true;
  if (caller === 'clientB') return site === 'B';
  return site === 'A' && !REVOKED.includes(caller);
}

/** The headers a caller sends: a fresh session for users (with its CSRF token, from the dashboard's origin). */
async function headersOf(caller: Caller): Promise<Record<string, string>> {
  const base = { 'x-forwarded-for': `198.51.100.${(n % 250) + 1}`, origin: h.collector.url, 'content-type': 'application/json' };
  if (caller === 'anonymous') return base;
  if ((BEARERS as readonly string[]).includes(caller)) return { ...base, authorization: `Bearer ${bearer[caller as (typeof BEARERS)[number]]}` };
  const { token, session } = await logins.start(users[caller as keyof typeof users]);
  return { ...base, cookie: `cairn_session=${token}`, 'x-csrf-token': session.csrf };
}

async function call(route: Route, caller: Caller, site: SiteName) {
  const ex = await EXAMPLES[keyOf(route)]!(sites[site]);
  const params: Record<string, string> = { site: sites[site].id, ...ex.params };
  const path = route.path.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(params[name]!));
  const res = await fetch(`${h.collector.url}${path}${ex.query ? `?${ex.query}` : ''}`, {
    method: route.method.toUpperCase(),
    headers: await headersOf(caller),
    ...(ex.body === undefined ? {} : { body: JSON.stringify(ex.body) }),
  });
  const text = await res.text();
  await ex.after?.();
  return { status: res.status, text, ex };
}

describe('the route table', () => {
  it('is everything the app mounts: flat routes, no sub-routers, plus /healthz', () => {
    const stack = (h.collector.app as unknown as { router: { stack: { route?: { path: string; methods: Record<string, boolean> }; handle: { stack?: unknown } }[] } }).router.stack;
    expect(stack.filter((l) => !l.route && l.handle.stack)).toEqual([]);
    const mounted = stack.flatMap((l) => (l.route ? Object.keys(l.route.methods).map((m) => `${m.toUpperCase()} ${l.route!.path}`) : []));
    expect(mounted.sort()).toEqual([...h.collector.routes.map(keyOf), 'GET /healthz'].sort());
  });

  it('has an example request for every route, and none for routes that no longer exist', () => {
    expect(Object.keys(EXAMPLES).sort()).toEqual(h.collector.routes.map(keyOf).sort());
  });

  it('declares what a client limited to the traffic of site A may do there', async () => {
    const allowed: string[] = [];
    for (const r of h.collector.routes) {
      const ex = await EXAMPLES[keyOf(r)]!(sites.A);
      if (expected(r, 'clientA', 'A', ex) === 'ok') allowed.push(keyOf(r));
      await ex.after?.();
    }
    expect(allowed.sort()).toEqual(
      [
        'POST /api/auth/login',
        'GET /api/auth/setup',
        'GET /api/auth/me',
        'POST /api/auth/logout',
        'POST /api/auth/password',
        'POST /api/auth/reset-request',
        'POST /api/auth/reset',
        'POST /api/share/token',
        'GET /api/tracker',
        'GET /api/sites',
        'GET /api/sites/:site',
        'GET /api/stats/:site/summary',
        'GET /api/stats/:site/timeseries',
        'GET /api/stats/:site/dashboard',
        'GET /api/stats/:site/vitals',
      ].sort(),
    );
  });
});

describe('an integration key', () => {
  it('declares what the integration key that created site A may do there', async () => {
    const allowed: string[] = [];
    for (const r of h.collector.routes) {
      const ex = await EXAMPLES[keyOf(r)]!(sites.A);
      if (r.access.kind !== 'public' && expected(r, 'integrationA', 'A', ex) === 'ok') allowed.push(keyOf(r));
      await ex.after?.();
    }
    expect(allowed.sort()).toEqual(
      [
        'GET /api/sites',
        'POST /api/sites',
        'GET /api/sites/:site',
        'PATCH /api/sites/:site',
        'DELETE /api/sites/:site',
        'GET /api/sites/:site/live-check',
        'GET /api/sites/:site/goals',
        'POST /api/sites/:site/goals',
        'DELETE /api/sites/:site/goals/:goal',
        'GET /api/sites/:site/keys',
        'POST /api/sites/:site/keys',
        'DELETE /api/sites/:site/keys/:key',
        'POST /api/sites/:site/tokens/view',
        'GET /api/stats/:site/summary',
        'GET /api/stats/:site/timeseries',
        'GET /api/stats/:site/dashboard',
        'GET /api/stats/:site/breakdown/:dimension',
        'GET /api/stats/:site/goals',
        'GET /api/stats/:site/funnel',
        'GET /api/stats/:site/vitals',
        'GET /api/stats/:site/realtime',
        'GET /api/stats/:site/export',
      ].sort(),
    );
  });

  it('is made by an admin, creates sites and mints their view tokens, lists only its sites, is audited, and stops when revoked', async () => {
    const owner = await headersOf('owner');
    const made = await fetch(`${h.collector.url}/api/integrations`, { method: 'POST', headers: owner, body: JSON.stringify({ name: 'Webflow app' }) });
    expect(made.status).toBe(201);
    const { key, secret: ik } = (await made.json()) as { key: { id: string; last4: string }; secret: string };
    expect(ik).toMatch(/^cairn_ik_/);
    expect(ik.endsWith(key.last4)).toBe(true);
    const listedKeys = await (await fetch(`${h.collector.url}/api/integrations`, { headers: owner })).text();
    expect(listedKeys).toContain(key.id);
    expect(listedKeys).not.toContain(ik);

    const auth = { authorization: `Bearer ${ik}`, 'content-type': 'application/json' };
    const created = await fetch(`${h.collector.url}/api/sites`, { method: 'POST', headers: auth, body: JSON.stringify({ domain: `shop-${unique()}.example.com` }) });
    expect(created.status).toBe(201);
    const { site } = (await created.json()) as { site: { id: string; integration?: string } };
    expect(site.integration).toBe(key.id);
    const listed = (await (await fetch(`${h.collector.url}/api/sites`, { headers: auth })).json()) as { sites: { id: string }[] };
    expect(listed.sites.map((s) => s.id)).toEqual([site.id]);
    // Another integration's site and a site of the dashboard are not its own.
    expect((await fetch(`${h.collector.url}/api/sites/${sites.A.id}`, { headers: auth })).status).toBe(403);

    const minted = await fetch(`${h.collector.url}/api/sites/${site.id}/tokens/view`, { method: 'POST', headers: auth, body: JSON.stringify({ sections: ['traffic'] }) });
    expect(minted.status).toBe(201);
    const { token } = (await minted.json()) as { token: string };
    const read = () => fetch(`${h.collector.url}/api/stats/${site.id}/summary?period=7d`, { headers: { authorization: `Bearer ${token}` } });
    expect((await read()).status).toBe(200);
    // Its secret is no site key, and a site key opens no integration route.
    expect((await fetch(`${h.collector.url}/api/tokens/view`, { method: 'POST', headers: auth, body: '{}' })).status).toBe(401);
    expect((await fetch(`${h.collector.url}/api/sites/${sites.A.id}/tokens/view`, { method: 'POST', headers: { ...auth, authorization: `Bearer ${h.siteKey}` }, body: '{}' })).status).toBe(401);

    const audit = (await (await fetch(`${h.collector.url}/api/audit`, { headers: owner })).json()) as { entries: { actor: string | null; action: string; target: string }[] };
    expect(audit.entries.find((e) => e.action === 'site.create' && e.target === site.id)).toMatchObject({ actor: `integration:${key.id}` });
    expect(audit.entries.find((e) => e.action === 'integration.create' && e.target === key.id)).toMatchObject({ actor: users.owner.id });

    expect((await fetch(`${h.collector.url}/api/integrations/${key.id}`, { method: 'DELETE', headers: owner })).status).toBe(204);
    expect((await fetch(`${h.collector.url}/api/sites`, { headers: auth })).status).toBe(401);
    expect((await read()).status).toBe(401);
    // The site stays, for the owner and admins.
    expect((await fetch(`${h.collector.url}/api/sites/${site.id}`, { headers: owner })).status).toBe(200);
  });
});

describe('every route × every caller × both sites', () => {
  it('answers each cell as the route declares, and never with data of a site the caller may not see', async () => {
    const failures: string[] = [];
    let cells = 0;
    for (const route of h.collector.routes) {
      for (const caller of CALLERS) {
        for (const site of hasSite(route) ? (['A', 'B'] as const) : (['A'] as const)) {
          cells++;
          const { status, text, ex } = await call(route, caller, site);
          const want = expected(route, caller, site, ex);
          const got = status >= 200 && status < 300 ? 'ok' : status;
          const where = `${keyOf(route)} as ${caller} on site ${site}`;
          if (got !== want) failures.push(`${where}: expected ${want}, got ${status} ${text.slice(0, 160)}`);
          for (const other of ['A', 'B'] as const) {
            if (sees(caller, other)) continue;
            const leaked = sites[other].markers.filter((m) => text.includes(m) && !(other === site && m === sites[other].id && status >= 400));
            if (leaked.length > 0) failures.push(`${where}: the answer shows site ${other}'s ${leaked.join(', ')}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(cells).toBeGreaterThan(400);
  });
});

describe('the realtime WebSocket', () => {
  it('lets in whoever may read the realtime section of the site, and no one else', async () => {
    const statusOf = async (caller: Caller, site: SiteName) => {
      const headers = await headersOf(caller);
      const ws = new WebSocket(`${h.collector.url.replace('http', 'ws')}/api/realtime?site=${sites[site].id}`, { headers });
      return new Promise<number>((resolve) => {
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      });
    };
    const got: string[] = [];
    for (const caller of CALLERS) for (const site of ['A', 'B'] as const) got.push(`${caller} ${site} ${await statusOf(caller, site)}`);
    expect(got).toEqual([
      'anonymous A 401',
      'anonymous B 401',
      'clientA A 403', // granted traffic only
      'clientA B 403',
      'clientB A 403',
      'clientB B 101',
      'admin A 101',
      'admin B 101',
      'owner A 101',
      'owner B 101',
      'tokenA A 101',
      'tokenA B 403',
      'revokedToken A 401',
      'revokedToken B 401',
      'siteKeyA A 101',
      'siteKeyA B 403',
      'shareA A 403', // a share link of traffic and goals
      'shareA B 403',
      'revokedShare A 401',
      'revokedShare B 401',
      'integrationA A 101', // it created site A
      'integrationA B 403',
      'revokedIntegration A 401',
      'revokedIntegration B 401',
    ]);
  });
});

describe('CSRF', () => {
  it('refuses every state-changing session route from another origin, or without the session token', async () => {
    const failures: string[] = [];
    const routes = h.collector.routes.filter((r) => r.method !== 'get' && (r.access.kind === 'session' || r.access.kind === 'site'));
    expect(routes.length).toBeGreaterThan(10);
    for (const route of routes) {
      for (const attack of ['cross-origin', 'no token', 'no origin'] as const) {
        const ex = await EXAMPLES[keyOf(route)]!(sites.A);
        const params: Record<string, string> = { site: sites.A.id, ...ex.params };
        const headers = await headersOf('owner');
        if (attack === 'cross-origin') headers.origin = 'https://evil.example';
        if (attack === 'no token') delete headers['x-csrf-token'];
        if (attack === 'no origin') delete headers.origin;
        const res = await fetch(`${h.collector.url}${route.path.replace(/:(\w+)/g, (_, k: string) => params[k]!)}`, {
          method: route.method.toUpperCase(),
          headers,
          ...(ex.body === undefined ? {} : { body: JSON.stringify(ex.body) }),
        });
        const body = (await res.json().catch(() => null)) as { error?: { code?: string } } | null;
        if (res.status !== 403 || body?.error?.code !== 'csrf') failures.push(`${keyOf(route)} (${attack}): ${res.status} ${JSON.stringify(body)}`);
        await ex.after?.();
      }
    }
    expect(failures).toEqual([]);
  });

  it('refuses a login, a reset request and a reset posted from another origin', async () => {
    for (const path of ['/api/auth/login', '/api/auth/reset-request', '/api/auth/reset']) {
      const res = await fetch(`${h.collector.url}${path}`, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/json' }, body: '{}' });
      expect(res.status, path).toBe(403);
    }
  });
});
