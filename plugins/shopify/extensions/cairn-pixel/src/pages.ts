/**
 * Which pages the pixel counts, and the address it counts them under.
 *
 * Storefront pages are counted by the theme app embed (t.js); the pixel counts only the pages no
 * theme code runs on, or they would be counted twice: checkout (`/checkouts/…`, `/checkout`, also
 * under the legacy `/{shop id}/checkouts/…`), its thank-you page (`…/thank-you`, legacy
 * `…/thank_you`) and the order status page (`/{shop id}/orders/{token}`).
 *
 * A checkout address carries the checkout's token (and the thank-you page a `key` in its query):
 * a token ties the page to one order, so one buyer. None of it is sent: the page is counted under
 * `/checkouts/<step>` (`information`, `shipping`, `payment`, `review`, `processing`, `thank-you`,
 * `post-purchase`, else plain `/checkouts`) or `/orders/status`, without query or fragment. That
 * also makes every buyer's checkout one page in the stats instead of one page each.
 */

const CHECKOUT = /^(?:\/\d+)?\/checkouts?(?:\/|$)/;
const ORDER_STATUS = /^\/\d+\/orders\//;
const STEPS = new Set(['information', 'shipping', 'payment', 'review', 'processing', 'thank-you', 'post-purchase']);

/** Whether `pathname` is a checkout, thank-you or order status page (the pixel's pages, not the theme's). */
export function isCheckoutPath(pathname: string): boolean {
  return CHECKOUT.test(pathname) || ORDER_STATUS.test(pathname);
}

/** The address an event is counted under: a checkout page's without its token; any page's without its fragment. */
export function cleanUrl(href: string): string {
  const url = new URL(href);
  url.hash = '';
  if (ORDER_STATUS.test(url.pathname)) return `${url.origin}/orders/status`;
  if (!CHECKOUT.test(url.pathname)) return url.href;
  const last = url.pathname.split('/').filter(Boolean).pop()?.replace('_', '-') ?? '';
  return `${url.origin}/checkouts${STEPS.has(last) ? `/${last}` : ''}`;
}

/** A referrer as sent: a checkout page of the same shop cleaned like the page itself; others as they are (the collector keeps host and path). */
export function cleanReferrer(referrer: string | undefined, page: string): string | undefined {
  if (!referrer) return undefined;
  try {
    const url = new URL(referrer);
    return url.host === new URL(page).host ? cleanUrl(referrer) : referrer;
  } catch {
    return undefined;
  }
}
