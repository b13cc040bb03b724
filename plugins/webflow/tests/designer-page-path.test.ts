/**
 * Which path the Designer Extension reads for the page open in the Designer (designer/src/page-path.ts),
 * from page objects shaped as @webflow/designer-extension-typings' `Page`.
 */
import { describe, expect, it } from 'vitest';
import { collectionFolder, normalisePath, placeOf, type PageLike } from '../designer/src/page-path.ts';

const page = (o: { name?: string; slug?: string; path?: string | null; home?: boolean; kind?: string; utility?: string | null; collection?: [string, string] }): PageLike =>
  ({
    getName: async () => o.name ?? 'A page',
    getSlug: async () => o.slug ?? '',
    isHomepage: async () => !!o.home,
    getKind: async () => o.kind ?? 'static',
    getUtilityPageKey: async () => o.utility ?? null,
    getPublishPath: async () => (o.path === undefined ? null : o.path),
    getCollectionId: async () => o.collection?.[0] ?? null,
    getCollectionName: async () => o.collection?.[1] ?? null,
  });

describe('placeOf', () => {
  it('reads the home page as /, whatever its slug', async () => {
    expect(await placeOf(page({ name: 'Home', slug: 'home', path: '/home', home: true }))).toEqual({ kind: 'page', name: 'Home', path: '/' });
  });

  it('reads a page’s publish path, folders included, and falls back to its slug', async () => {
    expect(await placeOf(page({ slug: 'team', path: 'about/team/' }))).toMatchObject({ kind: 'page', path: '/about/team' });
    expect(await placeOf(page({ slug: 'pricing', path: null }))).toMatchObject({ kind: 'page', path: '/pricing' });
  });

  it('reads a CMS template as its items’ folder', async () => {
    expect(await placeOf(page({ kind: 'cms', path: '/blog/detail_post', collection: ['c1', 'Blog Posts'] }))).toMatchObject({ kind: 'collection', collection: 'Blog Posts', pattern: '/blog/*' });
    expect(await placeOf(page({ kind: 'cms', path: '/work', collection: ['c2', 'Projects'] }))).toMatchObject({ kind: 'collection', pattern: '/work/*' });
  });

  it('has no path for utility pages or a page without an address', async () => {
    expect(await placeOf(page({ kind: 'utility', utility: '404', path: '/404' }))).toMatchObject({ kind: 'none' });
    expect(await placeOf(page({ path: null, slug: '' }))).toMatchObject({ kind: 'none', reason: 'This page has no published address.' });
  });
});

describe('path helpers', () => {
  it('normalise slashes', () => {
    expect(['', '/', 'about', '/about/', '//a//'].map(normalisePath)).toEqual(['/', '/', '/about', '/about', '/a']);
    expect(['/blog/x', '/blog', '/a/b/c'].map(collectionFolder)).toEqual(['/blog', '/blog', '/a/b']);
  });
});
