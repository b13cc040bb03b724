/**
 * Stored XSS in the dashboard: events whose paths, referrers, campaign tags, event names and
 * props carry script payloads are ingested; the dashboard renders them as text, and none runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture, type Fixture } from '../testing/fixture.ts';

let f: Fixture;
const SCRIPT = '<script>window.__xss=1</script>';
const IMG = '<img src=x onerror="window.__xss=2">';
const SVG = '<svg onload=window.__xss=3>';

beforeAll(async () => {
  f = await startFixture();
  const events = [
    { n: 'pageview', u: `https://example.com/${SCRIPT}?utm_campaign=${encodeURIComponent(IMG)}`, r: `https://evil.example/${encodeURIComponent(SVG)}` },
    { n: 'pageview', u: `https://example.com/a?utm_source=${encodeURIComponent(IMG)}` },
    { n: SVG, u: 'https://example.com/b', p: { plan: IMG } },
  ];
  for (const e of events) {
    const res = await f.h.post({ s: f.h.siteId, ...e }, { 'x-forwarded-for': '203.0.113.60' });
    if (res.status !== 202) throw new Error(`ingest answered ${res.status}`);
  }
  await f.h.collector.store.events.settle();
});
afterAll(() => f?.close());

describe('the dashboard', () => {
  it('shows script payloads from events as inert text', async () => {
    const page = await f.open(`<cairn-dashboard api="${f.h.collector.url}" site="${f.h.siteId}" token="${await f.token()}"></cairn-dashboard>
      <cairn-breakdown api="${f.h.collector.url}" site="${f.h.siteId}" token="${await f.token()}" dimension="utm_campaign"></cairn-breakdown>
      <cairn-breakdown api="${f.h.collector.url}" site="${f.h.siteId}" token="${await f.token()}" dimension="event"></cairn-breakdown>
      <cairn-breakdown api="${f.h.collector.url}" site="${f.h.siteId}" token="${await f.token()}" dimension="referrer"></cairn-breakdown>`);
    await page.waitForFunction(() => [...document.querySelectorAll('cairn-dashboard, cairn-breakdown')].every((e) => (e as unknown as { state: string }).state === 'ready'));
    await page.waitForTimeout(500);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    const found = await page.evaluate(() => {
      const texts: string[] = [];
      const injected: string[] = [];
      const walk = (root: ShadowRoot) => {
        for (const el of root.querySelectorAll('*')) {
          // What a payload would have made: elements that load or run things, or handler attributes.
          if (['IMG', 'SCRIPT', 'IFRAME', 'OBJECT'].includes(el.tagName.toUpperCase()) || [...el.attributes].some((a) => a.name.startsWith('on'))) injected.push(el.outerHTML.slice(0, 80));
          if (el.tagName === 'TH' || el.tagName === 'BUTTON') texts.push(el.textContent ?? '');
          if (el.shadowRoot) walk(el.shadowRoot);
        }
      };
      for (const host of document.querySelectorAll('cairn-dashboard, cairn-breakdown')) walk(host.shadowRoot!);
      return { injected, texts: texts.join('\n') };
    });
    expect(found.injected).toEqual([]);
    // The payloads are on screen, as text.
    expect(found.texts).toContain(SCRIPT);
    expect(found.texts).toContain(IMG);
    expect(found.texts).toContain(SVG);
  });
});
