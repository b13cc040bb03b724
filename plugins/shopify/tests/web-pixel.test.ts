/**
 * `connectWebPixel` against the Shopify stub's documented web pixel API: the pixel is created once
 * with the settings the extension's toml declares, updated when the collector moves, left alone
 * when nothing changed; a refused token or settings Shopify refuses are plain-words errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectWebPixel } from '../src/web-pixel.ts';
import { startShopifyStub, type ShopifyStub } from './shopify-stub.ts';

const SHOP = 'dune-coffee.myshopify.com';
const TOKEN = 'shpat_pixel_test';
let stub: ShopifyStub;

beforeAll(async () => {
  stub = await startShopifyStub({ apiKey: 'k', apiSecret: 's' }, { [SHOP]: { name: 'Dune Coffee' } });
  stub.tokens.set(SHOP, TOKEN); // as after an install
});
afterAll(async () => {
  await stub?.close();
});

describe('connectWebPixel', () => {
  it('creates the shop’s web pixel with the site id and collector URL, once', async () => {
    const settings = { siteId: 'site_abc', collectorUrl: 'https://cairn.example.com' };
    const first = await connectWebPixel(stub.origin(SHOP), TOKEN, settings);
    expect(first.action).toBe('created');
    expect(stub.webPixels.get(SHOP)).toEqual({ id: first.id, settings: JSON.stringify(settings) });

    // A reinstall with the same settings: nothing to change (and no TAKEN from a second create).
    expect(await connectWebPixel(stub.origin(SHOP), TOKEN, settings)).toEqual({ id: first.id, action: 'unchanged' });
  });

  it('updates the existing pixel when the collector moved', async () => {
    const before = stub.webPixels.get(SHOP)!;
    const moved = { siteId: 'site_abc', collectorUrl: 'https://stats.dune-coffee.example' };
    expect(await connectWebPixel(stub.origin(SHOP), TOKEN, moved)).toEqual({ id: before.id, action: 'updated' });
    expect(JSON.parse(stub.webPixels.get(SHOP)!.settings)).toEqual(moved);
  });

  it('says in plain words that Shopify refused the token', async () => {
    await expect(connectWebPixel(stub.origin(SHOP), 'shpat_revoked', { siteId: 's', collectorUrl: 'https://c.example' })).rejects.toThrow(
      /refused the shop’s access token \(401\).*install the app again/,
    );
  });

  it('refuses settings it cannot send before asking Shopify', async () => {
    const asked = stub.calls.length;
    await expect(connectWebPixel(stub.origin(SHOP), TOKEN, { siteId: '', collectorUrl: 'https://c.example' })).rejects.toThrow(/siteId is empty/);
    await expect(connectWebPixel(stub.origin(SHOP), TOKEN, { siteId: 's', collectorUrl: 'cairn.example' })).rejects.toThrow(/collectorUrl must be an http\(s\) URL/);
    expect(stub.calls.length).toBe(asked);
  });

  it('names the user errors Shopify answers a mutation with', async () => {
    // The pixel removed between the read and the update (the merchant disconnected it meanwhile):
    // Shopify's NOT_FOUND, carried into the message.
    const realFetch = globalThis.fetch;
    globalThis.fetch = async (input, init) => {
      const res = await realFetch(input, init);
      if (String(init?.body).startsWith('{"query":"{ webPixel')) stub.webPixels.delete(SHOP);
      return res;
    };
    try {
      await expect(connectWebPixel(stub.origin(SHOP), TOKEN, { siteId: 'site_abc', collectorUrl: 'https://elsewhere.example' })).rejects.toThrow(
        /Shopify refused updating the web pixel: webPixel\.settings: Web pixel does not exist\. \(NOT_FOUND\)/,
      );
    } finally {
      globalThis.fetch = realFetch;
    }
  });
});
