/**
 * The pixel's page rule (extensions/cairn-pixel/src/pages.ts) over the checkout address formats
 * Shopify has used: which pages it counts (not the theme's), and that no checkout token or key
 * leaves the browser.
 */
import { describe, expect, it } from 'vitest';
import { cleanReferrer, cleanUrl, isCheckoutPath } from '../extensions/cairn-pixel/src/pages.ts';

describe('the pixel’s pages', () => {
  it('counts checkout, thank-you and order status pages, and leaves storefront pages to the theme embed', () => {
    for (const path of ['/checkout', '/checkouts/cn/Z2NwLXVz', '/checkouts/c/3f9a/information', '/checkouts/cn/Z2Nw/thank-you', '/25963312/checkouts/9b1e2c/thank_you', '/25963312/orders/a8c3e1f0']) {
      expect(isCheckoutPath(path), path).toBe(true);
    }
    for (const path of ['/', '/products/felt-hat', '/cart', '/collections/checkouts', '/pages/checkout-help', '/checkout-guide', '/account/orders/123', '/orders/123']) {
      expect(isCheckoutPath(path), path).toBe(false);
    }
  });

  it('counts a checkout page under its step, without token, query or fragment', () => {
    expect(cleanUrl('https://shop.example/checkouts/cn/Z2NwLXVzLWVhc3Qx?locale=fr#main')).toBe('https://shop.example/checkouts');
    expect(cleanUrl('https://shop.example/checkouts/c/3f9a2b/shipping')).toBe('https://shop.example/checkouts/shipping');
    expect(cleanUrl('https://shop.example/checkouts/cn/Z2Nw/thank-you')).toBe('https://shop.example/checkouts/thank-you');
    expect(cleanUrl('https://shop.example/25963312/checkouts/9b1e2c/thank_you?key=secret')).toBe('https://shop.example/checkouts/thank-you');
    expect(cleanUrl('https://shop.example/25963312/checkouts/9b1e2c/post_purchase')).toBe('https://shop.example/checkouts/post-purchase');
    expect(cleanUrl('https://shop.example/25963312/orders/a8c3e1f0?key=secret')).toBe('https://shop.example/orders/status');
    // Storefront pages (product events) keep their address; the collector keeps only allowed query keys.
    expect(cleanUrl('https://shop.example/products/felt-hat?variant=4321#reviews')).toBe('https://shop.example/products/felt-hat?variant=4321');
  });

  it('cleans a referrer from the shop’s own checkout, and keeps other sites’ as they are', () => {
    const page = 'https://shop.example/checkouts/cn/Z2Nw/thank-you';
    expect(cleanReferrer('https://shop.example/checkouts/cn/Z2Nw/payment', page)).toBe('https://shop.example/checkouts/payment');
    expect(cleanReferrer('https://shop.example/cart', page)).toBe('https://shop.example/cart');
    expect(cleanReferrer('https://www.google.com/', page)).toBe('https://www.google.com/');
    expect(cleanReferrer('', page)).toBeUndefined();
    expect(cleanReferrer('not a url', page)).toBeUndefined();
  });
});
