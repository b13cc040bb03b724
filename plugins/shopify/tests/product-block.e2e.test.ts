/**
 * The product details admin block (extensions/cairn-product-block), built from its source and
 * run in headless Chromium in a stand-in of its Shopify host (tests/app-bridge-stub-extension.ts),
 * asking the real app server, which reads a real collector with a seeded shop's events.
 * Screenshots: .cache/screenshots/shopify-product-block-*.png.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '@cairn/tracker/testing';
import { BLOCK_DIR, buildProductBlock, openProductBlock } from './app-bridge-stub-extension.ts';
import { stubAppBridge } from './app-bridge-stub.ts';
import { install, SEEDED, seedShopEvents, siteOf, startFixture, type Fixture } from './fixture.ts';

const SHOTS = join(import.meta.dirname, '../../../.cache/screenshots');

let f: Fixture;
let browser: Browser;
let bundle: string;
beforeAll(async () => {
  [f, browser, bundle] = await Promise.all([startFixture(), launchChromium(), buildProductBlock()]);
  expect((await install(f)).status).toBe(302);
  await seedShopEvents(f, await siteOf(f));
  await mkdir(SHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await f?.stop();
});

async function open(product: string, opts: { locale?: string; app?: string; claims?: Record<string, unknown> } = {}): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 700, height: 400 } })).newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await stubAppBridge(page, opts.claims);
  await openProductBlock(page, { bundle, product, locale: opts.locale, appUrl: f.config.appUrl, realApp: opts.app ?? f.app.url });
  expect(problems).toEqual([]);
  return page;
}

/** The block's heading and texts, in order, once it has left its loading state. */
async function settled(page: Page): Promise<string> {
  // (A string: this package's TypeScript has no DOM types.)
  await page.waitForFunction(`!document.querySelector('s-spinner') && document.querySelector('s-admin-block')`);
  return page.locator('s-admin-block').evaluate((block) =>
    [block.getAttribute('heading'), ...[...block.querySelectorAll('s-text, s-heading, s-paragraph, s-button')].map((el) => el.textContent)].join(' ').replace(/\s+/g, ' '),
  );
}

describe('the product details block', () => {
  it('declares the product details block target and has the same keys in every locale', async () => {
    const toml = await readFile(join(BLOCK_DIR, 'shopify.extension.toml'), 'utf8');
    expect(toml).toMatch(/target = "admin\.product-details\.block\.render"/);
    expect(toml).toMatch(/module = "\.\/src\/ProductBlock\.jsx"/);
    const keys = async (file: string) => Object.keys(JSON.parse(await readFile(join(BLOCK_DIR, 'locales', file), 'utf8'))).sort();
    const en = await keys('en.default.json');
    expect(await keys('fr.json')).toEqual(en);
    expect(await keys('de.json')).toEqual(en);
  });

  it('shows the product’s viewers, add-to-carts and units sold from the shop’s events', async () => {
    const page = await open(SEEDED.hat.gid);
    const text = await settled(page);
    expect(text).toContain(`Visitors who viewed it ${SEEDED.hat.viewers}`);
    expect(text).toContain(`Added to cart ${SEEDED.hat.addToCarts}`);
    expect(text).toContain(`Units sold ${SEEDED.hat.unitsSold} in ${SEEDED.hat.orders} orders`);
    await page.screenshot({ path: join(SHOTS, 'shopify-product-block-en.png') });
    await page.context().close();
  });

  it('speaks the admin’s language (French here)', async () => {
    const page = await open(SEEDED.scarf.gid, { locale: 'fr' });
    const text = await settled(page);
    expect(text).toContain('Cairn · 30 derniers jours');
    expect(text).toContain(`Unités vendues ${SEEDED.scarf.unitsSold} dans ${SEEDED.scarf.orders} commande`);
    await page.screenshot({ path: join(SHOTS, 'shopify-product-block-fr.png') });
    await page.context().close();
  });

  it('says when nobody has seen the product yet', async () => {
    const page = await open('gid://shopify/Product/999');
    expect(await settled(page)).toContain('No visits to this product in the last 30 days yet');
    await page.context().close();
  });

  it('shows the server’s refusal, with a retry, when the app cannot answer', async () => {
    // A session token for a shop that has not installed the app: the server answers 403.
    const page = await open(SEEDED.hat.gid, { claims: { dest: 'https://plain-shop.myshopify.com', iss: 'https://plain-shop.myshopify.com/admin' } });
    const text = await settled(page);
    expect(text).toContain('The numbers could not be loaded: The app is not installed on this shop');
    expect(await page.locator('s-button').textContent()).toBe('Try again');
    await page.screenshot({ path: join(SHOTS, 'shopify-product-block-error.png') });
    await page.context().close();
  });
});
