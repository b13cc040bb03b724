/**
 * What the management API (docs/api/sites.md, users.md, auth.md) shows of sites, site keys,
 * users and the audit log: never a password hash, a key or a key's hash. The collector's
 * publicSite, publicKey and publicUser return these views; the store defines its records with
 * the sections and audit entries, so the wire and the store cannot drift apart.
 */

/** What a client user or a view token may see of a site. */
export const SECTIONS = ['traffic', 'sources', 'goals', 'realtime', 'export'] as const;
export type Section = (typeof SECTIONS)[number];

/** The owner (one), admins (every site, and clients) and clients (the sites granted to them). */
export type Role = 'owner' | 'admin' | 'client';

/** A site a client may see, and which of its sections. */
export interface Grant {
  site: string;
  sections: Section[];
}

/** A dashboard user. */
export interface UserView {
  id: string;
  /** Lower case; unique. */
  email: string;
  name: string;
  role: Role;
  /** For clients: each site they may see; empty for the owner and admins, who see every site. */
  grants: Grant[];
  /** False until an invited user sets a password. */
  hasPassword: boolean;
  createdAt: number;
  passwordChangedAt: number | null;
}

/** A registered site. */
export interface SiteView {
  id: string;
  /** What people call it in the dashboard; the first domain unless renamed. */
  name: string;
  /** Registered hostnames, lower case, without a leading `www.`. */
  domains: string[];
  allowSubdomains: boolean;
  /** Extra query keys kept on page URLs besides utm_*, ref and source. */
  queryKeys: string[];
  timezone: string;
  createdAt: number;
  /** Months raw events are kept (rollups stay); 25 when absent. */
  retentionMonths?: number;
  /** Made by `cairn seed`: demo data. */
  synthetic?: boolean;
  /** When its deletion was asked for (it is purged 7 days later unless restored), or null. */
  deletedAt: number | null;
  /** The integration key that created it (`ik_…`), which may manage it; absent for a site made in the dashboard or the CLI. */
  integration?: string;
}

/** An integration key (account-level, for an app's server): never the key itself nor its hash. */
export interface IntegrationKeyView {
  /** `ik_` and 12 random characters. */
  id: string;
  /** What it is for ("Shopify app"). */
  name: string;
  /** The key's last 4 characters, to tell keys apart. */
  last4: string;
  createdAt: number;
  /** When it was revoked (it opens nothing since, nor do its view tokens), or null. */
  revokedAt: number | null;
}

/** A site key: never the key itself (shown once, when it is made) nor its hash. */
/** A share link as the API shows it: never its secret, its hash or its password's. */
export interface ShareView {
  id: string;
  site: string;
  name: string;
  /** The link's last 4 characters, to tell links apart. */
  last4: string;
  createdAt: number;
  /** When it was revoked (its page shows nothing since), or null. */
  revokedAt: number | null;
  /** The sections its page shows. */
  sections: Section[];
  hasPassword: boolean;
  /** When it stops working (ms since the epoch), or null for never. */
  expiresAt: number | null;
}

export interface KeyView {
  /** `k_` and 12 random characters: how the API names a key. */
  id: string;
  site: string;
  /** What it is for ("WordPress plugin"). */
  name: string;
  /** The key's last 4 characters, to tell keys apart ('' for keys made before they were kept). */
  last4: string;
  createdAt: number;
  /** When it was revoked (it opens nothing since, nor do its view tokens), or null. */
  revokedAt: number | null;
}

/** What a site owner pastes (the tag) or types into a plugin (the collector's address and the site id). */
export interface SiteSetup {
  siteId: string;
  collectorUrl: string;
  tag: string;
}

/** An invitation to set a password: emailed, or its one-time link to pass on, with why no email went. */
export interface Invitation {
  emailed: boolean;
  url?: string;
  problem?: string;
}

/** One audited action: who did what to what, when, from which (hashed) address. */
export interface AuditEntry {
  id: string;
  ts: number;
  /** A user id, "cli" (the local admin socket or the command line), "key:<id>" (a site key or its view token), "cairn" (the collector itself), or null (anonymous). */
  actor: string | null;
  /** e.g. "login", "login.failed", "user.create", "site.update", "goal.remove", "export". */
  action: string;
  /** What it was done to (a user, a site, "site/goal"), or null. */
  target: string | null;
  /** The client address hashed with the day's salt (as visitor ids), or null. */
  ipHash: string | null;
  /** A few facts about the action (never a password or a key). */
  details: Record<string, string | number | boolean | null>;
}
