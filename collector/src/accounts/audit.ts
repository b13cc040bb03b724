/**
 * The audit log: every login and failed login, every change to users, sites, keys and goals,
 * every export and deletion, with who did it, when, to what, and from which address, hashed with
 * the day's salt like visitor ids (linkable within a day, not after the salt is destroyed). Kept
 * 25 months. A failure to write an entry is logged and does not fail the action it records.
 */
import { createHash, randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Logger } from 'pino';
import type { AuditEntry, Store } from '../store/store.ts';

export const AUDIT_RETENTION_MONTHS = 25;
export const AUDIT_PAGE = 20;

export interface AuditInput {
  actor: string | null;
  action: string;
  target?: string | null;
  /** The client address (hashed before it is stored). */
  ip?: string | null;
  details?: AuditEntry['details'];
}

export class AuditLog {
  readonly #store: Store;
  readonly #now: () => number;
  readonly #salt: (now: number) => Promise<Uint8Array>;
  readonly #log: Logger;
  #seq = 0;

  constructor(deps: { store: Store; now: () => number; salt: (now: number) => Promise<Uint8Array>; log: Logger }) {
    this.#store = deps.store;
    this.#now = deps.now;
    this.#salt = deps.salt;
    this.#log = deps.log;
  }

  async record(input: AuditInput): Promise<void> {
    const ts = this.#now();
    try {
      const ipHash = input.ip ? createHash('sha256').update(await this.#salt(ts)).update(input.ip).digest('hex').slice(0, 32) : null;
      // Ids sort as entries were made (within a millisecond too), and never collide across collectors.
      const id = `${ts.toString(36).padStart(9, '0')}-${(this.#seq++).toString(36).padStart(8, '0')}-${randomUUID().slice(0, 8)}`;
      await this.#store.audit.add({ id, ts, actor: input.actor, action: input.action, target: input.target ?? null, ipHash, details: input.details ?? {} });
    } catch (err) {
      this.#log.error({ action: input.action, err: (err as Error).message }, 'could not write an audit entry');
    }
  }

  /** Retention: deletes entries older than 25 months. */
  async sweep(): Promise<number> {
    return this.#store.audit.deleteBefore(DateTime.fromMillis(this.#now(), { zone: 'UTC' }).minus({ months: AUDIT_RETENTION_MONTHS }).toMillis());
  }
}
