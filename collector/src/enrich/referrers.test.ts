import { describe, expect, it } from 'vitest';
import { canonicalSource, knownReferrer, mediumFromUtm } from './referrers.ts';

describe('knownReferrer', () => {
  it.each([
    ['www.google.com', '/search', 'Google', 'search'],
    ['google.com', '/', 'Google', 'search'],
    ['www.google.co.uk', '/', 'Google', 'search'],
    ['www.bing.com', '/search', 'Bing', 'search'],
    ['duckduckgo.com', '/', 'DuckDuckGo', 'search'],
    ['t.co', '/Ab12', 'Twitter', 'social'],
    ['news.ycombinator.com', '/item', 'Hacker News', 'social'],
    ['mail.google.com', '/mail/u/0', 'Gmail', 'email'],
    ['adroll.com', '/', 'AdRoll', 'paid'],
  ])('%s%s is %s (%s)', (host, path, source, medium) => {
    expect(knownReferrer(host, path)).toEqual({ source, medium });
  });

  it('ignores the case of the host', () => {
    expect(knownReferrer('WWW.Google.COM', '/')).toEqual({ source: 'Google', medium: 'search' });
  });

  it('falls back to parent domains for unlisted subdomains', () => {
    // "lm.facebook.com" is not in the data; "facebook.com" is.
    expect(knownReferrer('lm.facebook.com', '/l.php')).toEqual({ source: 'Facebook', medium: 'social' });
    expect(knownReferrer('m.facebook.com', '/')).toEqual({ source: 'Facebook', medium: 'social' });
    expect(knownReferrer('l.facebook.com', '/l.php')).toEqual({ source: 'Facebook', medium: 'social' });
    expect(knownReferrer('sub.apollo.lv', '/portal/search/x')?.source).toBe('Apollo Latvia');
  });

  it('prefers a path-prefixed entry over the bare host', () => {
    expect(knownReferrer('www.bing.com', '/images/search')?.source).toBe('Bing Images');
    expect(knownReferrer('www.google.com', '/products/123')?.source).toBe('Google Product Search');
    expect(knownReferrer('orange.fr', '/webmail/inbox')).toEqual({ source: 'Orange Webmail', medium: 'email' });
  });

  it('needs the whole path prefix', () => {
    expect(knownReferrer('orange.fr', '/')).toBeNull();
    expect(knownReferrer('apollo.lv', '/portal/searchx')).toBeNull();
  });

  it.each(['google.com.evil.net', 'google.evil.com', 'evilgoogle.com', 'evil-google.com', 'google.com.au.evil.net'])(
    'does not take the look-alike %s for a known source',
    (host) => {
      expect(knownReferrer(host, '/')).toBeNull();
    },
  );

  it('knows nothing of unlisted hosts, bare suffixes or single labels', () => {
    expect(knownReferrer('example.com', '/')).toBeNull();
    expect(knownReferrer('co.uk', '/')).toBeNull();
    expect(knownReferrer('localhost', '/')).toBeNull();
  });

  it('maps Android app package names, as parseReferrer returns them', () => {
    expect(knownReferrer('com.google.android.gm', '')).toEqual({ source: 'Gmail', medium: 'email' });
  });
});

describe('canonicalSource', () => {
  it('spells a known source as the data does, whatever the case', () => {
    expect(canonicalSource('google')).toBe('Google');
    expect(canonicalSource('DUCKDUCKGO')).toBe('DuckDuckGo');
    expect(canonicalSource('hacker news')).toBe('Hacker News');
  });

  it('returns an unknown source as given', () => {
    expect(canonicalSource('newsletter-weekly')).toBe('newsletter-weekly');
  });
});

describe('mediumFromUtm', () => {
  it.each([
    ['email', 'email'],
    ['E-Mail', 'email'],
    ['newsletter_weekly', 'email'],
    ['cpc', 'paid'],
    ['PPC', 'paid'],
    ['paid-social', 'paid'],
    ['paidsearch', 'paid'],
    ['display', 'paid'],
    ['ads', 'paid'],
    ['social', 'social'],
    ['Social-Media', 'social'],
    ['social network', 'social'],
    ['sm', 'social'],
    ['organic', 'search'],
    ['search', 'search'],
    ['referral', 'referral'],
    ['affiliate', 'referral'],
    ['adsxyz', 'referral'],
    ['smm', 'referral'],
    ['', 'referral'],
  ])('%j is %s', (utm, medium) => {
    expect(mediumFromUtm(utm)).toBe(medium);
  });
});
