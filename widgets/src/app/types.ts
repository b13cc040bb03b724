/** The management API's answers as the app reads them (docs/api/sites.md, users.md, auth.md). */
import type { AuditEntry, Section } from '@cairn/collector/protocol';

export type { AuditEntry, Section };
export const SECTIONS: { id: Section; label: string }[] = [
  { id: 'traffic', label: 'Traffic' },
  { id: 'sources', label: 'Sources' },
  { id: 'goals', label: 'Goals' },
  { id: 'realtime', label: 'Realtime' },
  { id: 'export', label: 'Export' },
];

export interface Grant {
  site: string;
  sections: Section[];
}

export interface UserView {
  id: string;
  email: string;
  name: string;
  role: 'owner' | 'admin' | 'client';
  grants: Grant[];
  hasPassword: boolean;
  createdAt: number;
  passwordChangedAt: number | null;
}

export interface SiteView {
  id: string;
  name: string;
  domains: string[];
  allowSubdomains: boolean;
  queryKeys: string[];
  timezone: string;
  retentionMonths?: number;
  createdAt: number;
  deletedAt: number | null;
  synthetic?: boolean;
  /** In `GET /api/sites`: what the user may see of it. */
  sections?: Section[];
}

export interface SiteSetup {
  siteId: string;
  collectorUrl: string;
  tag: string;
}

export interface SiteAnswer {
  site: SiteView;
  sections: Section[];
  setup: SiteSetup;
}

export interface GoalView {
  id: string;
  kind: 'page' | 'event';
  match: string;
  name: string;
  revenue?: string;
}

export interface KeyView {
  id: string;
  site: string;
  name: string;
  last4: string;
  createdAt: number;
  revokedAt: number | null;
}

export interface Invitation {
  emailed: boolean;
  url?: string;
  problem?: string;
}

export const isAdmin = (u: UserView | null) => u?.role === 'owner' || u?.role === 'admin';
