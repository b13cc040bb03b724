/**
 * The shapes the management API answers (docs/api/sites.md, users.md, auth.md), route by route:
 * the dashboard app and the plugins import them as types only.
 */
import type { DropReason } from './dropped.ts';
import type { Goal } from './query.ts';
import type { AuditEntry, IntegrationKeyView, Invitation, KeyView, Section, ShareView, SiteSetup, SiteView, UserView } from './management.ts';

/** `POST /api/auth/login`, `GET /api/auth/me`: who is logged in, and the session's CSRF token for its changes. */
export interface SessionAnswer {
  user: UserView;
  csrfToken: string;
}

/** `POST /api/auth/password`: the session's new CSRF token (its other sessions ended). */
export interface PasswordChangeAnswer {
  csrfToken: string;
}

/** `GET /api/auth/setup`: whether this Cairn has no owner yet (the setup link printed at start creates it). */
export interface SetupStatusAnswer {
  needed: boolean;
}

/** `POST /api/auth/reset-request`: the same words whether or not the email belongs to anyone. */
export interface ResetRequestAnswer {
  message: string;
}

/** `GET /api/users`. */
export interface UsersAnswer {
  users: UserView[];
}

/** `POST /api/auth/setup`, `PATCH /api/users/:user`. */
export interface UserAnswer {
  user: UserView;
}

/** `POST /api/users`: the user, and its invitation (null when it was given a password). */
export interface NewUserAnswer {
  user: UserView;
  invitation: Invitation | null;
}

/** `POST /api/users/:user/invitation`. */
export interface InvitationAnswer {
  invitation: Invitation;
}

/** A site on the sites list, with what the user may see of it. */
export type ListedSite = SiteView & { sections: Section[] };

/** `GET /api/sites`: the sites one may see; for the owner and admins, the deleted ones awaiting their purge. */
export interface SitesAnswer {
  sites: ListedSite[];
  deleted?: SiteView[];
}

/** `GET /api/sites/:site`: the site, what the caller may see of it, and its set-up values. */
export interface SiteAnswer {
  site: SiteView;
  sections: Section[];
  setup: SiteSetup;
}

/** `PATCH /api/sites/:site`, `POST /api/sites/:site/restore`. */
export interface SiteChangeAnswer {
  site: SiteView;
}

/** `POST /api/sites`: the site, its set-up values and its first key, whose secret is shown here only. */
export interface NewSiteAnswer extends SiteSetup {
  site: SiteView;
  key: KeyView;
  secret: string;
}

/** `DELETE /api/sites/:site`: when it was deleted, and when it is purged unless restored. */
export interface SiteDeletionAnswer {
  deletedAt: number;
  purgeAfter: number;
}

/** `GET /api/sites/:site/goals` (`POST` answers one Goal). */
export interface GoalsListAnswer {
  goals: Goal[];
}

/** `GET /api/sites/:site/keys`. */
export interface KeysAnswer {
  keys: KeyView[];
}

/** `POST /api/sites/:site/keys`: the key, whose secret is shown here only. */
export interface NewKeyAnswer {
  key: KeyView;
  secret: string;
}

/** `GET /api/integrations`. */
export interface IntegrationKeysAnswer {
  keys: IntegrationKeyView[];
}

/** `POST /api/integrations`: the key, whose secret is shown here only. */
export interface NewIntegrationKeyAnswer {
  key: IntegrationKeyView;
  secret: string;
}

/** `POST /api/tokens/view`: a read-only token for one site's sections. */
export interface ViewTokenAnswer {
  token: string;
  site: string;
  sections: Section[];
  /** ISO 8601. */
  expiresAt: string;
  /** The site's query parameters that are part of its pages' paths (`p` makes `/?p=1` a page). */
  queryKeys: string[];
}

/** `GET /api/audit`: a page of entries, newest first. */
export interface AuditAnswer {
  entries: AuditEntry[];
  total: number;
  page: number;
  pages: number;
}

/** One event the live installation check saw: stored, or dropped and why. */
export interface LiveCheckEntry {
  /** Increasing per site: ask for the entries after the last one seen. */
  seq: number;
  /** When it arrived, ms since the epoch. */
  at: number;
  outcome: 'stored' | DropReason;
  /** The outcome in a few plain words ("Stored", "Automated browser"). */
  label: string;
  /** The event's name (pageview, a custom event), when it could be read. */
  name: string | null;
  /** The page's host and path, when they could be read. */
  host: string | null;
  page: string | null;
  /** Of a stored event, as the dashboard shows them. */
  browser?: string | null;
  device?: string | null;
  country?: string | null;
  /** Of a drop, what caused it in plain words ("HeadlessChrome in the browser name"). */
  detail?: string;
}

/** `GET /api/sites/:site/live-check`: listening until `listeningUntil` (ms), and what arrived after `after`. */
export interface LiveCheckAnswer {
  listeningUntil: number;
  entries: LiveCheckEntry[];
}

/** `GET /api/sites/:site/shares`: a site's share links, revoked ones included, oldest first. */
export interface SharesAnswer {
  shares: ShareView[];
}

/** `POST /api/sites/:site/shares`: the new link, with its URL, shown this once. */
export interface NewShareAnswer {
  share: ShareView;
  url: string;
}

/** `POST /api/share/token`: a view token for a share link's page, and what it may show. */
export interface ShareTokenAnswer {
  token: string;
  site: { id: string; name: string };
  sections: Section[];
  /** ISO time the token expires (an hour at most); ask again before. */
  expiresAt: string;
  /** When the link itself stops working (ms), or null. */
  linkExpiresAt: number | null;
}
