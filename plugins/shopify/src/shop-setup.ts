/**
 * What a shop's Cairn site needs besides itself, made at install and again on a reinstall when
 * missing: the site key the App Proxy forwards storefront events with, and the revenue goals of
 * the ecommerce funnel. Each step is idempotent: run twice, it makes nothing the second time.
 */
import type { CairnClient, CairnGoalInput } from './cairn-client.ts';
import type { ShopRecord, ShopStore } from './shop-store.ts';

/** The site key's name on the collector (the site's keys list shows it). */
export const PROXY_KEY_NAME = 'Shopify app proxy';

/**
 * The funnel's goals, on the events the web pixel sends (Shopify's standard event names). A goal
 * is the same goal when its kind and match are: a merchant's renamed goal is left as it is.
 */
export const REVENUE_GOALS: CairnGoalInput[] = [
  { kind: 'event', match: 'product_added_to_cart', name: 'Add to cart' },
  { kind: 'event', match: 'checkout_started', name: 'Checkout started' },
  { kind: 'event', match: 'checkout_completed', name: 'Purchase', revenue: 'value', currency: 'currency' },
];

/** Shops whose key is being made: concurrent callers (an install, storefront events) share one request. */
const making = new Map<string, Promise<ShopRecord>>();

/**
 * The shop's record with a live proxy key of its site: the stored one while the collector lists it
 * unrevoked for that site, else a new one (secret sealed in the record). `check: false` trusts a
 * stored key without asking the collector (the App Proxy, per request).
 */
export function ensureProxyKey(cairn: CairnClient, shops: ShopStore, record: ShopRecord, opts: { check?: boolean } = {}): Promise<ShopRecord> {
  const shop = record.shop.toLowerCase();
  const pending = making.get(shop);
  if (pending) return pending;
  const run = (async () => {
    const siteId = record.siteId;
    if (!siteId) throw new Error(`${record.shop} has no Cairn site yet`);
    const stored = record.proxyKey?.site === siteId ? record.proxyKey : undefined;
    if (stored && opts.check === false) return record;
    if (stored && (await cairn.siteKeys(siteId)).some((k) => k.id === stored.id && !k.revokedAt)) return record;
    const { key, secret } = await cairn.createSiteKey(siteId, PROXY_KEY_NAME);
    // Read again: the install may have written the record meanwhile.
    const latest = (await shops.get(record.shop)) ?? record;
    const updated: ShopRecord = { ...latest, proxyKey: { id: key.id, site: siteId, secret: shops.sealSecret(record.shop, secret) } };
    await shops.put(updated);
    return updated;
  })();
  making.set(shop, run);
  return run.finally(() => making.delete(shop));
}

/** Creates the REVENUE_GOALS the site lacks; answers how many it made. */
export async function ensureRevenueGoals(cairn: CairnClient, siteId: string): Promise<number> {
  const have = await cairn.goals(siteId);
  let made = 0;
  for (const goal of REVENUE_GOALS) {
    if (have.some((g) => g.kind === goal.kind && g.match === goal.match)) continue;
    await cairn.createGoal(siteId, goal);
    made++;
  }
  return made;
}
