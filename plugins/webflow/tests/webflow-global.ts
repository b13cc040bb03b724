/**
 * A hand-written `webflow` global, as the Designer injects it into a Designer Extension's iframe
 * before the extension's own script, following @webflow/designer-extension-typings for the calls
 * the extension makes: `getSiteInfo`, `getIdToken`, `getCurrentPage`, `subscribe('currentpage')`,
 * `setExtensionSize`, `notify`, and pages with `getName`, `isHomepage`, `getKind`,
 * `getUtilityPageKey`, `getPublishPath`, `getSlug`, `getCollectionId`, `getCollectionName`.
 * It is not Webflow's: what these calls give for real pages (the publish path's exact shape
 * above all) is as documented, not observed.
 *
 * The test drives it through `window.__designer`: `switchPage(i)` fires `currentpage` as the
 * Designer does when the user opens another page; `sizes` lists the sizes the extension asked for.
 */
import type { Page as BrowserPage } from 'playwright-core';

export interface FakePage {
  name: string;
  slug: string;
  publishPath: string | null;
  home?: boolean;
  kind?: 'static' | 'cms' | 'utility' | 'ecommerce' | 'userSystems' | 'staticTemplate';
  utilityKey?: string | null;
  collection?: { id: string; name: string };
}

export interface FakeSite {
  siteId: string;
  siteName: string;
  shortName: string;
  /** Published domains (`lastPublished` set, to when the page opened), or none for a site never published. */
  published: string[];
  pages: FakePage[];
}

/** Installs the global in every document `page` loads; `mintIdToken` is the test's ID token for the site. */
export async function installWebflowGlobal(page: BrowserPage, site: FakeSite, mintIdToken: () => string): Promise<void> {
  await page.exposeFunction('__mintIdToken', mintIdToken);
  await page.addInitScript((s: FakeSite) => {
    type Listener = (page: unknown) => void;
    const listeners = new Set<Listener>();
    const sizes: unknown[] = [];
    const notices: unknown[] = [];
    // Page objects: async getters, as the Designer API answers over its message channel.
    const asPage = (p: FakePage) => ({
      id: `page-${p.slug || 'home'}`,
      type: 'Page' as const,
      getName: async () => p.name,
      getSlug: async () => p.slug,
      isHomepage: async () => !!p.home,
      getKind: async () => p.kind ?? 'static',
      getUtilityPageKey: async () => p.utilityKey ?? null,
      getPublishPath: async () => p.publishPath,
      getCollectionId: async () => p.collection?.id ?? null,
      getCollectionName: async () => p.collection?.name ?? null,
    });
    const pages = s.pages.map(asPage);
    let current = pages[0];
    // Published when the Designer opened: after whatever the test installed before.
    const publishedAt = new Date().toISOString();
    const w = globalThis as unknown as Record<string, unknown>;
    w.webflow = {
      getSiteInfo: async () => ({
        siteId: s.siteId,
        siteName: s.siteName,
        shortName: s.shortName,
        kind: 'site',
        isPasswordProtected: false,
        isPrivateStaging: false,
        workspaceId: '64f0c0ffee00000000000999',
        workspaceSlug: 'studio',
        domains: [
          { url: `${s.shortName}.webflow.io`, lastPublished: s.published.includes(`${s.shortName}.webflow.io`) ? publishedAt : null, default: true, stage: 'staging' },
          ...s.published.filter((d) => !d.endsWith('.webflow.io')).map((url) => ({ url, lastPublished: publishedAt, default: false, stage: 'production' })),
        ],
      }),
      getIdToken: async () => (w.__mintIdToken as () => Promise<string>)(),
      getCurrentPage: async () => current,
      subscribe: (event: string, callback: Listener) => {
        if (event !== 'currentpage') throw new Error(`this stand-in has no '${event}' event`);
        listeners.add(callback);
        return () => listeners.delete(callback);
      },
      setExtensionSize: async (size: unknown) => {
        sizes.push(size);
        return null;
      },
      notify: async (opts: unknown) => {
        notices.push(opts);
      },
    };
    w.__designer = {
      sizes,
      notices,
      switchPage(i: number) {
        current = pages[i];
        for (const l of listeners) l(current);
      },
      listeners: () => listeners.size,
    };
  }, site);
}
