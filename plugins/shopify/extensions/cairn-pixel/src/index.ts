/**
 * Cairn's web pixel (strict sandbox: a web worker, no DOM). Sends the shop's Cairn collector the
 * pageviews of checkout pages (storefront pages come from the theme app embed) and the custom
 * events `product_viewed`, `product_added_to_cart`, `checkout_started`, `checkout_completed` and,
 * per line of a completed checkout, `product_purchased` (src/events.ts has their props).
 *
 * Sent from the visitor's browser with `fetch` (keepalive: a thank-you page may be left at once),
 * as text/plain: no CORS preflight, and the collector counts the same visitor as t.js does on the
 * storefront (the address and user agent are the browser's). Nothing here throws into the sandbox.
 */
import { register } from '@shopify/web-pixels-extension';
import { toCairn, type StandardEvent, type WireEvent } from './events.ts';

const EVENTS = ['page_viewed', 'product_viewed', 'product_added_to_cart', 'checkout_started', 'checkout_completed'] as const;
/** The collector's caps: a batch of 100 events, a 64 KB body (kept under it). */
const MAX_EVENTS = 100;
const MAX_BYTES = 60_000;

register(({ analytics, init, settings, customerPrivacy }) => {
  const site = String(settings.siteId ?? '').trim();
  const collector = String(settings.collectorUrl ?? '').trim().replace(/\/+$/, '');
  if (!site || !/^https?:\/\/[^/]/.test(collector)) {
    console.warn('[cairn] the pixel has no site id or collector URL in its settings: nothing is sent');
    return;
  }
  const endpoint = `${collector}/api/event`;
  // Shopify loads the pixel only with analytics allowed (shopify.extension.toml); a visitor who
  // withdraws it later is heard here.
  let allowed = init.customerPrivacy?.analyticsProcessingAllowed !== false;
  customerPrivacy?.subscribe('visitorConsentCollected', (e) => void (allowed = e.customerPrivacy.analyticsProcessingAllowed));

  for (const name of EVENTS) {
    analytics.subscribe(name, (event: StandardEvent) => {
      try {
        if (allowed) send(endpoint, toCairn(site, event));
      } catch (err) {
        console.warn('[cairn] event not sent', name, err);
      }
    });
  }
});

/** One request per batch (a completed checkout and its lines go together: stored all or none). */
function send(endpoint: string, events: WireEvent[]): void {
  const utf8 = new TextEncoder();
  let batch: string[] = [];
  let bytes = 2;
  const flush = () => {
    if (batch.length === 0) return;
    const body = batch.length === 1 ? batch[0]! : `[${batch.join(',')}]`;
    fetch(endpoint, { method: 'POST', body, keepalive: true }).catch((err: unknown) => console.warn('[cairn] event not sent', err));
    batch = [];
    bytes = 2;
  };
  for (const event of events) {
    const text = JSON.stringify(event);
    const size = utf8.encode(text).length + 1;
    if (batch.length === MAX_EVENTS || bytes + size > MAX_BYTES) flush();
    batch.push(text);
    bytes += size;
  }
  flush();
}
