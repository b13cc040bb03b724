/** A new site: its id, its first site key (returned once, stored only as a hash) and its domain. */
import { CairnError } from '../errors.ts';
import { randomBytes } from 'node:crypto';
import type { Site, SiteKey } from '../store/store.ts';
import { newSiteKey } from './site-keys.ts';

const ID_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/** A random id of 12 characters, no look-alikes (l, o, 0, 1). */
function newSiteId(): string {
  return [...randomBytes(12)].map((b) => ID_ALPHABET[b % 32]).join('');
}

/**
 * Normalises what a person types as a domain ("https://www.Example.com/blog" → "example.com").
 * Throws a CairnError (400) with a readable message when it is not a hostname.
 */
export function normalizeDomain(input: string): string {
  const raw = input.trim();
  if (!raw) throw new CairnError(400, 'invalid_site', 'the domain is empty');
  let host: string;
  try {
    host = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`).hostname;
  } catch {
    throw new CairnError(400, 'invalid_site', `"${input}" is not a domain name`);
  }
  host = host.toLowerCase().replace(/\.$/, '').replace(/^www\./, '');
  const isName = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/.test(host);
  if (!isName) throw new CairnError(400, 'invalid_site', `"${input}" is not a domain name`);
  return host;
}

export interface NewSiteInput {
  domain: string;
  /** Defaults to the domain. */
  name?: string;
  allowSubdomains?: boolean;
  queryKeys?: string[];
  timezone?: string;
  retentionMonths?: number;
}

/** What can be changed on an existing site. */
export interface SiteSettings {
  name?: string;
  domains?: string[];
  allowSubdomains?: boolean;
  queryKeys?: string[];
  timezone?: string;
  retentionMonths?: number;
}

/**
 * Checks and normalises site settings: throws a CairnError (400) with a readable message for a bad value,
 * returns the settings with names trimmed and domains normalised (and without duplicates).
 */
export function checkSettings(settings: SiteSettings): SiteSettings {
  const out: SiteSettings = { ...settings };
  if (settings.name !== undefined) {
    if (typeof settings.name !== 'string' || settings.name.trim() === '' || settings.name.length > 100) throw new CairnError(400, 'invalid_site', 'a site name has 1 to 100 characters');
    out.name = settings.name.trim();
  }
  if (settings.domains !== undefined) {
    if (!Array.isArray(settings.domains) || settings.domains.length === 0 || settings.domains.length > 50) throw new CairnError(400, 'invalid_site', 'a site has 1 to 50 domains');
    out.domains = [...new Set(settings.domains.map((d) => normalizeDomain(String(d))))];
  }
  if (settings.allowSubdomains !== undefined && typeof settings.allowSubdomains !== 'boolean') throw new CairnError(400, 'invalid_site', 'allowSubdomains is true or false');
  if (settings.queryKeys !== undefined) {
    const ok = Array.isArray(settings.queryKeys) && settings.queryKeys.length <= 50 && settings.queryKeys.every((k) => typeof k === 'string' && /^[\w.-]{1,64}$/.test(k));
    if (!ok) throw new CairnError(400, 'invalid_site', 'queryKeys: up to 50 query parameter names (letters, digits, _ . -)');
  }
  if (settings.timezone !== undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: settings.timezone });
    } catch {
      throw new CairnError(400, 'invalid_site', `"${settings.timezone}" is not an IANA time zone (e.g. Europe/Paris)`);
    }
  }
  const m = settings.retentionMonths;
  if (m !== undefined && !(Number.isInteger(m) && m >= 1 && m <= 1200)) throw new CairnError(400, 'invalid_site', `retention must be a whole number of months from 1 to 1200, not "${m}"`);
  return out;
}

/** Throws a CairnError (400) with a readable message when the input cannot make a site. */
export function checkNewSite(input: NewSiteInput): { domain: string; timezone: string } {
  const domain = normalizeDomain(input.domain);
  const timezone = input.timezone ?? 'UTC';
  checkSettings({ timezone, retentionMonths: input.retentionMonths, name: input.name, queryKeys: input.queryKeys, allowSubdomains: input.allowSubdomains });
  return { domain, timezone };
}

/** Builds a site and its first key; the caller stores both and shows the secret once. */
export function newSite(input: NewSiteInput, now: number, integration?: string): { site: Site; key: SiteKey; secret: string } {
  const { domain, timezone } = checkNewSite(input);
  const id = newSiteId();
  const site: Site = {
    id,
    name: input.name?.trim() || domain,
    domains: [domain],
    allowSubdomains: input.allowSubdomains ?? true,
    queryKeys: input.queryKeys ?? [],
    timezone,
    createdAt: now,
    retentionMonths: input.retentionMonths ?? 25,
    deletedAt: null,
    ...(integration ? { integration } : {}),
  };
  return { site, ...newSiteKey(id, 'Site key', now) };
}
