/**
 * <cairn-funnel> in Chromium, on a host page of another origin with a view token: accessible,
 * each step's visits, conversion and drop-off exactly the API's, reloading when the steps change,
 * an empty period as such, and steps that are not valid as a clear error (with no request sent).
 */
import type { FunnelAnswer } from '@cairn/collector/protocol';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, startFixture, visit, type Fixture } from '../testing/fixture.ts';

let f: Fixture;
const PRICING_SIGNUP = '[{"kind":"page","match":"/pricing"},{"kind":"event","match":"signup","name":"Sign-up"}]';
const HOME_SIGNUP = '[{"kind":"page","match":"/"},{"kind":"event","match":"signup"}]';

beforeAll(async () => {
  f = await startFixture();
  // Visitors 198.51.0.1–6 on /, 7–10 on /pricing (the fixture's addresses).
  await visit(f.h, [
    { page: '/', visitors: 6 },
    { page: '/pricing', visitors: 4 },
  ]);
  // Three of the /pricing visits sign up, and one of the / visits.
  for (const ip of ['198.51.0.7', '198.51.0.8', '198.51.0.9', '198.51.0.1']) {
    const res = await f.h.post({ s: f.h.siteId, n: 'signup', u: 'https://example.com/pricing' }, { 'x-forwarded-for': ip });
    if (res.status !== 202) throw new Error(`ingest answered ${res.status}`);
  }
  await f.h.collector.store.events.settle();
});
afterAll(() => f?.close());

const tag = async (html: string) => html.replaceAll('TOKEN', await f.token()).replaceAll('API', f.h.collector.url).replaceAll('SITE', f.h.siteId);
const settled = (page: Page) => page.waitForFunction(() => [...document.querySelectorAll('cairn-funnel')].every((e) => (e as unknown as { state: string }).state !== 'loading'));
const state = (page: Page) => page.evaluate(() => (document.querySelector('cairn-funnel') as unknown as { state: string }).state);

/** Each step as read on screen: its visits, its conversion, its drop-off (steps after the first). */
const steps = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelector('cairn-funnel')!.shadowRoot!.querySelectorAll('li')].map((li) =>
      [li.querySelector('.name')!, li.querySelector('.visits')!, li.querySelector('.rate')!, li.querySelector('.dropoff')].map((e) => e?.textContent!.trim().replace(/\s+/g, ' ') ?? null),
    ),
  );
const expected = (a: FunnelAnswer) =>
  a.steps.map((s, i) => [`${i + 1}. ${s.name}${s.name === s.match ? ` (${s.kind})` : ''}`, `${s.visits} ${s.visits === 1 ? 'visit' : 'visits'}`, `${s.conversion_rate}%`, i === 0 ? null : `${s.dropoff} dropped off after step ${i} (${s.dropoff_rate}%)`]);

describe('<cairn-funnel>', () => {
  it('is accessible (axe-core, zero violations), light and dark, with its heading at the level asked', async () => {
    const page = await f.open(
      await tag(`<h1>Stats</h1>
      <cairn-funnel api="API" site="SITE" token="TOKEN" steps='${PRICING_SIGNUP}'></cairn-funnel>
      <section style="background:#141821;color:#e8ebf1;padding:8px"><h2>Dark</h2>
        <cairn-funnel api="API" site="SITE" token="TOKEN" theme="dark" level="3" heading="Sign-ups" steps='${PRICING_SIGNUP}'></cairn-funnel>
        <cairn-funnel api="API" site="SITE" token="TOKEN" theme="dark" level="3" heading="Broken" steps='[{"kind":"page"'></cairn-funnel>
      </section>`),
    );
    await settled(page);
    expect(await page.evaluate(() => [...document.querySelectorAll('cairn-funnel')].map((e) => (e as unknown as { state: string }).state))).toEqual(['ready', 'ready', 'error']);
    expect(await axeViolations(page)).toEqual([]);
    await expect(page.getByRole('heading', { level: 3, name: 'Sign-ups', exact: true }).count()).resolves.toBe(1);
    await expect(page.getByRole('list', { name: 'Funnel', exact: true }).getByRole('listitem').count()).resolves.toBe(2);
  });

  it('shows each step’s visits, conversion from step 1 and drop-off as the API answers them', async () => {
    const page = await f.open(await tag(`<cairn-funnel api="API" site="SITE" token="TOKEN" steps='${PRICING_SIGNUP}'></cairn-funnel>`));
    await settled(page);
    const a = await f.api<FunnelAnswer>(`funnel?period=30d&steps=${encodeURIComponent(PRICING_SIGNUP)}`);
    expect(await steps(page)).toEqual(expected(a));
    // The seeded visits, so that an empty answer on both sides cannot pass.
    expect(await steps(page)).toEqual([
      ['1. /pricing (page)', '4 visits', '40%', null],
      ['2. Sign-up', '3 visits', '75%', '1 dropped off after step 1 (25%)'],
    ]);
    // The bars are as long as each step's share of step 1.
    const widths = await page.evaluate(() => [...document.querySelector('cairn-funnel')!.shadowRoot!.querySelectorAll('.fill')].map((e) => (e as HTMLElement).offsetWidth / (e.parentElement as HTMLElement).offsetWidth));
    expect(widths.map((w) => Math.round(w * 100))).toEqual([100, 75]);
  });

  it('reads the funnel again when its steps change', async () => {
    const page = await f.open(await tag(`<cairn-funnel api="API" site="SITE" token="TOKEN" steps='${PRICING_SIGNUP}'></cairn-funnel>`));
    await settled(page);
    await page.evaluate((steps) => document.querySelector('cairn-funnel')!.setAttribute('steps', steps), HOME_SIGNUP);
    await page.waitForFunction(() => document.querySelector('cairn-funnel')!.shadowRoot!.querySelector('.visits')?.textContent?.trim() === '6 visits');
    const a = await f.api<FunnelAnswer>(`funnel?period=30d&steps=${encodeURIComponent(HOME_SIGNUP)}`);
    expect(await steps(page)).toEqual(expected(a));
    expect(a.steps.map((s) => s.visits)).toEqual([6, 1]);
  });

  it('says so when the period has no visits', async () => {
    const page = await f.open(await tag(`<cairn-funnel api="API" site="SITE" token="TOKEN" period="custom" from="2020-01-01" to="2020-01-31" steps='${PRICING_SIGNUP}'></cairn-funnel>`));
    await settled(page);
    expect(await state(page)).toBe('empty');
    expect(await page.evaluate(() => document.querySelector('cairn-funnel')!.shadowRoot!.querySelector('[part=state]')!.textContent!.trim())).toBe('No visits in this period yet.');
  });

  it('shows steps that are not valid JSON or not steps as an error, without asking the API, and recovers once they are fixed', async () => {
    const page = await f.open(await tag(`<cairn-funnel api="API" site="SITE" token="TOKEN" steps='[{"kind":"page","match":"/pricing"},'></cairn-funnel>`));
    // Every request the page made since it loaded.
    const asked = () => page.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.includes('/funnel')).length);
    await settled(page);
    const message = () => page.evaluate(() => document.querySelector('cairn-funnel')!.shadowRoot!.querySelector('[role=alert]')?.textContent?.trim().replace(/\s+/g, ' '));
    expect(await state(page)).toBe('error');
    expect(await message()).toBe(`This funnel cannot be shown: the steps attribute is not valid JSON. Write it like [{"kind":"page","match":"/pricing"},{"kind":"event","match":"signup"}]`);

    await page.evaluate(() => document.querySelector('cairn-funnel')!.setAttribute('steps', '[{"kind":"page","match":"/pricing"},{"kind":"click","match":"signup"}]'));
    await page.waitForFunction(() => document.querySelector('cairn-funnel')!.shadowRoot!.textContent!.includes('step 2'));
    expect(await message()).toBe('This funnel cannot be shown: step 2: "kind" must be "page" or "event"');
    await page.evaluate(() => document.querySelector('cairn-funnel')!.setAttribute('steps', '[{"kind":"page","match":"/pricing"}]'));
    await page.waitForFunction(() => document.querySelector('cairn-funnel')!.shadowRoot!.textContent!.includes('2 to 8 steps'));
    expect(await asked()).toBe(0);

    await page.evaluate((steps) => document.querySelector('cairn-funnel')!.setAttribute('steps', steps), PRICING_SIGNUP);
    await page.waitForFunction(() => (document.querySelector('cairn-funnel') as unknown as { state: string }).state === 'ready');
    expect(await asked()).toBe(1);
    expect((await steps(page)).map((s) => s[1])).toEqual(['4 visits', '3 visits']);
  });
});
