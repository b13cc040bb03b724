/**
 * A stand-in for App Bridge (https://cdn.shopify.com/shopifycloud/app-bridge.js), which cannot be
 * fetched from here: served in its place with playwright's `page.route`, it defines the one call
 * the admin page makes, `shopify.idToken()`, answering a session token signed in the test as
 * Shopify signs them (fixture.ts `sessionToken`). It does not prove how real App Bridge behaves
 * (its iframe handshake with the admin, its token caching, `open(url, '_top')` out of the frame).
 */
import type { Page } from 'playwright-core';
import { APP_BRIDGE_URL } from '../src/admin-page.ts';
import { sessionToken } from './fixture.ts';

/** Routes App Bridge's URL to the stub on `page`; `claims` go into every token it hands out. Answers the tokens handed out. */
export async function stubAppBridge(page: Page, claims: Record<string, unknown> = {}): Promise<{ tokens: string[] }> {
  const tokens: string[] = [];
  await page.exposeFunction('__cairnTestSessionToken', () => {
    const token = sessionToken(claims);
    tokens.push(token);
    return token;
  });
  await page.route(APP_BRIDGE_URL, (route) =>
    route.fulfill({
      contentType: 'text/javascript',
      body: `window.shopify = { config: { apiKey: document.querySelector('meta[name="shopify-api-key"]')?.content }, idToken: () => window.__cairnTestSessionToken() };`,
    }),
  );
  return { tokens };
}
