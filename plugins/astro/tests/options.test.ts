/** The options of cairn(): defaults, and a message in plain words for each kind of mistake. */
import { describe, expect, it } from 'vitest';
import { parseOptions } from '../src/options.ts';

const valid = { site: 'site_1', api: 'https://stats.example.com/' };

describe('parseOptions', () => {
  it('applies the defaults and trims the collector URL', () => {
    expect(parseOptions(valid)).toEqual({ ok: true, options: { site: 'site_1', api: 'https://stats.example.com', route: true, proxy: false, devToolbar: true } });
    const { options } = parseOptions({ ...valid, proxy: { path: '/_x/y' }, disable: ['form'], exclude: ['/admin/*'] }) as { options: Record<string, unknown> };
    expect(options).toMatchObject({ proxy: { path: '/_x/y', rewrite: false }, disable: ['form'], exclude: ['/admin/*'] });
    expect(parseOptions({ ...valid, proxy: { rewrite: true } })).toMatchObject({ options: { proxy: { path: '/_c', rewrite: true } } });
  });

  it.each([
    [{}, /site is required/],
    [{ api: valid.api }, /site is required/],
    [{ ...valid, site: '  ' }, /site is empty/],
    [{ site: 'x' }, /api must be the collector’s http\(s\) URL/],
    [{ ...valid, api: 'stats.example.com' }, /api must be the collector’s http\(s\) URL/],
    [{ ...valid, api: 'ftp://stats.example.com' }, /api must be/],
    [{ ...valid, disable: ['spa', 'clicks'] }, /disable: "clicks" is not one of spa, engagement/],
    [{ ...valid, proxy: { path: 'stats/' } }, /proxy\.path must look like \/_c/],
    [{ ...valid, proxy: '/stats' }, /proxy is true, false or \{ path: "\/_c", rewrite\?: true \}/],
    [{ ...valid, domain: 'example.com' }, /unknown option domain/],
    [{ ...valid, vitals: 'yes' }, /vitals: /],
  ])('refuses %j', (input, message) => {
    const parsed = parseOptions(input);
    expect(parsed.ok).toBe(false);
    expect((parsed as { message: string }).message).toMatch(/^invalid options: /);
    expect((parsed as { message: string }).message).toMatch(message);
  });
});
