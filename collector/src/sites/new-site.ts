/** A new site: its id, its secret key (returned once, stored only as a hash) and its domain. */
import { createHash, randomBytes } from 'node:crypto';
import type { Site } from '../store/store.ts';

const ID_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/** A random id of 12 characters, no look-alikes (l, o, 0, 1). */
function newSiteId(): string {
  return [...randomBytes(12)].map((b) => ID_ALPHABET[b % 32]).join('');
}

export const hashSiteKey = (key: string) => createHash('sha256').update(key).digest('hex');

/**
 * Normalises what a person types as a domain ("https://www.Example.com/blog" → "example.com").
 * Throws an Error with a readable message when it is not a hostname.
 */
export function normalizeDomain(input: string): string {
  const raw = input.trim();
  if (!raw) throw new Error('the domain is empty');
  let host: string;
  try {
    host = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`).hostname;
  } catch {
    throw new Error(`"${input}" is not a domain name`);
  }
  host = host.toLowerCase().replace(/\.$/, '').replace(/^www\./, '');
  const isName = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/.test(host);
  if (!isName) throw new Error(`"${input}" is not a domain name`);
  return host;
}

export interface NewSiteInput {
  domain: string;
  allowSubdomains?: boolean;
  queryKeys?: string[];
  timezone?: string;
  retentionMonths?: number;
}

/** What can be changed on an existing site. */
export interface SiteSettings {
  timezone?: string;
  retentionMonths?: number;
}

/** Throws an Error with a readable message for a bad time zone or retention. */
export function checkSettings(settings: SiteSettings): void {
  if (settings.timezone !== undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: settings.timezone });
    } catch {
      throw new Error(`"${settings.timezone}" is not an IANA time zone (e.g. Europe/Paris)`);
    }
  }
  const m = settings.retentionMonths;
  if (m !== undefined && !(Number.isInteger(m) && m >= 1 && m <= 1200)) throw new Error(`retention must be a whole number of months from 1 to 1200, not "${m}"`);
}

/** Throws an Error with a readable message when the input cannot make a site. */
export function checkNewSite(input: NewSiteInput): { domain: string; timezone: string } {
  const domain = normalizeDomain(input.domain);
  const timezone = input.timezone ?? 'UTC';
  checkSettings({ timezone, retentionMonths: input.retentionMonths });
  return { domain, timezone };
}

/** Builds a site and its key; the caller stores the site and shows the key once. */
export function newSite(input: NewSiteInput, now: number): { site: Site; key: string } {
  const { domain, timezone } = checkNewSite(input);
  const key = `cairn_sk_${randomBytes(32).toString('base64url')}`;
  const site: Site = {
    id: newSiteId(),
    domains: [domain],
    allowSubdomains: input.allowSubdomains ?? true,
    queryKeys: input.queryKeys ?? [],
    timezone,
    keyHash: hashSiteKey(key),
    createdAt: now,
    retentionMonths: input.retentionMonths ?? 25,
  };
  return { site, key };
}
