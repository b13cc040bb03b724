/**
 * Registers a site and its first key without an audit entry (tests, benchmarks, seeding); the
 * result holds the key's secret, which is shown once and not kept. People and plugins go through
 * SiteAdmin, which audits.
 */
import { newSite, type NewSiteInput } from './new-site.ts';
import { publicSite } from './site-admin.ts';
import type { SiteDirectory } from './site-directory.ts';
import { trackerTag } from './tracker-tag.ts';

export async function addSite(sites: SiteDirectory, input: NewSiteInput, publicUrl: string, now: number) {
  const { site, key, secret } = newSite(input, now);
  await sites.create(site, key);
  return { site: publicSite(site), key: secret, tag: trackerTag(publicUrl, site.id) };
}
