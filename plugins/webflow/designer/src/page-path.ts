/**
 * Where the page open in the Designer is published, as the tracker records it: `/` for the home
 * page, `/about`, `/blog/hello` (a page in a folder). A CMS template page has no one path: its
 * items share its folder, so it is read as a pattern (`/blog/*`). Utility pages (404, password)
 * and pages Webflow does not publish have none.
 */

export type PagePlace =
  | { kind: 'page'; name: string; path: string }
  | { kind: 'collection'; name: string; collection: string; pattern: string }
  | { kind: 'none'; name: string; reason: string };

/** `about`, `/blog/hello/`, `` → `/about`, `/blog/hello`, `/`. */
export function normalisePath(path: string): string {
  const trimmed = path.trim().replace(/^\/+|\/+$/g, '');
  return `/${trimmed}`;
}

/**
 * The folder a CMS template's items are published under: items live at `/<collection>/<item>`,
 * so a two-segment template path (`/blog/detail_post`) drops its last segment; a one-segment path
 * is taken as the collection's folder itself (the Designer API does not document which it gives).
 */
export function collectionFolder(path: string): string {
  const segments = path.split('/').filter(Boolean);
  return `/${(segments.length > 1 ? segments.slice(0, -1) : segments).join('/')}`;
}

/** The part of the Designer API's `Page` read here (a `Page` of @webflow/designer-extension-typings is one). */
export interface PageLike {
  getName(): Promise<string>;
  getSlug(): Promise<string>;
  isHomepage(): Promise<boolean>;
  getKind(): Promise<string>;
  getUtilityPageKey(): Promise<null | string>;
  getPublishPath(): Promise<null | string>;
  getCollectionId(): Promise<null | string>;
  getCollectionName(): Promise<null | string>;
}

/** What the page's stats are read for. */
export async function placeOf(page: PageLike): Promise<PagePlace> {
  const name = await page.getName();
  if (await page.isHomepage()) return { kind: 'page', name, path: '/' };
  const kind = await page.getKind();
  if (kind === 'utility' || (await page.getUtilityPageKey())) {
    return { kind: 'none', name, reason: 'Utility pages (404, password) are not counted as pages of their own.' };
  }
  // The publish path includes the page's folders; the slug alone would lose them.
  const published = (await page.getPublishPath()) || (await page.getSlug());
  if (!published) return { kind: 'none', name, reason: 'This page has no published address.' };
  const path = normalisePath(published);
  const collection = await page.getCollectionId();
  if (kind === 'cms' || collection) {
    return { kind: 'collection', name, collection: (await page.getCollectionName()) ?? name, pattern: `${collectionFolder(path)}/*` };
  }
  return { kind: 'page', name, path };
}
