import { describe, expect, it } from 'vitest';
import { normalizePageUrl, parseReferrer } from './page-url.ts';

const page = (url: string, queryKeys: readonly string[] = []) => normalizePageUrl(new URL(url), queryKeys);

describe('normalizePageUrl', () => {
  it('keeps utm_*, ref and source and drops everything else', () => {
    const p = page('https://Example.COM/a?utm_source=nl&email=jo%40x.com&token=abc&gclid=123&fbclid=9&ref=ph&source=tw');
    expect(p.hostname).toBe('example.com');
    expect(p.pathname).toBe('/a');
    expect(p.query).toBe('utm_source=nl&ref=ph&source=tw');
    expect(p.utm).toEqual({ source: 'nl', medium: null, campaign: null, term: null, content: null });
    expect(p.ref).toBe('ph');
  });

  it('has no query when nothing is kept', () => {
    expect(page('https://example.com/a?email=jo%40x.com&token=abc').query).toBeNull();
    expect(page('https://example.com/a?').query).toBeNull();
  });

  it("keeps the site's own query keys, matched exactly", () => {
    expect(page('https://example.com/?plan=pro&Plan=x&q=1', ['plan']).query).toBe('plan=pro');
  });

  it("makes the site's own query keys part of the page, sorted, and leaves campaign tags out", () => {
    expect(page('https://blog.example/?p=12&utm_source=nl&fbclid=1', ['p', 'page_id']).pathname).toBe('/?p=12');
    expect(page('https://blog.example/?page_id=2', ['p', 'page_id']).pathname).toBe('/?page_id=2');
    expect(page('https://example.com/search?q=caf%C3%A9+au+lait&lang=fr', ['q', 'lang']).pathname).toBe('/search?lang=fr&q=caf%C3%A9+au+lait');
    expect(page('https://example.com/search?lang=fr&q=x', ['q', 'lang']).pathname).toBe(page('https://example.com/search?q=x&lang=fr', ['q', 'lang']).pathname);
    expect(page('https://example.com/app?v=2#/inbox', ['v']).pathname).toBe('/app?v=2#/inbox');
    expect(page('https://example.com/?utm_source=nl&ref=ph', ['p']).pathname).toBe('/');
    expect(page('https://example.com/?p=1').pathname).toBe('/');
  });

  it('lower-cases UTM keys but keeps their values', () => {
    const p = page('https://example.com/?UTM_Source=Google&Utm_Medium=CPC');
    expect(p.query).toBe('utm_source=Google&utm_medium=CPC');
    expect(p.utm.source).toBe('Google');
    expect(p.utm.medium).toBe('CPC');
  });

  it('decodes and trims UTM values; blank ones are null', () => {
    const p = page('https://example.com/?utm_term=caf%C3%A9&utm_content=a+b&utm_medium=+email+&utm_source=%20%20');
    expect(p.utm).toEqual({ source: null, medium: 'email', campaign: null, term: 'café', content: 'a b' });
  });

  it('uses source when ref is empty', () => {
    expect(page('https://example.com/?ref=&source=hn').ref).toBe('hn');
  });

  it('truncates a very long parameter to 200 characters', () => {
    const p = page(`https://example.com/?utm_campaign=${'a'.repeat(300)}`);
    expect(p.utm.campaign).toBe('a'.repeat(200));
    expect(p.query).toBe(`utm_campaign=${'a'.repeat(200)}`);
  });

  it('keeps a hash only when it is a route', () => {
    expect(page('https://example.com/#/settings').pathname).toBe('/#/settings');
    expect(page('https://example.com/app#!/inbox').pathname).toBe('/app#!/inbox');
    expect(page('https://example.com/app#section').pathname).toBe('/app');
    expect(page('https://example.com/app#').pathname).toBe('/app');
  });

  // A hash route's own query string bypasses the allowlist: "#/reset?token=…" is stored as is.
  it('drops the query string of a hash route', () => {
    expect(page('https://example.com/#/reset?token=s3cret&email=jo%40x.com').pathname).toBe('/#/reset');
  });

  it('percent-decodes the path and the route', () => {
    expect(page('https://example.com/blog/caf%C3%A9').pathname).toBe('/blog/café');
    expect(page('https://example.com/#/caf%C3%A9').pathname).toBe('/#/café');
  });

  it('keeps encoded reserved characters encoded', () => {
    expect(page('https://example.com/a%2Fb%3Fc').pathname).toBe('/a%2Fb%3Fc');
  });

  it.each(['/bad%C3', '/bad%ZZ', '/bad%E0%A4%A'])('keeps the invalid sequence in %s as sent', (path) => {
    expect(page(`https://example.com${path}`).pathname).toBe(path);
  });
});

describe('parseReferrer', () => {
  it('keeps host and path and drops the query string and hash', () => {
    expect(parseReferrer('https://www.google.com/search?q=my+private+query')).toEqual({
      host: 'www.google.com',
      url: 'www.google.com/search',
    });
    expect(parseReferrer('https://news.example.com/caf%C3%A9?x=1#frag')).toEqual({
      host: 'news.example.com',
      url: 'news.example.com/café',
    });
  });

  it('lower-cases the host and drops credentials and port', () => {
    expect(parseReferrer('http://user:pass@WWW.Example.com:8080/x')).toEqual({ host: 'www.example.com', url: 'www.example.com/x' });
  });

  it('stores IDN hosts in punycode', () => {
    expect(parseReferrer('https://café.com/')?.host).toBe('xn--caf-dma.com');
  });

  it('takes the package name of an android-app:// referrer as its host', () => {
    expect(parseReferrer('android-app://com.google.android.gm/')).toEqual({
      host: 'com.google.android.gm',
      url: 'com.google.android.gm',
    });
    expect(parseReferrer('android-app://')).toBeNull();
  });

  it.each([undefined, '', 'not a url', 'example.com/x', 'ftp://example.com/x', 'javascript:alert(1)', 'file:///etc/passwd', 'chrome-extension://abc/p.html', 'about:blank'])(
    'ignores %j',
    (raw) => {
      expect(parseReferrer(raw)).toBeNull();
    },
  );

  it('truncates a very long referrer to 2048 characters', () => {
    const r = parseReferrer(`https://example.com/${'a'.repeat(3000)}`);
    expect(r?.url).toHaveLength(2048);
    expect(r?.url.startsWith('example.com/aaa')).toBe(true);
  });
});
