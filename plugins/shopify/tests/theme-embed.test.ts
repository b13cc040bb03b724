/**
 * The app embed block rendered with liquidjs: through the App Proxy by default (the tag on the
 * shop's own domain, the app's site only, the path the merchant gave), or directly: the tracker tag of ARCHITECTURE.md §1 from the
 * app's metafields or the block's own settings, a data-* attribute for each feature setting
 * changed from the tracker's default, values escaped, and no tag at all (never a broken one)
 * when the site or the collector is missing, or in the theme editor.
 */
import type { Feature } from '@cairn/tracker';
import { describe, expect, it } from 'vitest';
import { asShopifyWrites, blockSchema, renderEmbed, scriptAttributes, type EmbedInput } from './theme-embed.ts';

const connected = { site_id: 'st_8fK2', collector_url: 'https://cairn.example.com' };
const TAG = '<script defer src="https://cairn.example.com/t.js" data-site="st_8fK2" data-api="https://cairn.example.com/api/event"></script>';
/** The tag with the block's defaults: in-page navigations not counted (a variant picker's address changes are not pages). */
const DEFAULT_TAG = TAG.replace('></script>', ' data-disable="spa"></script>');

/** The checkbox that switches each of the tracker's automatic features (docs/tracker.md, data-disable). */
const CHECKBOX = {
  spa: 'track_spa',
  engagement: 'track_engagement',
  outbound: 'track_outbound',
  tel: 'track_tel',
  mailto: 'track_mailto',
  download: 'track_download',
  form: 'track_form',
  cta: 'track_cta',
} satisfies Record<Feature, string>;

/** The block switched to "Directly to the collector". */
const renderDirect = (input: EmbedInput = {}) => renderEmbed({ ...input, settings: { connection: 'direct', ...input.settings } });
/** The tag through the App Proxy at its default path: relative to the shop's domain. */
const PROXY_TAG = '<script defer src="/apps/cairn/t.js" data-site="st_8fK2" data-api="/apps/cairn/event" data-disable="spa"></script>';

describe('the app embed block through the App Proxy (the default)', () => {
  it('writes the tag on the shop’s own domain at apps/cairn, with the app’s site', async () => {
    const schema = await blockSchema();
    expect(schema.settings.find((s) => s.id === 'connection')?.default).toBe('proxy');
    expect(asShopifyWrites(await renderEmbed({ metafields: connected })).trim()).toBe(PROXY_TAG);
    expect(asShopifyWrites(await renderEmbed({ metafields: connected, settings: { connection: 'proxy' } })).trim()).toBe(PROXY_TAG);
  });

  it('follows the path the merchant moved the proxy to (prefix apps, a, community or tools), slashes trimmed', async () => {
    for (const [path, base] of [['a/stats', '/a/stats'], [' /tools/cairn-2/ ', '/tools/cairn-2'], ['Community/x_y', '/community/x_y']]) {
      const attrs = scriptAttributes(await renderEmbed({ metafields: connected, settings: { proxy_path: path } }));
      expect(attrs, path).toContainEqual(['src', `${base}/t.js`]);
      expect(attrs, path).toContainEqual(['data-api', `${base}/event`]);
    }
  });

  it('renders no tag for a path Shopify cannot proxy, or without the app’s site; the theme editor says why', async () => {
    for (const proxy_path of ['cairn', 'shop/cairn', 'apps/', 'apps/a/b', 'apps/"><img', 'apps/ca irn', '//evil.example/x']) {
      expect((await renderEmbed({ metafields: connected, settings: { proxy_path } })).trim(), proxy_path).toBe('');
      expect((await renderEmbed({ metafields: connected, settings: { proxy_path }, designMode: true })).trim()).toMatch(/^<!-- Cairn: no tracker, the App Proxy path must [^<>]* -->$/);
    }
    // The block's own site is for the direct connection: the proxy counts for the app's site only.
    expect((await renderEmbed({ settings: { site_id: 'st_own' } })).trim()).toBe('');
    expect((await renderEmbed({ settings: { site_id: 'st_own' }, designMode: true })).trim()).toMatch(/^<!-- Cairn: no tracker, no site id: [^<>]* -->$/);
    expect(scriptAttributes(await renderEmbed({ metafields: connected, settings: { site_id: 'st_own' } }))).toContainEqual(['data-site', 'st_8fK2']);
  });

  it('keeps the feature attributes', async () => {
    expect(scriptAttributes(await renderEmbed({ metafields: connected, settings: { track_form: false, vitals: true } }))).toEqual([
      ['defer', true],
      ['src', '/apps/cairn/t.js'],
      ['data-site', 'st_8fK2'],
      ['data-api', '/apps/cairn/event'],
      ['data-disable', 'spa form'],
      ['data-vitals', true],
    ]);
  });
});

describe('the app embed block, directly to the collector', () => {
  it('is an app embed in the <head>', async () => {
    const schema = await blockSchema();
    expect(schema.target).toBe('head');
    // Shopify shows it under App embeds by this name.
    expect(schema.name).toBe('Cairn Analytics');
  });

  it('renders exactly the tracker tag from the metafields the app set, in-page navigations off by default', async () => {
    expect(asShopifyWrites(await renderDirect({ metafields: connected })).trim()).toBe(DEFAULT_TAG);
    // A collector URL written with a trailing slash gives the same tag.
    expect(asShopifyWrites(await renderDirect({ metafields: { ...connected, collector_url: 'https://cairn.example.com/' } })).trim()).toBe(DEFAULT_TAG);
    // With every feature of the tracker on, the tag of ARCHITECTURE.md §1 and nothing more.
    expect(asShopifyWrites(await renderDirect({ metafields: connected, settings: { track_spa: true } })).trim()).toBe(TAG);
  });

  it('takes the block’s own site and collector over the metafields, and ignores blank ones', async () => {
    const own = { site_id: ' st_own ', collector_url: 'https://stats.shop.example/' };
    expect(asShopifyWrites(await renderDirect({ metafields: connected, settings: own })).trim()).toBe(
      '<script defer src="https://stats.shop.example/t.js" data-site="st_own" data-api="https://stats.shop.example/api/event" data-disable="spa"></script>',
    );
    // A self-hoster without the app: the settings alone are enough.
    expect(scriptAttributes(await renderDirect({ settings: own }))).toContainEqual(['data-site', 'st_own']);
    expect(asShopifyWrites(await renderDirect({ metafields: connected, settings: { site_id: '  ', collector_url: '' } })).trim()).toBe(DEFAULT_TAG);
  });

  it('switches a feature off in data-disable when its checkbox is cleared, one word per feature', async () => {
    const allOn = Object.fromEntries(Object.values(CHECKBOX).map((c) => [c, true]));
    for (const [feature, checkbox] of Object.entries(CHECKBOX)) {
      const attrs = scriptAttributes(await renderDirect({ metafields: connected, settings: { ...allOn, [checkbox]: false } }));
      expect(attrs, checkbox).toContainEqual(['data-disable', feature]);
    }
    const all = Object.fromEntries(Object.values(CHECKBOX).map((c) => [c, false]));
    expect(scriptAttributes(await renderDirect({ metafields: connected, settings: all }))).toContainEqual([
      'data-disable',
      Object.keys(CHECKBOX).join(' '),
    ]);
  });

  it('writes each other feature setting as its attribute, after data-site and data-api', async () => {
    const settings = { track_outbound: false, track_form: false, respect_dnt: true, vitals: true, exclude: ' /account/* /cart ', downloads: 'pdf epub' };
    expect(asShopifyWrites(await renderDirect({ metafields: connected, settings })).trim()).toBe(
      '<script defer src="https://cairn.example.com/t.js" data-site="st_8fK2" data-api="https://cairn.example.com/api/event"' +
        ' data-exclude="/account/* /cart" data-disable="spa outbound form" data-downloads="pdf epub" data-respect-dnt data-vitals></script>',
    );
  });

  it('escapes what it writes into attributes', async () => {
    const hostile = { site_id: 'st"><img src=x onerror=alert(1)>', exclude: `/a'b" /c&d` };
    const html = await renderDirect({ metafields: connected, settings: hostile });
    expect(html).not.toContain('<img');
    expect(scriptAttributes(html)).toEqual([
      ['defer', true],
      ['src', 'https://cairn.example.com/t.js'],
      ['data-site', hostile.site_id],
      ['data-api', 'https://cairn.example.com/api/event'],
      ['data-exclude', hostile.exclude],
      ['data-disable', 'spa'],
    ]);
  });

  it('renders no tag when the site or the collector is missing, or the collector is not an http(s) URL; in the theme editor, a comment says why', async () => {
    const broken = [
      {},
      { metafields: { site_id: 'st_8fK2' } },
      { metafields: { collector_url: 'https://cairn.example.com' } },
      { metafields: { ...connected, collector_url: 'cairn.example.com' } },
      { metafields: connected, settings: { collector_url: 'javascript:alert(1)//' } },
    ];
    for (const input of broken) {
      expect((await renderDirect(input)).trim(), JSON.stringify(input)).toBe('');
      const editor = (await renderDirect({ ...input, designMode: true })).trim();
      expect(editor).toMatch(/^<!-- Cairn: no tracker, (no site id|no collector URL|the collector URL must begin with https:\/\/)[^<>]* -->$/);
    }
  });

  it('loads no tracker in the theme editor, so the merchant’s editing is not counted', async () => {
    const editor = (await renderDirect({ metafields: connected, designMode: true })).trim();
    expect(editor).not.toContain('<script');
    expect(editor).toMatch(/^<!-- Cairn: the tracker is on for site st_8fK2; .* -->$/);
  });
});
