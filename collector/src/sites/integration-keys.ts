/**
 * Integration keys: account-level secrets held by an app's server (the Shopify and Webflow apps),
 * which create sites and then manage only the sites they created: their settings, goals and
 * deletion, and view tokens for them. Made by the owner or an admin (dashboard, API, CLI), shown
 * once, stored as their SHA-256 and last 4 characters like site keys, in the same store, as keys
 * of no site (`site: ''`); revocable, and every use that changes something is audited under
 * `integration:<id>`.
 */
import { randomBytes } from 'node:crypto';
import { CairnError } from '../errors.ts';
import type { IntegrationKeyView } from '../protocol/management.ts';
import type { SiteKey, Store } from '../store/store.ts';
import type { AuditLog } from '../accounts/audit.ts';
import type { Actor } from './site-admin.ts';
import { hashSiteKey } from './site-keys.ts';

export const INTEGRATION_KEY_PREFIX = 'cairn_ik_';

/** A new integration key: the record to store (a key of no site), and the secret to show once. */
export function newIntegrationKey(name: string, now: number): { key: SiteKey; secret: string } {
  const label = name.trim();
  if (label.length < 1 || label.length > 100) throw new CairnError(400, 'invalid_key', 'a key name has 1 to 100 characters', { field: 'name' });
  const secret = `${INTEGRATION_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const key: SiteKey = { id: `ik_${randomBytes(9).toString('base64url')}`, site: '', name: label, hash: hashSiteKey(secret), last4: secret.slice(-4), createdAt: now, revokedAt: null };
  return { key, secret };
}

/** Whether a stored key is an integration key (and not a site's key or share link). */
export const isIntegrationKey = (key: SiteKey) => key.site === '' && !key.share;

/** What the API shows of an integration key: never its hash. */
export const publicIntegrationKey = ({ id, name, last4, createdAt, revokedAt }: SiteKey): IntegrationKeyView => ({ id, name, last4, createdAt, revokedAt });

/** Creating, listing and revoking integration keys, audited. */
export class IntegrationKeys {
  readonly #store: Store;
  readonly #audit: AuditLog;
  readonly #now: () => number;

  constructor(deps: { store: Store; audit: AuditLog; now: () => number }) {
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#now = deps.now;
  }

  /** Every integration key, revoked ones included, oldest first. */
  async list(): Promise<IntegrationKeyView[]> {
    return (await this.#store.keys.list('')).filter(isIntegrationKey).map(publicIntegrationKey);
  }

  /** Makes a key; its secret is in the answer and nowhere else. */
  async create(name: string, by: Actor): Promise<{ key: IntegrationKeyView; secret: string }> {
    const made = newIntegrationKey(name, this.#now());
    await this.#store.keys.create(made.key);
    await this.#audit.record({ ...by, action: 'integration.create', target: made.key.id, details: { name: made.key.name } });
    return { key: publicIntegrationKey(made.key), secret: made.secret };
  }

  /** Revokes a key: it opens nothing from now on, nor do the view tokens it minted. */
  async revoke(id: string, by: Actor): Promise<void> {
    const key = await this.#store.keys.get(id);
    if (!key || !isIntegrationKey(key)) throw new CairnError(404, 'unknown_key', `no integration key "${id}"`);
    if (!(await this.#store.keys.revoke(id, this.#now()))) throw new CairnError(409, 'already_revoked', `integration key ${id} was already revoked`);
    await this.#audit.record({ ...by, action: 'integration.revoke', target: id, details: { name: key.name } });
  }
}
