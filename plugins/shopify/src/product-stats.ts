/**
 * `GET /api/product-stats?product=gid://shopify/Product/123`: one product's last 30 days for the
 * product details admin block (extensions/cairn-product-block), read from the collector's stats
 * API with the integration key, from the web pixel's events (their `product_id` prop):
 * visitors who viewed it, add-to-cart events, and purchases as units (the `quantity` of its
 * `product_purchased` events, one event per order line) and as order lines.
 */
import type { RequestHandler } from 'express';
import type { ShopifyAppConfig } from './config.ts';
import { HttpError } from './http-error.ts';

export interface ProductStats {
  product: string;
  period: { from: string; to: string; timezone: string };
  /** Visitors with a `product_viewed` event of the product (per day, summed, as Cairn counts visitors). */
  viewers: number;
  /** `product_added_to_cart` events of the product. */
  addToCarts: number;
  /** Units bought: the sum of `quantity` over the product's `product_purchased` events. */
  unitsSold: number;
  /** Order lines: `product_purchased` events of the product. */
  orders: number;
}

interface Row {
  value: string;
  visitors: number;
  events: number;
}
interface Breakdown {
  period: ProductStats['period'];
  total: number;
  rows: Row[];
}

const GID = /^gid:\/\/shopify\/Product\/(\d{1,20})$/;

/** The numeric id of `gid://shopify/Product/123` (or of `123`), or undefined. */
export function productNumber(product: unknown): string | undefined {
  if (typeof product !== 'string') return undefined;
  return GID.exec(product)?.[1] ?? (/^\d{1,20}$/.test(product) ? product : undefined);
}

/** Reads the product's numbers from the collector. */
export async function readProductStats(collector: string, key: string, site: string, product: string): Promise<ProductStats> {
  const id = productNumber(product);
  if (!id) throw new HttpError(400, 'bad_product', 'product must be a product id such as gid://shopify/Product/123.');
  // The pixel sends Shopify's product id as it has it; either spelling counts.
  const ofProduct = { dimension: 'prop:product_id', op: 'is', values: [id, `gid://shopify/Product/${id}`] };
  const purchased = { dimension: 'event', op: 'is', values: ['product_purchased'] };
  const read = async (dimension: string, filters: object[]): Promise<Breakdown> => {
    const q = new URLSearchParams({ period: '30d', limit: '1000', sort: 'events', filters: JSON.stringify(filters) });
    const url = `${collector}/api/stats/${encodeURIComponent(site)}/breakdown/${encodeURIComponent(dimension)}?${q}`;
    let res: Response;
    try {
      res = await fetch(url, { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(15_000) });
    } catch (cause) {
      throw new HttpError(502, 'collector_unreachable', `The Cairn collector at ${collector} could not be reached: ${(cause as Error).message}`);
    }
    if (!res.ok) throw new HttpError(502, 'collector_refused', `The Cairn collector refused the product's stats: ${res.status} ${(await res.text()).slice(0, 200)}`);
    return (await res.json()) as Breakdown;
  };
  const [events, quantities] = await Promise.all([read('event', [ofProduct]), read('prop:quantity', [ofProduct, purchased])]);
  const row = (name: string) => events.rows.find((r) => r.value === name);
  // A line without a readable quantity is one unit.
  const unitsSold = quantities.rows.reduce((sum, r) => sum + (Number.isFinite(Number(r.value)) && Number(r.value) > 0 ? Number(r.value) : 1) * r.events, 0);
  return {
    product: `gid://shopify/Product/${id}`,
    period: events.period,
    viewers: row('product_viewed')?.visitors ?? 0,
    addToCarts: row('product_added_to_cart')?.events ?? 0,
    unitsSold,
    orders: row('product_purchased')?.events ?? 0,
  };
}

/** The route, behind the session-token middleware (it reads `req.shopRecord`). */
export function productStatsRoute(config: ShopifyAppConfig): RequestHandler {
  return async (req, res) => {
    const record = req.shopRecord!;
    if (!record.siteId) throw new HttpError(409, 'no_site', 'The shop has no Cairn site yet: reinstall the app.');
    const stats = await readProductStats(config.collector, config.integrationKey, record.siteId, String(req.query.product ?? ''));
    res.set('cache-control', 'no-store').json(stats);
  };
}

/**
 * CORS for admin UI extensions: they run in a web worker on `https://extensions.shopifycdn.com`,
 * and their fetch to the app carries the session token in `Authorization`, so the browser asks
 * first (OPTIONS, without the token): that preflight is answered here, before the session check.
 */
export const EXTENSIONS_ORIGIN = 'https://extensions.shopifycdn.com';
export const extensionCors: RequestHandler = (req, res, next) => {
  res.set('access-control-allow-origin', EXTENSIONS_ORIGIN);
  res.vary('origin');
  if (req.method !== 'OPTIONS') return next();
  res.set({ 'access-control-allow-methods': 'GET', 'access-control-allow-headers': 'Authorization, Content-Type', 'access-control-max-age': '600' });
  res.status(204).end();
};
