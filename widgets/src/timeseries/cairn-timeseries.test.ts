/**
 * <cairn-timeseries> in Chromium, on a host page of another origin with a view token: accessible,
 * its table saying exactly the API's series, the comparison drawn dashed, the period's buckets
 * following the attributes, the theme's colours, and ECharts set up only when seen and disposed
 * when the element goes.
 */
import type { TimeseriesAnswer } from '@cairn/collector/protocol';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, startFixture, visit, type Fixture } from '../testing/fixture.ts';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
  await visit(f.h, [
    { page: '/', visitors: 4 },
    { page: '/pricing', visitors: 3 },
  ]);
  // Two of them come back for a second page: 7 visitors, 9 pageviews.
  await visit(f.h, [{ page: '/about', visitors: 2 }]);
});
afterAll(() => f?.close());

const tag = async (html: string) => html.replaceAll('TOKEN', await f.token()).replaceAll('API', f.h.collector.url).replaceAll('SITE', f.h.siteId);

/** What a test reads of the element: its state and its chart's option, as ECharts holds it. */
interface Seen {
  state: string;
  chart: { getOption(): { series: { name: string; data: (number | null)[]; lineStyle: { type: string; color: string } }[]; xAxis: { data: string[] }[] }; isDisposed(): boolean } | null;
}

/** Waits until every <cairn-timeseries> has drawn its chart. */
const drawn = (page: Page) =>
  page.waitForFunction(() => [...document.querySelectorAll('cairn-timeseries')].every((e) => (e as unknown as Seen).state === 'ready' && (e as unknown as Seen).chart !== null));

/** The hidden table: each row's bucket (its `datetime`), label and cells. */
const table = (page: Page, n = 0) =>
  page.evaluate(
    (i) =>
      [...document.querySelectorAll('cairn-timeseries')[i]!.shadowRoot!.querySelectorAll('.sr-only table tbody tr')].map((tr) => ({
        bucket: tr.querySelector('th time')!.getAttribute('datetime'),
        label: tr.querySelector('th')!.textContent!.trim(),
        cells: [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim()),
      })),
    n,
  );

const option = (page: Page, n = 0) =>
  page.evaluate((i) => {
    const o = (document.querySelectorAll('cairn-timeseries')[i] as unknown as Seen).chart!.getOption();
    return { series: o.series.map((s) => ({ data: s.data, line: s.lineStyle.type, color: s.lineStyle.color })), labels: o.xAxis[0]!.data };
  }, n);

describe('<cairn-timeseries>', () => {
  it('is accessible (axe-core, zero violations), light and dark, with a comparison', async () => {
    const page = await f.open(
      await tag(`<h1>Stats</h1>
      <cairn-timeseries api="API" site="SITE" token="TOKEN"></cairn-timeseries>
      <div style="background:#141821"><cairn-timeseries api="API" site="SITE" token="TOKEN" metric="pageviews" compare="previous" theme="dark"></cairn-timeseries></div>`),
    );
    await drawn(page);
    expect(await axeViolations(page)).toEqual([]);
    const label = await page.evaluate(() => document.querySelector('cairn-timeseries')!.shadowRoot!.querySelector('[role="img"]')!.getAttribute('aria-label'));
    expect(label).toMatch(/^Visitors by day, .+: 7 in total, highest 7 \(.+\)\.$/);
  });

  it('tells screen readers exactly the series the API answers, bucket by bucket, with labels for people', async () => {
    const page = await f.open(await tag(`<cairn-timeseries api="API" site="SITE" token="TOKEN" metric="pageviews"></cairn-timeseries>`));
    await drawn(page);
    const api = await f.api<TimeseriesAnswer>('timeseries?period=30d');
    const rows = await table(page);
    expect(rows.map((r) => [r.bucket, r.cells])).toEqual(api.series.map((p) => [p.bucket, [String(p.pageviews)]]));
    expect(rows.at(-1)!.cells).toEqual(['9']);
    // "Nov 3", not "2026-11-03"; the chart is drawn from the same numbers.
    expect(rows.at(-1)!.label).toMatch(/^[A-Z][a-z]{2} \d{1,2}$/);
    expect((await option(page)).series.map((s) => s.data)).toEqual([api.series.map((p) => p.pageviews)]);
  });

  it('draws the comparison period as a second, dashed line', async () => {
    const page = await f.open(
      await tag(`<cairn-timeseries api="API" site="SITE" token="TOKEN" compare="previous"></cairn-timeseries>
      <cairn-timeseries api="API" site="SITE" token="TOKEN"></cairn-timeseries>`),
    );
    await drawn(page);
    const [compared, alone] = [await option(page, 0), await option(page, 1)];
    const api = await f.api<TimeseriesAnswer>('timeseries?period=30d&compare=previous');
    expect(compared.series.map((s) => s.line)).toEqual(['solid', 'dashed']);
    expect(compared.series[1]!.data).toEqual(api.comparison!.series.map((p) => p.visitors));
    expect(alone.series.map((s) => s.line)).toEqual(['solid']);
    expect((await table(page, 0))[0]!.cells).toHaveLength(3);
  });

  it('reads the buckets the attributes ask for: 7 days, hours of a day, months of a year', async () => {
    const page = await f.open(await tag(`<cairn-timeseries api="API" site="SITE" token="TOKEN"></cairn-timeseries>`));
    await drawn(page);
    expect(await table(page)).toHaveLength(30);
    /** Sets an attribute, then waits for the table and the chart to have `n` buckets. */
    const reread = async (attr: string, value: string, n: number) => {
      const state = await page.evaluate(async ([a, v]) => {
        const el = document.querySelector('cairn-timeseries')!;
        el.setAttribute(a, v);
        await el.updateComplete;
        return (el as unknown as Seen).state;
      }, [attr, value] as const);
      expect(state).toBe('loading');
      await page.waitForFunction((length) => {
        const el = document.querySelector('cairn-timeseries')!;
        const chart = (el as unknown as Seen).chart;
        return el.shadowRoot!.querySelectorAll('.sr-only tbody tr').length === length && chart?.getOption().xAxis[0]!.data.length === length;
      }, n);
    };
    await reread('period', '7d', 7);
    const week = await f.api<TimeseriesAnswer>('timeseries?period=7d');
    expect((await table(page)).map((r) => r.bucket)).toEqual(week.series.map((p) => p.bucket));
    await reread('period', 'day', 24);
    const hours = await table(page);
    expect((await option(page)).labels[14]).toBe('14:00');
    expect(hours[14]!.label).toMatch(/^[A-Z][a-z]{2} \d{1,2}, 14:00$/);
    await reread('period', '12mo', 12);
    expect((await option(page)).labels.at(-1)).toMatch(/^[A-Z][a-z]{2} \d{4}$/);
    await reread('interval', 'week', (await f.api<TimeseriesAnswer>('timeseries?period=12mo&interval=week')).series.length);
    expect((await table(page))[0]!.label).toMatch(/^Week of [A-Z][a-z]{2} \d{1,2}$/);
  });

  it("draws with the theme's colours, again when the theme changes", async () => {
    const page = await f.open(await tag(`<cairn-timeseries api="API" site="SITE" token="TOKEN"></cairn-timeseries>`));
    await drawn(page);
    expect((await option(page)).series[0]!.color).toBe('#2f6fdf');
    await page.evaluate(() => document.querySelector('cairn-timeseries')!.setAttribute('theme', 'dark'));
    await page.waitForFunction(() => (document.querySelector('cairn-timeseries') as unknown as Seen).chart!.getOption().series[0]!.lineStyle.color === '#6ea0ff');
    await page.evaluate(() => document.querySelector('cairn-timeseries')!.style.setProperty('--cairn-accent', 'rebeccapurple'));
    await page.evaluate(() => document.querySelector('cairn-timeseries')!.setAttribute('theme', 'light'));
    await page.waitForFunction(() => (document.querySelector('cairn-timeseries') as unknown as Seen).chart!.getOption().series[0]!.lineStyle.color === 'rebeccapurple');
  });

  it('sets ECharts up only once it is seen, and disposes of it when removed', async () => {
    const page = await f.open(await tag(`<div style="height:3000px">Above the fold</div><cairn-timeseries api="API" site="SITE" token="TOKEN"></cairn-timeseries>`));
    await page.waitForFunction(() => (document.querySelector('cairn-timeseries') as unknown as Seen).state === 'ready');
    await page.waitForTimeout(300);
    const box = () => page.evaluate(() => document.querySelector('cairn-timeseries')!.shadowRoot!.querySelector('.chart')!.children.length);
    expect(await page.evaluate(() => (document.querySelector('cairn-timeseries') as unknown as Seen).chart)).toBeNull();
    expect(await box()).toBe(0);
    await page.evaluate(() => document.querySelector('cairn-timeseries')!.scrollIntoView());
    await drawn(page);
    expect(await box()).toBeGreaterThan(0);

    const gone = await page.evaluate(() => {
      const el = document.querySelector('cairn-timeseries')!;
      const chart = (el as unknown as Seen).chart!;
      el.remove();
      (window as unknown as { removed: Element }).removed = el;
      return { disposed: chart.isDisposed(), chart: (el as unknown as Seen).chart, children: el.shadowRoot!.querySelector('.chart')!.children.length };
    });
    expect(gone).toEqual({ disposed: true, chart: null, children: 0 });
    // Put back, it draws again.
    await page.evaluate(() => document.querySelector('main')!.append((window as unknown as { removed: Element }).removed));
    await drawn(page);
    expect(await box()).toBeGreaterThan(0);
  });
});
