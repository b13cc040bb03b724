/**
 * What an admin UI extension finds around it in Shopify admin, stood in for in a plain page (the
 * real host, a sandboxed worker drawing Polaris, cannot be run here): the extension built from its
 * source with Vite as Shopify CLI builds it (one ES module, Preact bundled), a `shopify` global
 * with `data.selected` and `i18n` read from the extension's own locales/*.json, a `fetch` that
 * resolves relative URLs against the app's URL and adds the session token (what shopify.dev says
 * Shopify's does), and the Polaris elements it uses as bare custom elements that show their
 * heading and children. It does not prove how Polaris lays them out, that Shopify's fetch really
 * adds the token, or the worker's CORS behaviour (the server's preflight answer is tested by HTTP).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { build } from 'vite';

export const BLOCK_DIR = join(import.meta.dirname, '../extensions/cairn-product-block');
/** Where Shopify serves extensions from (the origin its CORS check sees). */
export const EXTENSION_ORIGIN = 'https://extensions.shopifycdn.com';

/** The block's source bundled into one ES module. */
export async function buildProductBlock(): Promise<string> {
  const out = await build({
    configFile: false,
    logLevel: 'silent',
    root: BLOCK_DIR,
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: { write: false, minify: false, lib: { entry: join(BLOCK_DIR, 'src/ProductBlock.jsx'), formats: ['es'], fileName: 'block' } },
  });
  const outputs = Array.isArray(out) ? out : [out];
  const chunk = outputs.flatMap((o) => ('output' in o ? o.output : [])).find((c) => c.type === 'chunk');
  if (!chunk || chunk.type !== 'chunk') throw new Error('the product block built to no chunk');
  return chunk.code;
}

/** The Polaris elements the block uses, as bare custom elements (a heading, then the children). */
const ELEMENTS = `
for (const tag of ['s-admin-block', 's-stack', 's-grid', 's-text', 's-heading', 's-spinner', 's-banner', 's-button', 's-paragraph']) {
  customElements.define(tag, class extends HTMLElement {
    static observedAttributes = ['heading', 'accessibilitylabel'];
    connectedCallback() { this.draw(); }
    attributeChangedCallback() { this.draw(); }
    draw() {
      const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
      const heading = this.getAttribute('heading');
      root.innerHTML = (heading ? '<h2 part="heading"></h2>' : '') + '<slot></slot>' + (tag === 's-banner' ? '<slot name="secondary-actions"></slot>' : '');
      if (heading) root.querySelector('h2').textContent = heading;
    }
  });
}`;

/** The `shopify` global of admin.product-details.block.render, for `product` in `locale`. */
function shopifyGlobal(product: string, locale: string, strings: unknown, appUrl: string): string {
  return `
const strings = ${JSON.stringify(strings)};
const plural = new Intl.PluralRules(${JSON.stringify(locale)});
const fill = (text, values) => text.replace(/{{(\\w+)}}/g, (_, k) => String(values[k] ?? ''));
const realFetch = window.fetch.bind(window);
window.fetch = async (input, init = {}) => {
  const url = new URL(String(input), ${JSON.stringify(appUrl)});
  const token = await window.__cairnTestSessionToken();
  return realFetch(url, { ...init, headers: { ...init.headers, authorization: 'Bearer ' + token } });
};
window.shopify = {
  extension: { target: 'admin.product-details.block.render' },
  data: { selected: [{ id: ${JSON.stringify(product)} }] },
  i18n: {
    formatNumber: (n) => new Intl.NumberFormat(${JSON.stringify(locale)}).format(n),
    translate: (key, values = {}) => {
      let text = strings[key];
      if (text && typeof text === 'object') text = text[plural.select(values.count ?? 0)] ?? text.other;
      return typeof text === 'string' ? fill(text, values) : key;
    },
  },
};`;
}

/**
 * Opens the block in `page` as Shopify admin would for `product`: served from Shopify's
 * extension origin, its requests to `appUrl` answered by the app at `realApp` (the test's server).
 */
export async function openProductBlock(page: Page, o: { bundle: string; product: string; locale?: string; appUrl: string; realApp: string }): Promise<void> {
  const locale = o.locale ?? 'en';
  const strings = JSON.parse(await readFile(join(BLOCK_DIR, 'locales', locale === 'en' ? 'en.default.json' : `${locale}.json`), 'utf8'));
  const html = `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><title>Product</title>
<style>body{font:14px system-ui,sans-serif;margin:16px;max-width:640px;color:#303030} s-admin-block{display:block;border:1px solid #e3e3e3;border-radius:12px;padding:0 16px 16px}
s-grid{display:grid;grid-template-columns:1fr 1fr 1fr;gap:16px} s-stack{display:flex;flex-direction:column;gap:4px} s-stack[direction=inline]{flex-direction:row}
s-heading{font-size:20px;font-weight:650} s-text[color=subdued]{color:#616161} s-banner{display:block;background:#fee9e8;padding:12px;border-radius:8px} s-button{display:inline-block;margin-top:8px;padding:4px 10px;border:1px solid #c9c9c9;border-radius:8px;background:#fff}</style>
<script>${ELEMENTS}${shopifyGlobal(o.product, locale, strings, o.appUrl)}</script>
<script type="module">import run from '/block.js'; await run();</script></head><body></body></html>`;
  await page.route(`${EXTENSION_ORIGIN}/**`, (route) =>
    route.request().url().endsWith('/block.js') ? route.fulfill({ contentType: 'text/javascript', body: o.bundle }) : route.fulfill({ contentType: 'text/html', body: html }),
  );
  await page.route(`${o.appUrl}/**`, async (route) => {
    const response = await route.fetch({ url: route.request().url().replace(o.appUrl, o.realApp) });
    await route.fulfill({ response });
  });
  await page.goto(`${EXTENSION_ORIGIN}/cairn-product-block/`);
}
