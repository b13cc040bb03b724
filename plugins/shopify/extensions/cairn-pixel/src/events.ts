/**
 * Shopify's standard events as Cairn events (the collector's wire format, docs/api/events.md).
 * The props are a contract other parts of the app read (goals with `value` as revenue, the admin
 * page): keep them as they are.
 *
 * Privacy: only products, prices, quantities and totals are read. Never the checkout's email,
 * phone, addresses, order, transactions or discount codes, nor `init.data.customer`; and no order
 * id either: Shopify's order holds the buyer's name, email and address, so an order id in Cairn
 * would tie a browsing history to a person (docs/privacy.md: nothing that identifies a person).
 */
import type { CartLine, Checkout, CheckoutLineItem, Context, MoneyV2, ProductVariant } from '@shopify/web-pixels-extension';
import { cleanReferrer, cleanUrl, isCheckoutPath } from './pages.ts';

export type Props = Record<string, string | number | boolean>;

/** One event as `POST /api/event` takes it. */
export interface WireEvent {
  s: string;
  n: string;
  u: string;
  r?: string;
  w?: number;
  p?: Props;
  id?: string;
}

/** What the pixel reads of every standard event. */
export interface StandardEvent {
  id?: string;
  name: string;
  context?: Partial<Context>;
  data?: unknown;
}

/** The Cairn events one Shopify event stands for: none, one, or (a completed checkout) one per line more. */
export function toCairn(site: string, event: StandardEvent): WireEvent[] {
  const href = event.context?.document?.location?.href;
  if (!href) return [];
  const u = cleanUrl(href);
  const width = event.context?.window?.innerWidth;
  const base = (n: string, p?: Props, i?: number): WireEvent => ({
    s: site,
    n,
    u,
    ...(Number.isInteger(width) && width! > 0 ? { w: width } : {}),
    ...(p ? { p } : {}),
    // Shopify's event id makes a retried or replayed event count once (the collector's client id).
    ...(event.id && event.id.length <= 60 ? { id: i === undefined ? event.id : `${event.id}:${i}` } : {}),
  });
  const data = (event.data ?? {}) as Record<string, unknown>;
  switch (event.name) {
    case 'page_viewed': {
      // The theme app embed counts storefront pages: the pixel counts only those no theme code runs on.
      if (!isCheckoutPath(new URL(href).pathname)) return [];
      const r = cleanReferrer(event.context?.document?.referrer, href);
      return [{ ...base('pageview'), ...(r ? { r } : {}) }];
    }
    case 'product_viewed': {
      const variant = data.productVariant as ProductVariant | undefined;
      return variant ? [base('product_viewed', props({ ...product(variant), ...money(variant.price) }))] : [];
    }
    case 'product_added_to_cart': {
      const line = data.cartLine as CartLine | null | undefined;
      if (!line?.merchandise) return [];
      return [base('product_added_to_cart', props({ ...product(line.merchandise), quantity: line.quantity, ...money(line.cost?.totalAmount) }))];
    }
    case 'checkout_started':
      return data.checkout ? [base('checkout_started', totals(data.checkout as Checkout))] : [];
    case 'checkout_completed': {
      const checkout = data.checkout as Checkout | undefined;
      if (!checkout) return [];
      const currency = checkout.currencyCode ?? checkout.totalPrice?.currencyCode ?? undefined;
      return [base('checkout_completed', totals(checkout)), ...(checkout.lineItems ?? []).map((line, i) => base('product_purchased', purchased(line, currency), i))];
    }
    default:
      return [];
  }
}

/** `value` (the total to pay), `currency`, `items` (units bought: the sum of the lines' quantities). */
function totals(checkout: Checkout): Props {
  const items = (checkout.lineItems ?? []).reduce((n, line) => n + (Number.isFinite(line.quantity) ? line.quantity : 0), 0);
  return props({ ...money(checkout.totalPrice), currency: checkout.currencyCode ?? checkout.totalPrice?.currencyCode, items });
}

/** One line of a completed checkout: `value` is the line's total after its discounts (else price × quantity). */
function purchased(line: CheckoutLineItem, currency: string | undefined): Props {
  const variant = line.variant;
  const total = line.finalLinePrice ?? (variant?.price ? { amount: Math.round(Number(variant.price.amount) * line.quantity * 1000) / 1000, currencyCode: variant.price.currencyCode } : undefined);
  return props({ ...(variant ? product(variant) : {}), product: title(variant?.product) ?? line.title ?? undefined, quantity: line.quantity, ...money(total), ...(currency ? { currency } : {}) });
}

function product(variant: ProductVariant): Record<string, unknown> {
  return { product_id: numericId(variant.product?.id), product: title(variant.product), variant_id: numericId(variant.id) };
}

/** The merchant's own title (the same in every storefront language), cut so that props stay under the collector's 1 KB. */
function title(p: { title?: string | null; untranslatedTitle?: string | null } | null | undefined): string | undefined {
  return (p?.untranslatedTitle || p?.title || undefined)?.slice(0, 200);
}

function money(m: MoneyV2 | null | undefined): Record<string, unknown> {
  return m ? { value: Number(m.amount), currency: m.currencyCode } : {};
}

/** `gid://shopify/Product/123` → `123` (payloads carry either form). */
function numericId(id: string | number | null | undefined): string | undefined {
  return id == null ? undefined : String(id).split('/').pop() || undefined;
}

/** Flat props with what is missing left out: the collector refuses null and NaN. */
function props(values: Record<string, unknown>): Props {
  const out: Props = {};
  for (const [k, v] of Object.entries(values)) {
    if (typeof v === 'string' ? v !== '' : typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) out[k] = v as string | number | boolean;
  }
  return out;
}
