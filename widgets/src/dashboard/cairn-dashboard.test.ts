/**
 * <cairn-dashboard> in Chromium, on a host page of another origin with a view token: accessible,
 * the API's numbers in its metrics and breakdowns, filters added by clicking a value and removed
 * from the filter bar (reflected in the URL), the period picker, only the sections the token
 * opens, and the empty state with the tracker tag.
 */
import { mkdirSync } from 'node:fs';
import type { DashboardAnswer } from '@cairn/collector/protocol';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, shadowText, startFixture, visit, type Fixture } from '../testing/fixture.ts';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
  await visit(f.h, [
    { page: '/', visitors: 6, referrer: 'https://www.google.com/' },
    { page: '/pricing', visitors: 4, referrer: 'https://news.ycombinator.com/' },
    { page: '/blog/first', visitors: 2 },
  ]);
});
afterAll(() => f?.close());

const dashboard = async (attrs: string, token?: string) =>
  `<h1>Stats</h1><cairn-dashboard api="${f.h.collector.url}" site="${f.h.siteId}" token="${token ?? (await f.token())}" ${attrs}></cairn-dashboard>`;
const ready = (page: Page) => page.waitForFunction(() => (document.querySelector('cairn-dashboard') as unknown as { state: string } | null)?.state === 'ready');
/** Text inside the dashboard's breakdown of a dimension. */
const rowsOf = (page: Page, dimension: string) =>
  page.evaluate((d) => {
    const b = document.querySelector('cairn-dashboard')!.shadowRoot!.querySelector(`cairn-breakdown[dimension="${d}"]`)!;
    return [...b.shadowRoot!.querySelectorAll('tbody tr')].map((tr) => [tr.querySelector('th')!.textContent!.trim(), tr.querySelector('td')!.textContent!.trim()]);
  }, dimension);
const metricValues = (page: Page) =>
  page.evaluate(() => [...document.querySelector('cairn-dashboard')!.shadowRoot!.querySelectorAll('cairn-metric')].map((m) => m.shadowRoot!.querySelector('.value')?.textContent?.trim()));

describe('<cairn-dashboard>', () => {
  it('is accessible (axe-core, zero violations), light and dark', async () => {
    for (const theme of ['light', 'dark']) {
      const page = await f.open(await dashboard(`theme="${theme}" compare="previous"`));
      await ready(page);
      await page.waitForFunction(() => document.querySelector('cairn-dashboard')!.shadowRoot!.querySelector('cairn-timeseries') !== null);
      await page.waitForTimeout(300);
      expect(await axeViolations(page), theme).toEqual([]);
    }
  });

  it('shows the API’s numbers, in one request for the metrics, the chart and the breakdowns', async () => {
    const page = await f.open(await dashboard(''));
    await ready(page);
    const api = await f.api<DashboardAnswer>('dashboard?period=30d&breakdowns=page,country,device,browser,os,source');
    const m = api.summary!.metrics;
    expect(await metricValues(page)).toEqual([String(m.visitors), String(m.visits), String(m.pageviews), `${m.bounce_rate}%`, expect.any(String)]);
    expect(await rowsOf(page, 'page')).toEqual(api.breakdowns.page!.rows.map((r) => [r.value, String(r.visitors)]));
    expect(await rowsOf(page, 'source')).toEqual(api.breakdowns.source!.rows.map((r) => [r.value, String(r.visitors)]));
    const dashboards = await page.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.includes('/dashboard?')).length);
    expect(dashboards).toBe(1);
  });

  it('filters by a clicked value, lists the filter, removes it, and keeps the URL in step', async () => {
    const page = await f.open(await dashboard('url-state'));
    await ready(page);
    const events: unknown[] = [];
    await page.exposeFunction('seen', (e: unknown) => events.push(e));
    await page.evaluate(() => document.addEventListener('cairn-filter-change', (e) => (window as unknown as { seen: (x: unknown) => void }).seen((e as unknown as { filters: unknown }).filters)));
    await page.locator('cairn-dashboard cairn-breakdown[dimension="page"]').getByRole('button', { name: '/pricing' }).click();
    await page.waitForFunction(() => new URL(location.href).searchParams.get('filters') !== null);
    await ready(page);
    await page.waitForFunction(() => document.querySelector('cairn-dashboard')!.shadowRoot!.querySelector('cairn-metric')?.shadowRoot?.querySelector('.value')?.textContent?.trim() === '4');
    expect(await shadowText(page, 'cairn-dashboard', '.filters li span')).toEqual(['Page is /pricing']);
    expect(JSON.parse(new URL(page.url()).searchParams.get('filters')!)).toEqual([{ dimension: 'page', op: 'is', values: ['/pricing'] }]);
    await page.locator('cairn-dashboard').getByRole('button', { name: 'Remove the filter on Page' }).click();
    await ready(page);
    await page.waitForFunction(() => document.querySelector('cairn-dashboard')!.shadowRoot!.querySelector('cairn-metric')?.shadowRoot?.querySelector('.value')?.textContent?.trim() === '12');
    expect(new URL(page.url()).searchParams.get('filters')).toBeNull();
    expect(events).toEqual([[{ dimension: 'page', op: 'is', values: ['/pricing'] }], []]);
    // Reloading the page keeps what the URL says.
    await page.locator('cairn-dashboard cairn-breakdown[dimension="page"]').getByRole('button', { name: '/blog/first' }).click();
    await page.waitForFunction(() => new URL(location.href).searchParams.get('filters') !== null);
    await page.reload();
    await ready(page);
    expect(await shadowText(page, 'cairn-dashboard', '.filters li span')).toEqual(['Page is /blog/first']);
    // A filter reads as a sentence: one country, by name, and the operator in words.
    const url = new URL(page.url());
    url.searchParams.set('filters', JSON.stringify([{ dimension: 'country', op: 'is_not', values: ['DE'] }]));
    await page.goto(url.href);
    await ready(page);
    expect(await shadowText(page, 'cairn-dashboard', '.filters li span')).toEqual(['Country is not Germany']);
  });

  it('changes the period from its picker', async () => {
    const page = await f.open(await dashboard(''));
    await ready(page);
    const periods: string[] = [];
    await page.exposeFunction('period', (p: string) => periods.push(p));
    await page.evaluate(() => document.addEventListener('cairn-period-change', (e) => (window as unknown as { period: (p: string) => void }).period((e as unknown as { period: string }).period)));
    await page.locator('cairn-dashboard').getByLabel('Period', { exact: true }).selectOption('7d');
    await ready(page);
    expect(periods).toEqual(['7d']);
    const asked = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('/dashboard?')));
    expect(asked.at(-1)).toContain('period=7d');
    // Stepping through the closed picker with the arrow keys reloads once, for the period stopped at.
    const before = asked.length;
    await page.locator('cairn-dashboard').getByLabel('Period', { exact: true }).focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
    await expect.poll(() => periods).toEqual(['7d', '12mo']);
    await ready(page);
    const after = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('/dashboard?')));
    expect(after.slice(before)).toHaveLength(1);
    expect(after.at(-1)).toContain('period=12mo');
  });

  it('asks only for the sections its token opens', async () => {
    const page = await f.open(await dashboard('', await f.token({ sections: ['traffic'] })));
    await ready(page);
    const present = await page.evaluate(() => {
      const root = document.querySelector('cairn-dashboard')!.shadowRoot!;
      return { sources: !!root.querySelector('cairn-breakdown[dimension="source"]'), goals: !!root.querySelector('cairn-goals'), live: !!root.querySelector('cairn-realtime'), pages: !!root.querySelector('cairn-breakdown[dimension="page"]') };
    });
    expect(present).toEqual({ sources: false, goals: false, live: false, pages: true });
  });

  it('fits a 375 px phone, and is photographed light and dark, desktop and mobile (.cache/screenshots)', async () => {
    mkdirSync('.cache/screenshots', { recursive: true });
    for (const [name, width, height] of [['desktop', 1280, 900], ['mobile', 375, 812]] as const) {
      for (const theme of ['light', 'dark'] as const) {
        const page = await f.open(await dashboard(`theme="${theme}" compare="previous"`));
        await page.setViewportSize({ width, height });
        if (theme === 'dark') await page.evaluate(() => (document.body.style.background = '#141821'));
        await ready(page);
        await page.waitForTimeout(600);
        if (name === 'mobile') {
          const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
          expect(scroll, `${theme}: no horizontal scrolling`).toBeLessThanOrEqual(client);
        }
        await page.screenshot({ path: `.cache/screenshots/dashboard-${name}-${theme}.png`, fullPage: true });
      }
    }
  });

  it('shows the tracker tag when the site has no data yet', async () => {
    const other = await f.admin<{ site: { id: string }; secret: string }>('POST', '/sites', { domain: 'new.example' });
    const token = await (await fetch(`${f.h.collector.url}/api/tokens/view`, { method: 'POST', headers: { authorization: `Bearer ${other.secret}`, 'content-type': 'application/json' }, body: '{}' })).json();
    const page = await f.open(`<cairn-dashboard api="${f.h.collector.url}" site="${other.site.id}" token="${(token as { token: string }).token}"></cairn-dashboard>`);
    await ready(page);
    const text = (await shadowText(page, 'cairn-dashboard', '.empty'))[0]!;
    expect(text).toContain('No visits recorded yet');
    expect(text).toContain(`data-site="${other.site.id}"`);
    expect(text).toContain(`${f.h.collector.url}/t.js`);
  });
});
