/** Page URL and referrer normalisation: query strings are dropped except an allowlist. */

export interface PageUrl {
  hostname: string;
  pathname: string;
  /** Allowed query parameters, serialized without `?`, or null. */
  query: string | null;
  utm: { source: string | null; medium: string | null; campaign: string | null; term: string | null; content: string | null };
  /** `ref` or `source` parameter (e.g. `?ref=producthunt`), a source when there is no utm_source. */
  ref: string | null;
}

/** Query keys always kept: campaign attribution only, never anything a site might put a person in. */
const ALWAYS_KEPT = new Set(['ref', 'source']);
const MAX_PARAM = 200;

const decodePath = (p: string) => {
  if (!p.includes('%')) return p;
  try {
    return decodeURI(p);
  } catch {
    return p;
  }
};

/**
 * Keeps only utm_*, ref, source and the site's own `queryKeys` of a page URL. A hash is kept
 * only when it is a route (`#/…` or `#!/…`), without its query string.
 *
 * The site's own keys name pages (`/?p=1` on a WordPress with plain permalinks, `/search?q=…`),
 * so they are part of the page's path too, sorted by key so that `?a=1&b=2` and `?b=2&a=1` are one
 * page; campaign tags are not (`/?utm_source=x` is the page `/`).
 */
export function normalizePageUrl(url: URL, queryKeys: readonly string[]): PageUrl {
  const kept: [string, string][] = [];
  const own: [string, string][] = [];
  // Most page URLs have no query string: skip building its parameters.
  if (url.search !== '') {
    for (const [k, v] of url.searchParams) {
      const key = k.toLowerCase();
      if (key.startsWith('utm_') || ALWAYS_KEPT.has(key)) kept.push([key, v.slice(0, MAX_PARAM)]);
      else if (queryKeys.includes(k)) {
        kept.push([k, v.slice(0, MAX_PARAM)]);
        own.push([k, v.slice(0, MAX_PARAM)]);
      }
    }
  }
  // The first value of a parameter, as URLSearchParams.get would give it.
  const get = (k: string) => kept.find((p) => p[0] === k)?.[1].trim() || null;
  // A route's own query string (#/reset?token=…) is never kept: it is where apps put secrets.
  const route = /^#!?\//.test(url.hash) ? url.hash.split('?')[0]! : '';
  return {
    hostname: url.hostname.toLowerCase(),
    pathname: decodePath(url.pathname) + (own.length > 0 ? `?${ownQuery(own)}` : '') + decodePath(route),
    query: kept.length > 0 ? new URLSearchParams(kept).toString() : null,
    utm: {
      source: get('utm_source'),
      medium: get('utm_medium'),
      campaign: get('utm_campaign'),
      term: get('utm_term'),
      content: get('utm_content'),
    },
    ref: get('ref') ?? get('source'),
  };
}

/** The site's own parameters of a page, sorted by key (stable: values of one key keep their order). */
const ownQuery = (own: [string, string][]) =>
  new URLSearchParams(own.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))).toString();

/** Host and path of a referrer (its query string may carry personal data and is dropped). */
export function parseReferrer(raw: string | undefined): { host: string; url: string } | null {
  if (!raw) return null;
  const url = URL.parse(raw);
  if (!url) return null;
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    const host = url.hostname.toLowerCase();
    return host ? { host, url: (host + decodePath(url.pathname)).slice(0, 2048) } : null;
  }
  // App referrers: android-app://com.google.android.gm/ → the package name is the source.
  if (url.protocol === 'android-app:' && url.hostname) return { host: url.hostname, url: url.hostname };
  return null;
}
