/**
 * What the parts of the Store contract share: the harness an adapter's test file passes, the
 * stores a part gets from it, and the data they store.
 */
import { createHash } from 'node:crypto';
import type { Site, SiteKey, Store, StoredEvent } from '../store.ts';

export interface ContractHarness {
  /** A new, empty store. */
  open(): Promise<Store>;
  /** The same data through a new store, as after a restart (closes `store` first). */
  reopen(store: Store): Promise<Store>;
  /** Parts of the contract the adapter does not implement yet. */
  missing?: readonly ('stats' | 'rollups')[];
}

/** How a part of the contract gets its stores (closed after each test by contract.suite.ts). */
export interface ContractStores {
  /** A new, empty store. */
  fresh(): Promise<Store>;
  /** The same data through a new store, as after a restart. */
  restart(store: Store): Promise<Store>;
  harness: ContractHarness;
}

export const T0 = Date.UTC(2026, 0, 31, 23, 59, 59, 999);
export const visitorOf = (i: number) => createHash('sha256').update(`visitor ${i}`).digest('hex').slice(0, 32);

/** An ordinary pageview with every field set. */
export function contractEvent(i: number, overrides: Partial<StoredEvent> = {}): StoredEvent {
  return {
    site: 'site-a',
    ts: T0 + i,
    name: 'pageview',
    visitor: visitorOf(i),
    session: 1_000 + i,
    hostname: 'example.com',
    pathname: `/posts/${i}`,
    query: 'ref=newsletter',
    referrer: 'www.google.com/',
    referrerHost: 'www.google.com',
    source: 'Google',
    medium: 'organic',
    utmSource: 'newsletter',
    utmMedium: 'email',
    utmCampaign: 'spring',
    utmTerm: 'analytics',
    utmContent: 'header',
    country: 'DE',
    browser: 'Firefox',
    browserVersion: '128.0',
    os: 'Linux',
    osVersion: '6.1',
    device: 'desktop',
    screenWidth: 1920,
    props: JSON.stringify({ plan: 'pro', n: i }),
    engagedMs: 12_345,
    scrollDepth: 75,
    clientId: `c-${i}`,
    ...overrides,
  };
}

/** A site key with every field set. */
export const keyOf = (id: string, site: string, createdAt: number, overrides: Partial<SiteKey> = {}): SiteKey => ({
  id,
  site,
  name: `Key ${id} — "WordPress"`,
  hash: createHash('sha256').update(id).digest('hex'),
  last4: id.slice(-4),
  createdAt,
  revokedAt: null,
  ...overrides,
});

/** A site with every field set, in names and domains a query could mangle. */
export const siteNamed = (id: string, createdAt: number, overrides: Partial<Site> = {}): Site => ({
  id,
  name: `Site ${id} — "ünïcødé"`,
  domains: ['example.com', 'bücher.example'],
  allowSubdomains: true,
  queryKeys: ['q', 'page'],
  timezone: 'Europe/Berlin',
  createdAt,
  retentionMonths: 25,
  synthetic: false,
  deletedAt: null,
  ...overrides,
});
