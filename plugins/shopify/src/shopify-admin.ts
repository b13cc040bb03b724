/**
 * The Shopify endpoints the app calls, as shopify.dev documents them: the OAuth authorization code
 * exchange and the Admin GraphQL API (the shop's name and domains; the app's own metafields that
 * the theme app embed reads). `origin` is `https://{shop}` (a stub in tests).
 */
import { HttpError } from './http-error.ts';

/** The Admin API version the app's query is written against. */
export const ADMIN_API_VERSION = '2025-10';

export interface ShopInfo {
  name: string;
  myshopifyDomain: string;
  primaryDomain?: { host: string } | null;
  /** The shop's time zone (`Europe/Berlin`): its Cairn site's days start at its midnight. */
  ianaTimezone?: string | null;
}

/** `POST /admin/oauth/access_token`: no `grant_options[]=per-user` was asked, so the token is offline. */
export async function exchangeCode(origin: string, input: { apiKey: string; apiSecret: string; code: string }): Promise<{ accessToken: string; scope: string }> {
  const res = await shopifyFetch(`${origin}/admin/oauth/access_token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ client_id: input.apiKey, client_secret: input.apiSecret, code: input.code }),
  });
  if (!res.ok) throw new HttpError(502, 'shopify_refused', `Shopify refused the authorization code: ${res.status}`);
  const body = (await res.json()) as { access_token?: string; scope?: string; associated_user?: unknown };
  if (!body.access_token) throw new HttpError(502, 'shopify_refused', 'Shopify answered without an access token');
  if (body.associated_user) throw new HttpError(502, 'shopify_refused', 'Shopify answered an online token; the app needs an offline one');
  return { accessToken: body.access_token, scope: body.scope ?? '' };
}

/** The shop's name and domains, from the Admin GraphQL API. */
export async function fetchShop(origin: string, accessToken: string): Promise<ShopInfo> {
  const res = await shopifyFetch(`${origin}/admin/api/${ADMIN_API_VERSION}/graphql.json`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-shopify-access-token': accessToken },
    body: JSON.stringify({ query: '{ shop { name myshopifyDomain primaryDomain { host } ianaTimezone } }' }),
  });
  if (!res.ok) throw new HttpError(502, 'shopify_refused', `Shopify's Admin API answered ${res.status}`);
  const body = (await res.json()) as { data?: { shop?: ShopInfo }; errors?: unknown };
  if (!body.data?.shop) throw new HttpError(502, 'shopify_refused', `Shopify's Admin API answered no shop: ${JSON.stringify(body.errors ?? body).slice(0, 200)}`);
  return body.data.shop;
}

/** An Admin GraphQL request; its `data`, or a 502 naming Shopify's errors. */
async function graphql<T>(origin: string, accessToken: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await shopifyFetch(`${origin}/admin/api/${ADMIN_API_VERSION}/graphql.json`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-shopify-access-token': accessToken },
    body: JSON.stringify({ query, ...(variables ? { variables } : {}) }),
  });
  if (!res.ok) throw new HttpError(502, 'shopify_refused', `Shopify's Admin API answered ${res.status}`);
  const body = (await res.json()) as { data?: T; errors?: unknown };
  if (!body.data || body.errors) throw new HttpError(502, 'shopify_refused', `Shopify's Admin API answered: ${JSON.stringify(body.errors ?? body).slice(0, 200)}`);
  return body.data;
}

/**
 * Writes the app-data metafields the theme app embed reads (`app.metafields.cairn.site_id`,
 * `app.metafields.cairn.collector_url`): metafields of the app's own installation, which only the
 * app can write and its theme extension read (no extra access scope).
 */
export async function setEmbedMetafields(origin: string, accessToken: string, values: { siteId: string; collectorUrl: string }): Promise<void> {
  const { currentAppInstallation } = await graphql<{ currentAppInstallation: { id: string } }>(origin, accessToken, '{ currentAppInstallation { id } }');
  const field = (key: string, value: string) => ({ ownerId: currentAppInstallation.id, namespace: 'cairn', key, type: 'single_line_text_field', value });
  const { metafieldsSet } = await graphql<{ metafieldsSet: { userErrors: { field?: string[]; message: string }[] } }>(
    origin,
    accessToken,
    'mutation SetCairn($metafields: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $metafields) { metafields { key } userErrors { field message } } }',
    { metafields: [field('site_id', values.siteId), field('collector_url', values.collectorUrl)] },
  );
  if (metafieldsSet.userErrors.length > 0) throw new HttpError(502, 'shopify_refused', `Shopify refused the app's metafields: ${metafieldsSet.userErrors.map((e) => e.message).join('; ')}`);
}

/** The app embed block's handle: `blocks/cairn.liquid` of the theme app extension. */
export const EMBED_HANDLE = 'cairn';

/**
 * Whether the shop's published theme has the app's embed turned on: its `config/settings_data.json`
 * lists app embeds under `current.blocks`, each `{ type: "shopify://apps/<app>/blocks/<handle>/<id>",
 * disabled }` (a theme that never had it turned on does not list it). `null` when there is no
 * published theme or no such file.
 */
export async function embedEnabled(origin: string, accessToken: string): Promise<boolean | null> {
  const data = await graphql<{ themes: { nodes: { files: { nodes: { body: { content?: string } }[] } }[] } }>(
    origin,
    accessToken,
    '{ themes(first: 1, roles: [MAIN]) { nodes { files(filenames: ["config/settings_data.json"]) { nodes { body { ... on OnlineStoreThemeFileBodyText { content } } } } } } }',
  );
  const content = data.themes.nodes[0]?.files.nodes[0]?.body.content;
  if (content === undefined) return null;
  // Shopify writes a comment above the JSON of theme settings files.
  const settings = JSON.parse(content.replace(/^\s*\/\*[\s\S]*?\*\//, '')) as { current?: { blocks?: Record<string, { type?: string; disabled?: boolean }> } | string };
  const blocks = typeof settings.current === 'object' ? Object.values(settings.current.blocks ?? {}) : [];
  return blocks.some((b) => new RegExp(`^shopify://apps/[^/]+/blocks/${EMBED_HANDLE}/`).test(b.type ?? '') && b.disabled !== true);
}

/** The theme editor of the published theme, open on App embeds with the app's embed to turn on (shopify.dev: deep linking). */
export const embedDeepLink = (shop: string, apiKey: string) => `https://${shop}/admin/themes/current/editor?context=apps&activateAppId=${encodeURIComponent(apiKey)}/${EMBED_HANDLE}`;

async function shopifyFetch(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  } catch (cause) {
    throw new HttpError(502, 'shopify_unreachable', `Shopify could not be reached: ${(cause as Error).message}`);
  }
}
