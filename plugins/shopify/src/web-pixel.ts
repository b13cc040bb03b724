/**
 * Turns on the app's web pixel (extensions/cairn-pixel) for a shop with the shop's Cairn site id and
 * collector URL: the Admin GraphQL `webPixel` query (the app's one pixel on the shop, or the error
 * "No web pixel was found for this app."), then `webPixelCreate`, or `webPixelUpdate` when the
 * pixel exists with other settings. `settings` is a JSON string, validated by Shopify against the
 * `[settings]` of the extension's shopify.extension.toml. Needs the `write_pixels` and
 * `read_customer_events` access scopes.
 */
import { HttpError } from './http-error.ts';
import { ADMIN_API_VERSION } from './shopify-admin.ts';

/** The pixel's settings, by their shopify.extension.toml names. */
export interface WebPixelSettings {
  siteId: string;
  collectorUrl: string;
}

/** Creates the shop's web pixel, or updates its settings; says which (`unchanged` when they were already these). */
export async function connectWebPixel(shopOrigin: string, accessToken: string, settings: WebPixelSettings): Promise<{ id: string; action: 'created' | 'updated' | 'unchanged' }> {
  if (!settings.siteId) throw new TypeError('[@cairn/shopify] connectWebPixel: settings.siteId is empty');
  if (!/^https?:\/\/[^/]/.test(settings.collectorUrl)) throw new TypeError(`[@cairn/shopify] connectWebPixel: settings.collectorUrl must be an http(s) URL, got ${JSON.stringify(settings.collectorUrl)}`);
  // Exactly the toml's fields, as strings: Shopify refuses settings that do not match them.
  const wanted = { siteId: settings.siteId, collectorUrl: settings.collectorUrl };
  const call = (query: string, variables?: Record<string, unknown>) => adminGraphql(shopOrigin, accessToken, query, variables);

  const found = await call('{ webPixel { id settings } }');
  const missing = found.errors.some((e) => /no web pixel was found/i.test(e.message));
  if (found.errors.length > 0 && !missing) throw refused('reading the web pixel', found.errors);
  const current = missing ? null : (found.data?.webPixel as { id: string; settings: unknown } | null | undefined);

  if (current) {
    if (sameSettings(current.settings, wanted)) return { id: current.id, action: 'unchanged' };
    const updated = await call('mutation CairnPixelUpdate($id: ID!, $webPixel: WebPixelInput!) { webPixelUpdate(id: $id, webPixel: $webPixel) { webPixel { id } userErrors { code field message } } }', {
      id: current.id,
      webPixel: { settings: JSON.stringify(wanted) },
    });
    return { id: payload(updated, 'webPixelUpdate', 'updating the web pixel'), action: 'updated' };
  }
  const created = await call('mutation CairnPixelCreate($webPixel: WebPixelInput!) { webPixelCreate(webPixel: $webPixel) { webPixel { id } userErrors { code field message } } }', {
    webPixel: { settings: JSON.stringify(wanted) },
  });
  return { id: payload(created, 'webPixelCreate', 'creating the web pixel'), action: 'created' };
}

interface GraphqlAnswer {
  data?: Record<string, unknown> | null;
  errors: { message: string }[];
}

/** One Admin GraphQL request; its data and errors (the caller decides which errors are answers). */
async function adminGraphql(origin: string, accessToken: string, query: string, variables?: Record<string, unknown>): Promise<GraphqlAnswer> {
  let res: Response;
  try {
    res = await fetch(`${origin}/admin/api/${ADMIN_API_VERSION}/graphql.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-shopify-access-token': accessToken },
      body: JSON.stringify({ query, ...(variables ? { variables } : {}) }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (cause) {
    throw new HttpError(502, 'shopify_unreachable', `Shopify could not be reached: ${(cause as Error).message}`);
  }
  if (res.status === 401) throw new HttpError(502, 'shopify_refused', 'Shopify refused the shop’s access token (401): the app was uninstalled or its token revoked; install the app again.');
  if (res.status === 403) throw new HttpError(502, 'shopify_refused', 'Shopify refused the request (403): the app lacks the write_pixels and read_customer_events access scopes; install the app again to grant them.');
  if (!res.ok) throw new HttpError(502, 'shopify_refused', `Shopify's Admin API answered ${res.status}`);
  const body = (await res.json()) as { data?: Record<string, unknown> | null; errors?: { message: string }[] | string };
  const errors = typeof body.errors === 'string' ? [{ message: body.errors }] : (body.errors ?? []);
  return { data: body.data, errors };
}

/** The mutation's web pixel id, or an error naming Shopify's refusal. */
function payload(answer: GraphqlAnswer, field: string, doing: string): string {
  if (answer.errors.length > 0) throw refused(doing, answer.errors);
  const out = answer.data?.[field] as { webPixel?: { id: string } | null; userErrors?: { code?: string; field?: string[]; message: string }[] } | undefined;
  if (out?.userErrors?.length) throw refused(doing, out.userErrors.map((e) => ({ message: `${e.field?.length ? `${e.field.join('.')}: ` : ''}${e.message}${e.code ? ` (${e.code})` : ''}` })));
  if (!out?.webPixel?.id) throw new HttpError(502, 'shopify_refused', `Shopify answered no web pixel when ${doing}`);
  return out.webPixel.id;
}

function refused(doing: string, errors: { message: string }[]): HttpError {
  const text = errors.map((e) => e.message).join('; ').slice(0, 300);
  // A token without the pixel scopes gets "Access denied for webPixel field…": say what fixes it.
  const hint = /access denied/i.test(text) ? ' (the app needs the write_pixels and read_customer_events access scopes: install it again to grant them)' : '';
  return new HttpError(502, 'shopify_refused', `Shopify refused ${doing}: ${text}${hint}`);
}

/** Settings as Shopify answers them (a JSON string, or already an object) against the ones wanted. */
function sameSettings(current: unknown, wanted: WebPixelSettings): boolean {
  try {
    const value = (typeof current === 'string' ? JSON.parse(current) : current) as Record<string, unknown> | null;
    return value?.siteId === wanted.siteId && value?.collectorUrl === wanted.collectorUrl;
  } catch {
    return false;
  }
}
