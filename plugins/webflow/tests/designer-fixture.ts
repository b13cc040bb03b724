/**
 * For the Designer Extension's tests: the whole app (tests/fixture.ts: a real collector, the
 * Webflow stub, the app server) with the admin's authorization of both stub sites done through
 * OAuth, and Cairn installed on `SITE` (not on `PLAIN`). ID tokens come from the stub, which
 * resolves them as Webflow's "Resolve ID Token" does (`POST /beta/token/resolve`).
 */
import { installCairn } from '../src/install.ts';
import { authorize, CLIENT_ID, PLAIN, SITE, startFixture, type Fixture } from './fixture.ts';

export { CLIENT_ID, OTHER_APP, PLAIN, SITE } from './fixture.ts';

/** Where Webflow would serve the extension of an app whose id is this. */
export const EXTENSION_ORIGIN = 'https://65a1b2c3d4e5f60718293a4b.webflow-ext.com';
/** The host the seeded visits were on (the site's first custom domain). */
export const HOST = SITE.customDomains[0]!;

export interface DesignerFixture extends Fixture {
  /** The Cairn site of `SITE`. */
  cairnSite: string;
  /** An ID token as `webflow.getIdToken()` gives it in the Designer of `site` (to this app's extension unless `app`). */
  idToken(site: string, opts?: { app?: string; user?: string }): string;
  /** How many ID tokens the app server had Webflow resolve. */
  resolveCalls(): number;
}

export async function startDesignerFixture(): Promise<DesignerFixture> {
  const f = await startFixture();
  const { res } = await authorize(f, [SITE.id, PLAIN.id]);
  if (res.status >= 400) throw new Error(`the authorization failed: ${res.status} ${await res.text()}`);
  const { cairnSiteId } = await installCairn(f.deps, SITE.id);
  return Object.assign(f, {
    cairnSite: cairnSiteId,
    idToken: (site: string, opts: { app?: string; user?: string } = {}) => f.stub.idToken(opts.app ?? CLIENT_ID, site, opts.user),
    resolveCalls: () => f.stub.calls.filter((c) => c === 'POST /beta/token/resolve').length,
  });
}

/** A day of the site's visits: `/`, `/about` and two posts of the blog collection, from three sources. What it adds up to is `SEEDED`. */
export async function seedPages(f: DesignerFixture): Promise<void> {
  const visits: [path: string, ip: number, referrer?: string][] = [
    ['/', 10, 'https://www.google.com/'],
    ['/', 11, 'https://www.google.com/'],
    ['/', 12],
    ['/', 13, 'https://news.ycombinator.com/'],
    ['/', 14],
    ['/about', 20, 'https://www.google.com/'],
    ['/about', 21, 'https://news.ycombinator.com/'],
    ['/about', 21, 'https://news.ycombinator.com/'],
    ['/blog/first-post', 30, 'https://www.google.com/'],
    ['/blog/first-post', 31],
    ['/blog/second-post', 32],
  ];
  for (const [path, ip, r] of visits) {
    const res = await f.h.post({ s: f.cairnSite, n: 'pageview', u: `https://${HOST}${path}`, ...(r ? { r } : {}) }, { 'x-forwarded-for': `203.0.113.${ip}` });
    if (res.status !== 202) throw new Error(`the collector refused a seeded pageview: ${res.status} ${await res.text()}`);
  }
  await f.h.stored(f.cairnSite);
}

/** What `seedPages` adds up to, page by page. */
export const SEEDED = {
  home: { visitors: 5, pageviews: 5, sources: { Google: 2, '(none)': 2, 'Hacker News': 1 } },
  about: { visitors: 2, pageviews: 3 },
  blog: { '/blog/first-post': 2, '/blog/second-post': 1 },
  site: { visitors: 10 },
};
