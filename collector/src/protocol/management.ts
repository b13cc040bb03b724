/**
 * Types of the management API's answers that clients (the dashboard app) read as they are: the
 * sections a user or a view token may see of a site, and audit log entries. The store defines
 * its records with these, so the wire and the store cannot drift apart.
 */

/** What a client user or a view token may see of a site. */
export const SECTIONS = ['traffic', 'sources', 'goals', 'realtime', 'export'] as const;
export type Section = (typeof SECTIONS)[number];

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
