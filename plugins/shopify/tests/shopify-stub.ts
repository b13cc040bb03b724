/**
 * A local stand-in for the Shopify endpoints the app calls, built from shopify.dev (Shopify is
 * unreachable here): the OAuth authorization code exchange (`POST /admin/oauth/access_token`, a
 * single-use code for the app's client id and secret → `{ access_token, scope }`) and the Admin
 * GraphQL API (`X-Shopify-Access-Token` required, else 401): the `shop` query, the
 * `currentAppInstallation` query and the `metafieldsSet` mutation (owner: that installation), and
 * the published theme's `config/settings_data.json` (`themes(roles: [MAIN]) { … files … }`).
 * Served under `/{shop}/…`.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubShop {
  name: string;
  primaryDomain?: string;
}

export interface ShopifyStub {
  url: string;
  /** `https://{shop}` for the app: this stub, under the shop's path. */
  origin(shop: string): string;
  /** A fresh authorization code, as Shopify puts in the callback after the merchant approves. */
  code(shop: string): string;
  /** Access tokens issued, by shop. */
  tokens: Map<string, string>;
  /** Every request the stub answered: `METHOD /path`. */
  calls: string[];
  /** The app-data metafields set, by shop: `namespace.key` → value. */
  metafields: Map<string, Record<string, string>>;
  /** The published theme's `config/settings_data.json` text, by shop (none: no published theme). */
  settingsData: Map<string, string>;
  close(): Promise<void>;
}

export async function startShopifyStub(app: { apiKey: string; apiSecret: string }, shops: Record<string, StubShop>): Promise<ShopifyStub> {
  const codes = new Map<string, string>();
  const tokens = new Map<string, string>();
  const calls: string[] = [];
  const metafields = new Map<string, Record<string, string>>();
  const settingsData = new Map<string, string>();
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString()) as Record<string, string> & { query?: string; variables?: { metafields?: { ownerId: string; namespace: string; key: string; type: string; value: string }[] } }) : {};
    const [, shop = '', ...rest] = (req.url ?? '').split('/');
    const path = `/${rest.join('/')}`;
    calls.push(`${req.method} ${path}`);
    const send = (status: number, answer: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    if (!shops[shop]) return send(404, { errors: 'Not Found' });

    if (req.method === 'POST' && path === '/admin/oauth/access_token') {
      if (body.client_id !== app.apiKey || body.client_secret !== app.apiSecret) return send(400, { error: 'invalid_client' });
      if (!body.code || codes.get(body.code) !== shop) return send(400, { error: 'invalid_request', error_description: 'The authorization code was not found or was already used' });
      codes.delete(body.code);
      const token = `shpat_${randomBytes(16).toString('hex')}`;
      tokens.set(shop, token);
      return send(200, { access_token: token, scope: 'read_themes' });
    }
    if (req.method === 'POST' && /^\/admin\/api\/\d{4}-\d{2}\/graphql\.json$/.test(path)) {
      if (!req.headers['x-shopify-access-token'] || req.headers['x-shopify-access-token'] !== tokens.get(shop)) {
        return send(401, { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
      }
      const installation = `gid://shopify/AppInstallation/${shop.length}`;
      if (body.query?.includes('currentAppInstallation')) return send(200, { data: { currentAppInstallation: { id: installation } } });
      if (body.query?.includes('themes(')) {
        const content = settingsData.get(shop);
        const nodes = content === undefined ? [] : [{ files: { nodes: [{ body: { content } }] } }];
        return send(200, { data: { themes: { nodes } } });
      }
      if (body.query?.includes('metafieldsSet')) {
        const fields = body.variables?.metafields ?? [];
        const userErrors = fields.filter((f) => f.ownerId !== installation || f.type !== 'single_line_text_field').map(() => ({ field: ['metafields'], message: 'Owner or type is invalid' }));
        if (userErrors.length === 0) metafields.set(shop, { ...metafields.get(shop), ...Object.fromEntries(fields.map((f) => [`${f.namespace}.${f.key}`, f.value])) });
        return send(200, { data: { metafieldsSet: { metafields: fields.map((f) => ({ key: f.key })), userErrors } } });
      }
      const info = shops[shop]!;
      return send(200, { data: { shop: { name: info.name, myshopifyDomain: shop, primaryDomain: { host: info.primaryDomain ?? shop } } } });
    }
    send(404, { errors: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    origin: (shop) => `${url}/${shop}`,
    code(shop) {
      const code = randomBytes(8).toString('hex');
      codes.set(code, shop);
      return code;
    },
    tokens,
    calls,
    metafields,
    settingsData,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
