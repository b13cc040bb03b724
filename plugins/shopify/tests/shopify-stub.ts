/**
 * A local stand-in for the Shopify endpoints the app calls, built from shopify.dev (Shopify is
 * unreachable here): the OAuth authorization code exchange (`POST /admin/oauth/access_token`, a
 * single-use code for the app's client id and secret → `{ access_token, scope }`) and the Admin
 * GraphQL API (`X-Shopify-Access-Token` required, else 401): the `shop` query, the
 * `currentAppInstallation` query and the `metafieldsSet` mutation (owner: that installation), and
 * the published theme's `config/settings_data.json` (`themes(roles: [MAIN]) { … files … }`);
 * the app's web pixel (`webPixel`: "No web pixel was found for this app." while there is none;
 * `webPixelCreate` (TAKEN when one exists), `webPixelUpdate` (NOT_FOUND for another id), their
 * `settings` a JSON string refused as INVALID_SETTINGS unless its keys are the `[settings.fields.*]`
 * of extensions/cairn-pixel/shopify.extension.toml, all strings).
 * Served under `/{shop}/…`.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubShop {
  name: string;
  primaryDomain?: string;
  /** `shop.ianaTimezone`; none: the field is null. */
  timezone?: string;
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
  /** The app's web pixel, by shop: its id and `settings` JSON string. */
  webPixels: Map<string, { id: string; settings: string }>;
  close(): Promise<void>;
}

export async function startShopifyStub(app: { apiKey: string; apiSecret: string }, shops: Record<string, StubShop>): Promise<ShopifyStub> {
  const codes = new Map<string, string>();
  const tokens = new Map<string, string>();
  const calls: string[] = [];
  const metafields = new Map<string, Record<string, string>>();
  const settingsData = new Map<string, string>();
  const webPixels = new Map<string, { id: string; settings: string }>();
  const pixelFields = [...readFileSync(new URL('../extensions/cairn-pixel/shopify.extension.toml', import.meta.url), 'utf8').matchAll(/^\[settings\.fields\.(\w+)\]/gm)].map((m) => m[1]!).sort();
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
      const pixelMutation = /\b(webPixelCreate|webPixelUpdate)\(/.exec(body.query ?? '')?.[1];
      if (pixelMutation) {
        const input = body.variables as unknown as { id?: string; webPixel?: { settings?: unknown } };
        const existing = webPixels.get(shop);
        const refuse = (code: string, message: string) => send(200, { data: { [pixelMutation]: { webPixel: null, userErrors: [{ code, field: ['webPixel', 'settings'], message }] } } });
        if (pixelMutation === 'webPixelCreate' && existing) return refuse('TAKEN', 'Web pixel is taken.');
        if (pixelMutation === 'webPixelUpdate' && existing?.id !== input.id) return refuse('NOT_FOUND', 'Web pixel does not exist.');
        let parsed: unknown;
        try {
          parsed = JSON.parse(String(input.webPixel?.settings));
        } catch {
          return refuse('INVALID_CONFIGURATION_JSON', 'Settings are not valid JSON.');
        }
        const values = Object.entries((parsed ?? {}) as Record<string, unknown>);
        if (values.map(([k]) => k).sort().join() !== pixelFields.join() || values.some(([, v]) => typeof v !== 'string')) return refuse('INVALID_SETTINGS', 'Settings do not match the settings definition.');
        const pixel = { id: existing?.id ?? `gid://shopify/WebPixel/${shop.length}`, settings: String(input.webPixel?.settings) };
        webPixels.set(shop, pixel);
        return send(200, { data: { [pixelMutation]: { webPixel: pixel, userErrors: [] } } });
      }
      if (body.query?.includes('webPixel')) {
        const pixel = webPixels.get(shop);
        return send(200, pixel ? { data: { webPixel: pixel } } : { data: { webPixel: null }, errors: [{ message: 'No web pixel was found for this app.', path: ['webPixel'] }] });
      }
      const info = shops[shop]!;
      return send(200, { data: { shop: { name: info.name, myshopifyDomain: shop, primaryDomain: { host: info.primaryDomain ?? shop }, ianaTimezone: info.timezone ?? null } } });
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
    webPixels,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
