/**
 * <cairn-page-stats> in Chromium, on a host page of another origin with a view token, as a CMS
 * editor's 280 px side panel would hold it: accessible, one page's numbers and top sources exactly
 * the API's (in one request), its change against the day before, reloading when the path changes,
 * and a page nobody visited as such.
 */
import type { DashboardAnswer } from '@cairn/collector/protocol';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, startFixture, visit, type Fixture } from '../testing/fixture.ts';

let f: Fixture;
const DAY = 86_400_000;
const now = Date.now();
// An event the day before (ingest takes times up to 24 h back): yesterday unless the tests run in
// the last two minutes of a UTC day, when the comparison test below cannot see a change.
const earlier = now - DAY + 120_000;
const today = new Date(now).toISOString().slice(0, 10);
const yesterdayToo = new Date(earlier).toISOString().slice(0, 10) !== today;
const LONG = `/blog/${'a-very-long-post-slug-'.repeat(6)}end`;

beforeAll(async () => {
  f = await startFixture();
  // Visitors 198.51.0.1–2 on /blog/x from Google, 3 direct; 4–7 on /blog/y from Hacker News; 8–12 on /; 13–14 on a long path.
  await visit(f.h, [
    { page: '/blog/x', visitors: 2, referrer: 'https://www.google.com/' },
    { page: '/blog/x', visitors: 1 },
    { page: '/blog/y', visitors: 4, referrer: 'https://news.ycombinator.com/item?id=1' },
    { page: '/', visitors: 5 },
    { page: LONG, visitors: 2, referrer: `https://${'sub.'.repeat(12)}example.org/` },
  ]);
  const send = async (body: object, ip: string) => {
    const res = await f.h.post({ s: f.h.siteId, u: 'https://example.com/blog/x', ...body }, { 'x-forwarded-for': ip });
    if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
  };
  // Two of the three visits to /blog/x report 30 s and 60 s of engagement, scrolling 80 % and 40 %.
  await send({ n: 'engagement', d: 30_000, sd: 80 }, '198.51.0.1');
  await send({ n: 'engagement', d: 60_000, sd: 40 }, '198.51.0.3');
  // One visitor the day before, from Hacker News.
  await send({ n: 'pageview', r: 'https://news.ycombinator.com/', t: earlier }, '203.0.113.9');
  await f.h.collector.store.events.settle();
});
afterAll(() => f?.close());

const tag = async (html: string) => html.replaceAll('TOKEN', await f.token()).replaceAll('API', f.h.collector.url).replaceAll('SITE', f.h.siteId);
const settled = (page: Page) => page.waitForFunction(() => [...document.querySelectorAll('cairn-page-stats')].every((e) => (e as unknown as { state: string }).state !== 'loading'));
const pageFilter = (path: string) => encodeURIComponent(JSON.stringify([{ dimension: 'page', op: 'is', values: [path] }]));

/** What the panel shows: each number with its label and change, and the sources with their visitors. */
const shown = (page: Page) =>
  page.evaluate(() => {
    const root = document.querySelector('cairn-page-stats')!.shadowRoot!;
    const text = (e: Element | null) => e?.textContent!.trim().replace(/\s+/g, ' ') ?? null;
    return {
      metrics: [...root.querySelectorAll('dl > div')].map((d) => [text(d.querySelector('dt')), text(d.querySelector('.value')), text(d.querySelector('.change'))]),
      sources: [...root.querySelectorAll('tbody tr')].map((tr) => [text(tr.querySelector('th')), text(tr.querySelector('td'))]),
    };
  });
const change = (c: number | null, against: string) => (c === null ? null : `${c > 0 ? '▲ +' : c < 0 ? '▼ ' : ''}${c}% vs ${against}`);

describe('<cairn-page-stats>', () => {
  it('is accessible (axe-core, zero violations), light and dark, with its headings at the level asked', async () => {
    const page = await f.open(
      await tag(`<h1>Edit post</h1>
      <aside style="width:280px">
        <cairn-page-stats api="API" site="SITE" token="TOKEN" path="/blog/x"></cairn-page-stats>
        <section style="background:#141821;color:#e8ebf1;padding:8px"><h2>Dark</h2>
          <cairn-page-stats api="API" site="SITE" token="TOKEN" path="/blog/x" theme="dark" level="3"></cairn-page-stats>
          <cairn-page-stats api="API" site="SITE" token="TOKEN" path="/blog/never" theme="dark" level="3" heading="Another post"></cairn-page-stats>
        </section>
      </aside>`),
    );
    await settled(page);
    expect(await page.evaluate(() => [...document.querySelectorAll('cairn-page-stats')].map((e) => (e as unknown as { state: string }).state))).toEqual(['ready', 'ready', 'empty']);
    expect(await axeViolations(page)).toEqual([]);
    await expect(page.getByRole('heading', { level: 4, name: 'Top sources', exact: true }).count()).resolves.toBe(1);
    await expect(page.getByRole('heading', { level: 3, name: 'Top sources', exact: true }).count()).resolves.toBe(1);
  });

  it('shows the page’s numbers and top sources as the API answers them, with one request', async () => {
    const page = await f.open(await tag(`<cairn-page-stats api="API" site="SITE" token="TOKEN" path="/blog/x"></cairn-page-stats>`));
    await settled(page);
    const a = await f.api<DashboardAnswer>(`dashboard?period=30d&compare=previous&breakdowns=source&limit=5&filters=${pageFilter('/blog/x')}`);
    const m = a.summary!.metrics;
    const c = a.summary!.comparison!.change;
    const against = 'the previous period';
    expect(await shown(page)).toEqual({
      metrics: [
        ['Visitors', String(m.visitors), change(c.visitors, against)],
        ['Pageviews', String(m.pageviews), change(c.pageviews, against)],
        ['Visit duration', `${Math.round(m.visit_duration)}s`, change(c.visit_duration, against)],
        ['Scroll depth', `${m.scroll_depth}%`, change(c.scroll_depth, against)],
      ],
      sources: a.breakdowns.source!.rows.map((r) => [r.value, String(r.visitors)]),
    });
    // Nothing in the 30 days before: no change to show, said once.
    expect(a.summary!.comparison!.metrics.visitors).toBe(0);
    expect(await page.evaluate(() => document.querySelector('cairn-page-stats')!.shadowRoot!.querySelector('.note')?.textContent)).toBe('No visits in the previous period to compare with.');
    // The seeded visits, so that an empty answer on both sides cannot pass: 90 s over 4 visits (whole seconds), scrolling (80 + 40) ÷ 2.
    expect([m.visitors, m.pageviews, m.visit_duration, m.scroll_depth]).toEqual([4, 4, 23, 60]);
    expect(a.breakdowns.source!.rows.map((r) => `${r.value}: ${r.visitors}`).sort()).toEqual(['(none): 1', 'Google: 2', 'Hacker News: 1']);
    expect(await page.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/stats/')).length)).toBe(1);
  });

  it('compares with the previous period: a day against the day before', async ({ skip }) => {
    if (!yesterdayToo) skip('the event of the day before fell on today (the last minutes of a UTC day)');
    const page = await f.open(await tag(`<cairn-page-stats api="API" site="SITE" token="TOKEN" path="/blog/x" period="day" date="${today}"></cairn-page-stats>`));
    await settled(page);
    const a = await f.api<DashboardAnswer>(`dashboard?period=day&date=${today}&compare=previous&breakdowns=source&limit=5&filters=${pageFilter('/blog/x')}`);
    expect(a.summary!.comparison!.metrics.visitors).toBe(1);
    expect(a.summary!.comparison!.change.visitors).toBe(200);
    const metrics = (await shown(page)).metrics;
    expect(metrics[0]).toEqual(['Visitors', '3', '▲ +200% vs the previous period']);
    expect(metrics[1]).toEqual(['Pageviews', String(a.summary!.metrics.pageviews), change(a.summary!.comparison!.change.pageviews, 'the previous period')]);
  });

  it('reads the numbers again when the path changes', async () => {
    const page = await f.open(await tag(`<cairn-page-stats api="API" site="SITE" token="TOKEN" path="/blog/x"></cairn-page-stats>`));
    await settled(page);
    await page.evaluate(() => document.querySelector('cairn-page-stats')!.setAttribute('path', '/blog/y'));
    await page.waitForFunction(() => document.querySelector('cairn-page-stats')!.shadowRoot!.querySelector('tbody th')?.textContent?.trim() === 'Hacker News');
    const a = await f.api<DashboardAnswer>(`dashboard?period=30d&compare=previous&breakdowns=source&limit=5&filters=${pageFilter('/blog/y')}`);
    const s = await shown(page);
    // No engagement reports for /blog/y: no duration or scroll depth to show.
    expect(s.metrics.map((r) => [r[0], r[1]])).toEqual([
      ['Visitors', String(a.summary!.metrics.visitors)],
      ['Pageviews', String(a.summary!.metrics.pageviews)],
    ]);
    expect(a.summary!.metrics.visitors).toBe(4);
    expect(s.sources).toEqual(a.breakdowns.source!.rows.map((r) => [r.value, String(r.visitors)]));
  });

  it('says so for a page nobody visited', async () => {
    const page = await f.open(await tag(`<cairn-page-stats api="API" site="SITE" token="TOKEN" path="/blog/never"></cairn-page-stats>`));
    await settled(page);
    expect(await page.evaluate(() => (document.querySelector('cairn-page-stats') as unknown as { state: string }).state)).toBe('empty');
    expect(await page.evaluate(() => document.querySelector('cairn-page-stats')!.shadowRoot!.querySelector('[part=state]')!.textContent!.trim())).toBe('No visits to /blog/never in this period yet.');
  });

  it('fits a 280 px side panel, long paths and source names included', async () => {
    const page = await f.open(
      await tag(`<aside style="width:280px">
        <cairn-page-stats api="API" site="SITE" token="TOKEN" path="/blog/x"></cairn-page-stats>
        <cairn-page-stats api="API" site="SITE" token="TOKEN" path="${LONG}" theme="dark" style="background:#141821"></cairn-page-stats>
      </aside>`),
    );
    await settled(page);
    const overflow = await page.evaluate(() =>
      [...document.querySelectorAll('cairn-page-stats')].flatMap((host) => {
        const right = host.getBoundingClientRect().right;
        return [...host.shadowRoot!.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > right + 0.5).map((e) => `${host.getAttribute('path')}: ${e.className || e.tagName}`);
      }),
    );
    expect(overflow).toEqual([]);
    expect(await page.evaluate(() => document.querySelector('aside')!.scrollWidth)).toBe(280);
  });
});
