// How a tracker release becomes a Webflow script version, and how ours is merged into the app's applied list.
import { describe, expect, it } from 'vitest';
import { mergeApplied, nextVersion, registeredRelease, sameApplied, scriptAttributes, type AppliedScript, type RegisteredScript } from '../src/hosted-script.ts';

const release = (v: string) => ({ version: v, url: `https://stats.example/t/${v}/t.js`, integrity: `sha384-${v}`, vitals: { url: `https://stats.example/t/${v}/t-v.js`, integrity: `sha384-v${v}` } });
const registered = (version: string, v: string, displayName = 'Cairn'): RegisteredScript => ({ id: displayName.toLowerCase(), displayName, version, hostedLocation: release(v).url, integrityHash: release(v).integrity });

describe('script versions', () => {
  it('numbers each release registered on a site 1.0.0, 1.0.1, …, after the highest of ours, ignoring others’ scripts', () => {
    expect(nextVersion([])).toBe('1.0.0');
    expect(nextVersion([registered('1.0.0', 'aaa'), registered('1.0.7', 'bbb'), registered('1.0.2', 'ccc')])).toBe('1.0.8');
    expect(nextVersion([registered('9.9.9', 'x', 'Chat Widget')])).toBe('1.0.0');
  });

  it('finds a release by its URL and hash, never by the number', () => {
    const list = [registered('1.0.0', 'aaa'), registered('1.0.1', 'bbb')];
    expect(registeredRelease(list, release('bbb'))?.version).toBe('1.0.1');
    expect(registeredRelease(list, release('ccc'))).toBeUndefined();
    expect(registeredRelease([registered('1.0.0', 'aaa', 'Chat Widget')], release('aaa'))).toBeUndefined();
  });
});

describe('attributes', () => {
  it('carry the site, the endpoint and only the features set', () => {
    expect(scriptAttributes('https://stats.example', 'site1', release('aaa'))).toEqual({ 'data-site': 'site1', 'data-api': 'https://stats.example/api/event' });
    expect(scriptAttributes('https://stats.example', 'site1', release('aaa'), { disable: ['spa', 'cta'], exclude: ' /a/* /b ', respectDnt: true, vitals: true })).toEqual({
      'data-site': 'site1',
      'data-api': 'https://stats.example/api/event',
      'data-disable': 'spa cta',
      'data-exclude': '/a/* /b',
      'data-respect-dnt': 'true',
      'data-vitals': 'https://stats.example/t/aaa/t-v.js',
    });
  });
});

describe('the applied list', () => {
  const other: AppliedScript = { id: 'cairn_consent', location: 'footer', version: '0.2.0' };
  const ours = (version: string): AppliedScript => ({ id: 'cairn', location: 'header', version, attributes: { 'data-site': 's' } });

  it('keeps the app’s other scripts and their order, and replaces ours in place', () => {
    expect(mergeApplied([ours('1.0.0'), other], new Set(['cairn']), ours('1.0.1'))).toEqual([ours('1.0.1'), other]);
    expect(mergeApplied([other], new Set(['cairn']), ours('1.0.0'))).toEqual([other, ours('1.0.0')]);
    expect(mergeApplied([ours('1.0.0'), other, ours('1.0.0')], new Set(['cairn']), undefined)).toEqual([other]);
  });

  it('tells an unchanged list from a changed one, whatever the attributes’ order', () => {
    const a = { ...ours('1.0.0'), attributes: { 'data-site': 's', 'data-api': 'x' } };
    const b = { ...ours('1.0.0'), attributes: { 'data-api': 'x', 'data-site': 's' } };
    expect(sameApplied([a], [b])).toBe(true);
    expect(sameApplied([a], [{ ...b, version: '1.0.1' }])).toBe(false);
    expect(sameApplied([a], [{ ...b, attributes: { 'data-api': 'y', 'data-site': 's' } }])).toBe(false);
  });
});
