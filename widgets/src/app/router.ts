/**
 * The dashboard app's routes, on the History API. Keep the paths in sync with
 * collector/src/http/dashboard-app.ts (`isAppPath`), which serves the page for each of them.
 */

export type Route =
  | { page: 'sites' }
  | { page: 'login' }
  | { page: 'site'; site: string }
  | { page: 'settings'; site: string }
  | { page: 'filtered'; site: string }
  | { page: 'users' }
  | { page: 'audit' }
  | { page: 'account' }
  | { page: 'reset' }
  | { page: 'setup' }
  | { page: 'share' }
  | { page: 'not-found' };

const SIMPLE: Record<string, Route> = {
  '/': { page: 'sites' },
  '/login': { page: 'login' },
  '/users': { page: 'users' },
  '/audit': { page: 'audit' },
  '/account': { page: 'account' },
  '/reset': { page: 'reset' },
  '/setup': { page: 'setup' },
  '/share': { page: 'share' },
};

/** Pages anyone may open, logged in or not. */
export const PUBLIC_PAGES = new Set<Route['page']>(['login', 'reset', 'setup', 'share']);

/** The route a path names. */
export function routeOf(path: string): Route {
  const simple = SIMPLE[path];
  if (simple) return simple;
  const m = /^\/sites\/([^/]+)(?:\/(settings|filtered))?$/.exec(path);
  if (m) {
    const site = decodeURIComponent(m[1]!);
    return m[2] === 'settings' ? { page: 'settings', site } : m[2] === 'filtered' ? { page: 'filtered', site } : { page: 'site', site };
  }
  return { page: 'not-found' };
}

/** Fired on window when the app changes its URL itself (pushState fires no event). */
export const NAVIGATE_EVENT = 'cairn-navigate';

/** Goes to a path of the app without reloading the page. */
export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

/** A same-app path to come back to after logging in, or "/" (never another origin: `//evil.example`, `/\evil.example`). */
export function safeNext(next: string | null): string {
  return next && /^\/(?![/\\])/.test(next) && !next.startsWith('/login') ? next : '/';
}

/**
 * The app path of a link click that the app should handle itself, or null to let the browser go:
 * a plain left click on a same-origin link to one of the app's pages.
 */
export function appLinkOf(e: MouseEvent): string | null {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return null;
  const a = e.composedPath().find((n): n is HTMLAnchorElement => n instanceof HTMLAnchorElement && n.hasAttribute('href'));
  if (!a || (a.target && a.target !== '_self') || a.hasAttribute('download')) return null;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || routeOf(url.pathname).page === 'not-found') return null;
  // A link within the page (`#section`) is the browser's to follow.
  if (url.hash && url.pathname === location.pathname && url.search === location.search) return null;
  return url.pathname + url.search + url.hash;
}
