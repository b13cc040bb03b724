/** The hostnames a Webflow site answers on: its custom domains, then its `webflow.io` staging address. */
import type { Webflow } from 'webflow-api';

/**
 * Lowercased hostnames, without scheme, path, `www.` or duplicates, custom domains first (the
 * first names the Cairn site). `www.` is dropped as the collector drops it: a site's domain
 * counts its `www.` form too, so `www.x.com` and `x.com` are one domain there.
 */
export function siteDomains(shortName: string | undefined, customDomains: Webflow.Domain[]): string[] {
  const hosts = customDomains.map((d) => hostname(d.url)).filter((h): h is string => Boolean(h));
  if (shortName && /^[a-z0-9-]+$/i.test(shortName)) hosts.push(`${shortName.toLowerCase()}.webflow.io`);
  return [...new Set(hosts)];
}

function hostname(url: string | undefined): string | undefined {
  if (!url?.trim()) return undefined;
  try {
    return new URL(/^https?:\/\//i.test(url) ? url : `https://${url.trim()}`).hostname.toLowerCase().replace(/^www\./, '');
  } catch {
    return undefined;
  }
}
