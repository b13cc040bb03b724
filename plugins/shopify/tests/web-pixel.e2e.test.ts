/**
 * The web pixel end to end: built to one script, run in a real Web Worker of a page in headless
 * Chromium under a stand-in of Shopify's pixel manager (tests/pixel-harness.ts), fed the standard
 * event payloads of tests/fixtures/shopify-events.json, sending to a real collector. Checks what
 * lands: names, props, revenue and currency, checkout-only pageviews with no checkout token, one
 * product_purchased per line, no customer data, the same visitor as the theme embed's t.js.
 * The tests run in order on one collector: the revenue and replay tests read what the journey stored.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '@cairn/collector/testing';
import { startPixelHarness, type PixelHarness } from './pixel-harness.ts';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/shopify-events.json', import.meta.url), 'utf8')) as { events: Record<string, { name: string }> };
const E = fixture.events;

let h: Harness;
let pixels: PixelHarness;
let settings: Record<string, string>;

beforeAll(async () => {
  [h, pixels] = await Promise.all([startHarness({ domain: 'shop.example' }), startPixelHarness()]);
  settings = { siteId: h.siteId, collectorUrl: `${h.collector.url}/` };
});
afterAll(async () => {
  await pixels?.close();
  await h?.stop();
});

type Stored = Awaited<ReturnType<Harness['stored']>>[number];
const props = (e: Stored) => JSON.parse(e.props ?? '{}') as Record<string, unknown>;
const named = async (name: string) => (await h.stored()).filter((e) => e.name === name);

describe('the web pixel in a strict-sandbox worker', () => {
  it('subscribes to the five standard events it sends, and uses no cookie or storage', async () => {
    const tab = await pixels.open(settings);
    expect(tab.subscribed.sort()).toEqual(['checkout_completed', 'checkout_started', 'page_viewed', 'product_added_to_cart', 'product_viewed']);
    expect(await tab.browserCalls()).toEqual([]);
    expect(await tab.publish(E.storefront_page_viewed)).toEqual([]);
    expect(await tab.browserCalls()).toEqual([]);
  });

  it('sends a checkout journey: storefront pageviews left to the theme embed, checkout pages and the five events with their props', async () => {
    const tab = await pixels.open(settings, { tracker: { collector: h.collector.url, site: h.siteId } });
    // The page's own t.js (the theme app embed) counts the storefront page it is on.
    await expect.poll(async () => (await named('pageview')).length, { timeout: 15_000 }).toBe(1);

    // A storefront page_viewed is the theme embed's to count: the pixel sends nothing for it.
    expect(await tab.publish(E.storefront_page_viewed)).toEqual([]);

    const sent = [];
    for (const key of ['product_viewed', 'product_added_to_cart', 'checkout_page_viewed', 'checkout_started', 'thank_you_page_viewed', 'checkout_completed']) {
      const requests = await tab.publish(E[key]);
      expect(requests.map((r) => r.status), key).toEqual([202]);
      expect(requests[0]!.keepalive).toBe(true);
      sent.push(...requests);
    }
    // A completed checkout and its lines go in one batch (stored all or none).
    expect(JSON.parse(sent.at(-1)!.body)).toHaveLength(3);
    // Nothing of the buyer left the browser: not in the requests, so not in the store.
    const wire = JSON.stringify(sent);
    for (const secret of ['camille', 'Martin', 'Chapeliers', '69002', '+336', 'b2a9c1e0d7f64e7f8c3a5d2e1f0a9b8c', 'Z2NwLWV1cm9wZS13ZXN0NDowMUpFWkE3UlFLWjRQ', '5123456789', '98765', 'visa']) {
      expect(wire).not.toContain(secret);
    }

    const all = (await h.stored()).sort((a, b) => a.ts - b.ts);
    const views = all.filter((e) => e.name === 'pageview');
    // t.js's storefront page, then the pixel's two checkout pages under their step, without the token.
    expect(views.map((e) => e.pathname)).toEqual(['/products/felt-hat', '/checkouts/information', '/checkouts/thank-you']);
    expect(views.every((e) => e.hostname === 'shop.example')).toBe(true);
    // One visitor: the pixel's requests come from the visitor's browser, as t.js's do.
    expect(new Set(all.map((e) => e.visitor)).size).toBe(1);

    const custom = all.filter((e) => e.name !== 'pageview').map((e) => [e.name, e.pathname, props(e)]);
    expect(custom).toEqual(
      expect.arrayContaining([
        ['product_viewed', '/products/felt-hat', { product_id: '7808926384363', product: 'Felt hat', variant_id: '43218082857195', value: 45, currency: 'EUR' }],
        ['product_added_to_cart', '/products/wool-scarf', { product_id: '7808926253291', product: 'Wool scarf', variant_id: '43218082726123', quantity: 2, value: 35, currency: 'EUR' }],
        ['checkout_started', '/checkouts/information', { value: 113.4, currency: 'EUR', items: 3 }],
        ['checkout_completed', '/checkouts/thank-you', { value: 113.4, currency: 'EUR', items: 3 }],
        ['product_purchased', '/checkouts/thank-you', { product_id: '7808926384363', product: 'Felt hat', variant_id: '43218082857195', quantity: 2, value: 90, currency: 'EUR' }],
        ['product_purchased', '/checkouts/thank-you', { product_id: '7808926253291', product: 'Wool scarf', variant_id: '43218082726123', quantity: 1, value: 17.5, currency: 'EUR' }],
      ]),
    );
    expect(custom).toHaveLength(6);
  });

  it('counts the revenue of completed checkouts in a goal with `value` as its revenue prop', async () => {
    await h.collector.store.goals.create(h.siteId, { id: 'g-orders', name: 'Orders', kind: 'event', match: 'checkout_completed', revenue: 'value' });
    const res = await fetch(`${h.collector.url}/api/stats/${h.siteId}/goals?period=day`, { headers: { authorization: `Bearer ${h.siteKey}` } });
    expect(res.status).toBe(200);
    const { goals } = (await res.json()) as { goals: { id: string; completions: number; revenue?: number }[] };
    expect(goals.find((g) => g.id === 'g-orders')).toMatchObject({ completions: 1, revenue: 113.4 });
  });

  it('sends the same event once when Shopify publishes it again (its event id)', async () => {
    const tab = await pixels.open(settings);
    expect((await tab.publish(E.checkout_completed)).map((r) => r.status)).toEqual([202]);
    expect(await named('checkout_completed')).toHaveLength(1);
    expect(await named('product_purchased')).toHaveLength(2);
  });

  it('stops sending when the visitor withdraws analytics consent', async () => {
    const tab = await pixels.open(settings);
    await tab.consent({ analyticsProcessingAllowed: false, marketingAllowed: false, preferencesProcessingAllowed: false, saleOfDataAllowed: false });
    expect(await tab.publish({ ...E.checkout_page_viewed, id: 'sh-after-withdrawal' })).toEqual([]);
  });

  it('sends nothing without its settings', async () => {
    const tab = await pixels.open({ siteId: '', collectorUrl: h.collector.url });
    expect(tab.subscribed).toEqual([]);
    expect(await tab.publish(E.checkout_page_viewed)).toEqual([]);
  });
});
