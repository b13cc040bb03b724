/**
 * Stored XSS: events whose paths, referrers, campaign tags and props carry script payloads are
 * ingested; the stats API's answers are then opened in a real Chromium (as a person following a
 * link would), and no payload runs; CSV exports never start a cell with = + - @ (formula
 * injection). The dashboard's own rendering is checked where the dashboard is built (widgets).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '@cairn/tracker/testing';
import { startHarness, type Harness } from '../testing/harness.ts';

let h: Harness;
let browser: Browser;

/** Each payload sets window.__xss when it runs. */
const SCRIPT = '<script>window.__xss=1</script>';
const IMG = '<img src=x onerror="window.__xss=2">';
const SVG = '<svg onload=window.__xss=3>';
const FORMULAS = ['=HYPERLINK("http://evil.example","x")', '+SUM(1,2)', '-2+3+cmd|\' /C calc\'!A0', '@SUM(1)'];

beforeAll(async () => {
  [h, browser] = await Promise.all([startHarness(), launchChromium()]);
  const events = [
    { n: 'pageview', u: `https://example.com/${SCRIPT}?utm_campaign=${encodeURIComponent(IMG)}&utm_source=${encodeURIComponent(FORMULAS[0]!)}`, r: `https://evil.example/${encodeURIComponent(SVG)}` },
    { n: 'pageview', u: `https://example.com/a?utm_source=${encodeURIComponent(FORMULAS[1]!)}&utm_medium=${encodeURIComponent(FORMULAS[2]!)}&utm_term=${encodeURIComponent(FORMULAS[3]!)}` },
    { n: SVG, u: 'https://example.com/b', p: { plan: IMG, note: SCRIPT, formula: FORMULAS[0]! } },
  ];
  for (const e of events) expect((await h.post({ s: h.siteId, ...e }, { 'x-forwarded-for': '203.0.113.50' })).status).toBe(202);
  await h.collector.store.events.settle();
});
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

const ENDPOINTS = [
  'summary?period=30d',
  'dashboard?period=30d&breakdowns=page,referrer,utm_campaign,event,prop:plan,prop:note',
  'breakdown/page?period=30d',
  'breakdown/referrer?period=30d',
  'breakdown/utm_campaign?period=30d',
  'breakdown/event?period=30d',
  'breakdown/prop:plan?period=30d',
  'realtime',
  `breakdown/page?period=30d&filters=${encodeURIComponent(JSON.stringify([{ dimension: 'page', op: 'contains', values: [SCRIPT] }]))}`,
  `breakdown/${encodeURIComponent(SCRIPT)}`,
  `summary?period=${encodeURIComponent(SCRIPT)}`,
];

describe('the stats API', () => {
  it('returns the payloads as JSON data, and a browser opening any answer runs none of them', async () => {
    const context = await browser.newContext({ extraHTTPHeaders: { authorization: `Bearer ${h.siteKey}` } });
    try {
      const page = await context.newPage();
      const dialogs: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      let carried = 0;
      for (const path of ENDPOINTS) {
        const url = `${h.collector.url}/api/stats/${h.siteId}/${path}`;
        const res = await page.goto(url);
        expect(res?.headers()['content-type'], path).toMatch(/^application\/json/);
        expect(res?.headers()['x-content-type-options'], path).toBe('nosniff');
        const body = (await res?.text()) ?? '';
        if ([SCRIPT, IMG, SVG].some((p) => body.includes(JSON.stringify(p).slice(1, -1)))) carried++;
        await page.waitForTimeout(50);
        expect(await page.evaluate('window.__xss'), path).toBeUndefined();
        // Rendered as text: no element but the browser's JSON viewer's own.
        expect(await page.evaluate("document.querySelectorAll('script, img, svg, iframe').length"), path).toBe(0);
      }
      expect(dialogs).toEqual([]);
      // The test means something only if the payloads did reach the answers.
      expect(carried).toBeGreaterThanOrEqual(5);
    } finally {
      await context.close();
    }
  });
});

/** Cells of a CSV text (RFC 4180 quoting). */
function csvCells(text: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',' || c === '\n') {
      cells.push(cell);
      cell = '';
    } else cell += c;
  }
  if (cell) cells.push(cell);
  return cells;
}

describe('CSV exports', () => {
  it('never start a cell with = + - @, and are downloads, not pages', async () => {
    const all: string[] = [];
    for (const query of ['data=events', 'data=breakdown&dimension=utm_source', 'data=breakdown&dimension=utm_medium', 'data=breakdown&dimension=utm_term', 'data=breakdown&dimension=prop:formula']) {
      const res = await fetch(`${h.collector.url}/api/stats/${h.siteId}/export?format=csv&period=30d&${query}`, { headers: { authorization: `Bearer ${h.siteKey}` } });
      expect(res.status, query).toBe(200);
      expect(res.headers.get('content-disposition'), query).toMatch(/^attachment; filename="cairn-/);
      expect(res.headers.get('content-type'), query).toBe('text/csv; charset=utf-8');
      all.push(...csvCells(await res.text()));
    }
    expect(all.filter((c) => /^[=+\-@]/.test(c))).toEqual([]);
    // The formulas are there, defused.
    for (const f of FORMULAS) expect(all, f).toContain(`'${f}`);
  });
});
