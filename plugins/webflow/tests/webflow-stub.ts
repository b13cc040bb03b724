/**
 * A local stand-in for the Webflow endpoints the app calls, built from developers.webflow.com
 * (Webflow is unreachable here). Every `/v2` call needs `Authorization: Bearer <token>` of a token
 * this stub issued and that reaches the site (401 / 403 otherwise). Registered and applied scripts
 * are kept **per app**, as Webflow keeps them: `GET/PUT/DELETE /sites/:id/custom_code` see and
 * replace only the calling app's list, so another app's scripts and the owner's own head code
 * survive whatever this app writes. Publishing is the owner's act (`publish()`), which snapshots
 * what the live site serves; the Data API's publish endpoint is here only to be counted.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubSite {
  id: string;
  displayName: string;
  shortName: string;
  timeZone?: string;
  customDomains: string[];
  /** What the owner pasted in Site settings → Custom code → Head (not visible to the API). */
  ownerHead?: string;
}

interface Registered {
  id: string;
  displayName: string;
  hostedLocation: string;
  integrityHash: string;
  version: string;
  canCopy: boolean;
  createdOn: string;
  lastUpdated: string;
}
interface Applied {
  id: string;
  location: 'header' | 'footer';
  version: string;
  attributes?: Record<string, string>;
}

export interface WebflowStub {
  url: string;
  /** The app's endpoints on this stub (as `config.webflow`). */
  endpoints: { authorizeUrl: string; tokenUrl: string; apiBase: string };
  /** A single-use code, as Webflow puts in the callback once the admin granted `siteIds` to app `clientId`. */
  /** `scope`: what the authorize URL asked for (space-separated); all the app's scopes when not given. */
  code(clientId: string, siteIds: string[], scope?: string): string;
  /** A token of another app, already authorized on `siteIds` (for seeding its scripts). */
  tokenFor(clientId: string, siteIds: string[]): string;
  /** Webflow stops honouring every token of `clientId` (the app was removed from the site or Workspace). */
  revoke(clientId: string): void;
  /** An ID token as `webflow.getIdToken()` gives `user` in the Designer of `siteId`, to app `clientId`'s extension (POST /beta/token/resolve reads it). */
  idToken(clientId: string, siteId: string, user?: string): string;
  /** Every `/v2` and `/oauth` call: `METHOD /path`. */
  calls: string[];
  /** An app's registered scripts and applied list on a site. */
  registered(clientId: string, siteId: string): Registered[];
  applied(clientId: string, siteId: string): Applied[];
  /** The owner clicks Publish: the live site serves the custom code as it is now. */
  publish(siteId: string): void;
  /** The `<head>` custom code of the live site, as Webflow renders it: the owner's code, then each app's applied header scripts. */
  liveHead(siteId: string): string;
  close(): Promise<void>;
}

export async function startWebflowStub(app: { clientId: string; clientSecret: string }, sites: StubSite[]): Promise<WebflowStub> {
  const codes = new Map<string, { clientId: string; siteIds: string[]; scope: string }>();
  const ALL_SCOPES = 'sites:read custom_code:read custom_code:write authorized_user:read';
  const tokens = new Map<string, { clientId: string; siteIds: string[]; authorization: string; scope: string }>();
  const scripts = new Map<string, { registered: Registered[]; applied: Applied[] }>();
  const lastPublished = new Map<string, string>();
  const live = new Map<string, string>();
  const calls: string[] = [];
  const idKey = randomBytes(32);
  const readIdToken = (token: string): { sub: string; site: string; app: string; exp: number } | undefined => {
    const [head, claims, sig] = token.split('.');
    const given = Buffer.from(sig ?? '', 'base64url');
    const expected = createHmac('sha256', idKey).update(`${head}.${claims}`).digest();
    if (!head || !claims || given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return JSON.parse(Buffer.from(claims, 'base64url').toString());
  };
  const of = (clientId: string, siteId: string) => {
    const key = `${clientId} ${siteId}`;
    if (!scripts.has(key)) scripts.set(key, { registered: [], applied: [] });
    return scripts.get(key)!;
  };
  const issue = (clientId: string, siteIds: string[], scope = ALL_SCOPES) => {
    const token = randomBytes(24).toString('hex');
    tokens.set(token, { clientId, siteIds, authorization: randomBytes(12).toString('hex'), scope: scope.split(' ').join(',') });
    return token;
  };
  const siteJson = (site: StubSite) => ({
    id: site.id,
    workspaceId: 'a'.repeat(24),
    displayName: site.displayName,
    shortName: site.shortName,
    timeZone: site.timeZone,
    createdOn: '2025-01-02T03:04:05.000Z',
    lastUpdated: '2026-01-02T03:04:05.000Z',
    ...(lastPublished.has(site.id) ? { lastPublished: lastPublished.get(site.id) } : {}),
    previewUrl: `https://screenshots.webflow.com/sites/${site.id}/preview.png`,
    customDomains: site.customDomains.map((url, i) => ({ id: `${site.id.slice(0, 20)}d00${i}`, url })),
  });
  const render = (siteId: string): string => {
    const site = sites.find((s) => s.id === siteId)!;
    const tags: string[] = site.ownerHead ? [site.ownerHead] : [];
    for (const [key, { registered, applied }] of scripts) {
      if (!key.endsWith(` ${siteId}`)) continue;
      for (const a of applied.filter((x) => x.location === 'header')) {
        const r = registered.find((x) => x.id === a.id && x.version === a.version)!;
        const attrs = Object.entries(a.attributes ?? {}).map(([k, v]) => ` ${k}="${escape(v)}"`).join('');
        tags.push(`<script src="${escape(r.hostedLocation)}" integrity="${escape(r.integrityHash)}" crossorigin="anonymous" type="text/javascript"${attrs}></script>`);
      }
    }
    return tags.join('\n');
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    calls.push(`${req.method} ${url.pathname}`);
    const send = (status: number, body?: unknown) => (body === undefined ? res.writeHead(status).end() : res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body)));
    const body = await readJson(req);

    // https://developers.webflow.com/data/reference/oauth-app — "Request an access token"
    if (req.method === 'POST' && url.pathname === '/oauth/access_token') {
      if (body.client_id !== app.clientId || body.client_secret !== app.clientSecret) return send(401, { error: 'invalid_client', error_description: 'Invalid client credentials' });
      const grant = typeof body.code === 'string' ? codes.get(body.code) : undefined;
      if (!grant || body.grant_type !== 'authorization_code') return send(400, { error: 'invalid_grant', error_description: 'The authorization code is invalid or was already used' });
      codes.delete(body.code as string);
      return send(200, { access_token: issue(grant.clientId, grant.siteIds, grant.scope), token_type: 'bearer', scope: grant.scope });
    }
    // https://developers.webflow.com/data/v2.0.0-beta/reference/token/resolve — the Designer's ID token,
    // signed with a key only Webflow holds; resolved for a token of the same app, which gets the site back.
    if (req.method === 'POST' && url.pathname === '/beta/token/resolve') {
      const holder = tokens.get(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
      if (!holder) return send(401, { code: 'not_authorized', message: 'Request not authorized' });
      // The reference: "Required scope: authorized_user:read".
      if (!holder.scope.split(',').includes('authorized_user:read')) return send(403, { code: 'missing_scopes', message: 'OAuthForbidden: missing scope authorized_user:read' });
      const claims = readIdToken(String(body.idToken ?? ''));
      if (!claims || claims.app !== holder.clientId || claims.exp * 1000 < Date.now()) return send(401, { code: 'invalid_token', message: 'Invalid ID token' });
      return send(200, { id: claims.sub, email: `${claims.sub}@studio.example`, firstName: 'Ada', lastName: 'Designer', siteId: claims.site });
    }
    if (!url.pathname.startsWith('/v2/')) return send(404, { code: 'route_not_found', message: 'Requested route not found' });
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const grant = auth ? tokens.get(auth) : undefined;
    if (!grant) return send(401, { code: 'not_authorized', message: 'Request not authorized' });
    const path = url.pathname.slice(3);

    // https://developers.webflow.com/data/reference/token/introspect
    if (req.method === 'GET' && path === '/token/introspect') {
      return send(200, { authorization: { id: grant.authorization, createdOn: '2026-01-01T00:00:00.000Z', grantType: 'authorization_code', rateLimit: 60, scope: grant.scope, authorizedTo: { siteIds: grant.siteIds, workspaceIds: [], userIds: [] } }, application: { id: grant.clientId, displayName: 'Cairn', description: 'Analytics', homepage: 'https://cairn.example' } });
    }
    // https://developers.webflow.com/data/reference/sites/list
    if (req.method === 'GET' && path === '/sites') return send(200, { sites: sites.filter((s) => grant.siteIds.includes(s.id)).map(siteJson) });

    const m = /^\/sites\/([^/]+)(\/.*)?$/.exec(path);
    const site = m ? sites.find((s) => s.id === m[1]) : undefined;
    if (!m || !site) return send(404, { code: 'resource_not_found', message: 'Requested resource not found: The site cannot be found' });
    if (!grant.siteIds.includes(site.id)) return send(403, { code: 'forbidden', message: 'The app is not authorized on this site' });
    const rest = m[2] ?? '';
    const mine = of(grant.clientId, site.id);

    // https://developers.webflow.com/data/reference/sites/get
    if (req.method === 'GET' && rest === '') return send(200, siteJson(site));
    // https://developers.webflow.com/data/reference/sites/get-custom-domain
    if (req.method === 'GET' && rest === '/custom_domains') return send(200, { customDomains: siteJson(site).customDomains });
    // https://developers.webflow.com/data/reference/custom-code/custom-code/list
    if (req.method === 'GET' && rest === '/registered_scripts') return send(200, { registeredScripts: mine.registered, pagination: { limit: 100, offset: 0, total: mine.registered.length } });
    // https://developers.webflow.com/data/reference/custom-code/custom-code/register-hosted
    if (req.method === 'POST' && rest === '/registered_scripts/hosted') {
      const { hostedLocation, integrityHash, version, displayName, canCopy } = body as Record<string, unknown>;
      if (typeof hostedLocation !== 'string' || !/^https?:\/\//.test(hostedLocation)) return send(400, badRequest('hostedLocation must be a URI'));
      if (typeof integrityHash !== 'string' || !/^sha(256|384|512)-[A-Za-z0-9+/]+=*$/.test(integrityHash)) return send(400, badRequest('integrityHash must be a Sub-Resource Integrity hash'));
      if (typeof version !== 'string' || !/^\d+\.\d+\.\d+$/.test(version)) return send(400, badRequest('version must be a Semantic Version string'));
      if (typeof displayName !== 'string' || !/^[A-Za-z0-9 ]{1,50}$/.test(displayName)) return send(400, badRequest('displayName must be between 1 and 50 alphanumeric characters'));
      const id = displayName.toLowerCase().replace(/ /g, '_');
      // Versions are immutable: the same script and version cannot be registered twice.
      if (mine.registered.some((r) => r.id === id && r.version === version)) return send(409, { code: 'conflict', message: `Version ${version} of ${displayName} is already registered` });
      const now = new Date().toISOString();
      const made: Registered = { id, displayName, hostedLocation, integrityHash, version, canCopy: canCopy === true, createdOn: now, lastUpdated: now };
      mine.registered.push(made);
      return send(201, made);
    }
    // https://developers.webflow.com/data/reference/custom-code/custom-code-sites/get-custom-code
    if (req.method === 'GET' && rest === '/custom_code') return send(200, { scripts: mine.applied, lastUpdated: '2026-01-02T03:04:05.000Z', createdOn: '2026-01-01T00:00:00.000Z' });
    // https://developers.webflow.com/data/reference/custom-code/custom-code-sites/upsert-custom-code
    if (req.method === 'PUT' && rest === '/custom_code') {
      const list = Array.isArray(body.scripts) ? (body.scripts as Applied[]) : undefined;
      if (!list) return send(400, badRequest('scripts must be a list'));
      for (const s of list) {
        if (!mine.registered.some((r) => r.id === s.id && r.version === s.version)) return send(400, badRequest(`script ${s.id} ${s.version} is not registered to this site by this app`));
        if (s.location !== 'header' && s.location !== 'footer') return send(400, badRequest('location must be header or footer'));
      }
      // Replaces this app's list only.
      mine.applied = list.map(({ id, location, version, attributes }) => ({ id, location, version, ...(attributes ? { attributes } : {}) }));
      return send(200, { scripts: mine.applied, lastUpdated: new Date().toISOString(), createdOn: '2026-01-01T00:00:00.000Z' });
    }
    // https://developers.webflow.com/data/reference/custom-code/custom-code-sites/delete-custom-code
    if (req.method === 'DELETE' && rest === '/custom_code') {
      mine.applied = [];
      return send(204);
    }
    // https://developers.webflow.com/data/reference/sites/publish — counted; the app must never call it.
    if (req.method === 'POST' && rest === '/publish') return send(202, { customDomains: [], publishToWebflowSubdomain: true });
    send(404, { code: 'route_not_found', message: 'Requested route not found' });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    endpoints: { authorizeUrl: `${url}/oauth/authorize`, tokenUrl: `${url}/oauth/access_token`, apiBase: `${url}/v2` },
    code(clientId, siteIds, scope = ALL_SCOPES) {
      const code = randomBytes(16).toString('hex');
      codes.set(code, { clientId, siteIds, scope });
      return code;
    },
    tokenFor: issue,
    idToken(clientId, siteId, user = '5f0c1a2b3c4d5e6f7a8b9c0d') {
      const now = Math.floor(Date.now() / 1000);
      const head = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: user, site: siteId, app: clientId, iat: now, exp: now + 900 })}`;
      return `${head}.${createHmac('sha256', idKey).update(head).digest('base64url')}`;
    },
    revoke(clientId) {
      for (const [token, grant] of tokens) if (grant.clientId === clientId) tokens.delete(token);
    },
    calls,
    registered: (clientId, siteId) => of(clientId, siteId).registered,
    applied: (clientId, siteId) => of(clientId, siteId).applied,
    publish(siteId) {
      lastPublished.set(siteId, new Date().toISOString());
      live.set(siteId, render(siteId));
    },
    liveHead: (siteId) => live.get(siteId) ?? '',
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const b64url = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const badRequest = (message: string) => ({ code: 'bad_request', message: `Bad Request: ${message}`, externalReference: null, details: [] });
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (!chunks.length) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>;
  } catch {
    return {};
  }
}
