/**
 * Managing sites, their goals and their keys: one service for the HTTP API, the local admin
 * socket and the command line, so that each change is checked and audited the same way wherever
 * it comes from. Bad input throws a CairnError (400/404/409) whose message is for a person.
 */
import type { AuditLog } from '../accounts/audit.ts';
import { CairnError } from '../errors.ts';
import type { NewKeyAnswer, NewShareAnswer, NewSiteAnswer } from '../protocol/management-answers.ts';
import type { SiteSetup, SiteView } from '../protocol/management.ts';
import type { GoalInput } from '../protocol/query.ts';
import type { Site, Store } from '../store/store.ts';
import { newGoal } from './goals.ts';
import { checkSettings, newSite, type NewSiteInput, type SiteSettings } from './new-site.ts';
import type { SiteDirectory } from './site-directory.ts';
import { newShareLink, publicShare, shareUrl, type ShareInput } from './share-links.ts';
import { newSiteKey, publicKey } from './site-keys.ts';
import { trackerTag } from './tracker-tag.ts';

/** How long a deleted site can be restored before everything of it is purged. */
export const DELETE_GRACE_MS = 7 * 86_400_000;

/** Who asks for a change, for the audit log: a user id, "cli", or a key. */
export interface Actor {
  actor: string | null;
  ip?: string | null;
}

/** What the API shows of a site. */
export const publicSite = (site: Site): SiteView => ({ ...site, deletedAt: site.deletedAt ?? null });

export class SiteAdmin {
  readonly #sites: SiteDirectory;
  readonly #store: Store;
  readonly #audit: AuditLog;
  readonly #publicUrl: () => string;
  readonly #now: () => number;

  constructor(deps: { sites: SiteDirectory; store: Store; audit: AuditLog; publicUrl: () => string; now: () => number }) {
    this.#sites = deps.sites;
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#publicUrl = deps.publicUrl;
    this.#now = deps.now;
  }

  /** A live site, or 404. */
  site(id: string): Site {
    const site = this.#sites.get(id);
    if (!site) throw new CairnError(404, 'unknown_site', `no site "${id}"`);
    return site;
  }

  /**
   * What a site owner pastes (the tag) or types into a plugin (the collector's address and the
   * site id; plus a site key, which is made under the site's keys and shown once).
   */
  setup(site: Site): SiteSetup {
    const collectorUrl = this.#publicUrl().replace(/\/+$/, '');
    return { siteId: site.id, collectorUrl, tag: trackerTag(collectorUrl, site.id) };
  }

  /**
   * Registers a site with its first key; the key's secret is in the result, and nowhere else.
   * `integration`: the integration key creating it, which may then manage it.
   */
  async create(input: NewSiteInput, by: Actor, integration?: string): Promise<NewSiteAnswer> {
    const made = newSite(input, this.#now(), integration);
    await this.#sites.create(made.site, made.key);
    await this.#audit.record({ ...by, action: 'site.create', target: made.site.id, details: { domain: made.site.domains[0]! } });
    return { site: publicSite(made.site), key: publicKey(made.key), secret: made.secret, ...this.setup(made.site) };
  }

  async update(id: string, settings: SiteSettings, by: Actor): Promise<Site> {
    this.site(id);
    const changes = checkSettings(settings);
    await this.#sites.update(id, changes);
    const details = Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? null)]));
    await this.#audit.record({ ...by, action: 'site.update', target: id, details });
    return this.site(id);
  }

  /** Deletes a site: it stops counting at once and is purged after the grace period, unless restored. */
  async remove(id: string, by: Actor): Promise<{ deletedAt: number; purgeAfter: number }> {
    this.site(id);
    const deletedAt = this.#now();
    await this.#sites.update(id, { deletedAt });
    await this.#audit.record({ ...by, action: 'site.delete', target: id, details: { purgeAfter: new Date(deletedAt + DELETE_GRACE_MS).toISOString() } });
    return { deletedAt, purgeAfter: deletedAt + DELETE_GRACE_MS };
  }

  async restore(id: string, by: Actor): Promise<Site> {
    const site = this.#sites.find(id);
    if (!site) throw new CairnError(404, 'unknown_site', `no site "${id}"`);
    if (!site.deletedAt) throw new CairnError(409, 'not_deleted', `site "${id}" is not deleted`);
    await this.#sites.update(id, { deletedAt: null });
    await this.#audit.record({ ...by, action: 'site.restore', target: id });
    return this.site(id);
  }

  /** Purges the sites deleted longer than the grace period ago (the collector's upkeep); returns their ids. */
  async purgeDue(): Promise<string[]> {
    const due = this.#sites.deleted().filter((s) => (s.deletedAt ?? 0) + DELETE_GRACE_MS <= this.#now());
    for (const site of due) {
      for (const user of await this.#store.users.list()) {
        if (user.grants.some((g) => g.site === site.id)) await this.#store.users.update(user.id, { grants: user.grants.filter((g) => g.site !== site.id) });
      }
      await this.#sites.purge(site.id);
      await this.#audit.record({ actor: 'cairn', action: 'site.purge', target: site.id, details: { domain: site.domains[0] ?? null } });
    }
    return due.map((s) => s.id);
  }

  async addGoal(id: string, input: GoalInput, by: Actor) {
    this.site(id);
    const goal = newGoal(input);
    await this.#store.goals.create(id, goal);
    await this.#audit.record({ ...by, action: 'goal.create', target: `${id}/${goal.id}`, details: { kind: goal.kind, match: goal.match } });
    return goal;
  }

  async removeGoal(id: string, goal: string, by: Actor): Promise<void> {
    this.site(id);
    if (!(await this.#store.goals.remove(id, goal))) throw new CairnError(404, 'not_found', `site ${id} has no goal ${goal}`);
    await this.#audit.record({ ...by, action: 'goal.remove', target: `${id}/${goal}` });
  }

  /** A site's keys (share links are listed apart: `shares`). */
  async keys(id: string) {
    this.site(id);
    return (await this.#store.keys.list(id)).filter((k) => !k.share).map(publicKey);
  }

  /** A site's share links, revoked and expired ones included, oldest first. */
  async shares(id: string) {
    this.site(id);
    return (await this.#store.keys.list(id)).filter((k) => k.share).map(publicShare);
  }

  /** A new share link for a site; its URL is in the result, and nowhere else. */
  async addShare(id: string, input: ShareInput, by: Actor): Promise<NewShareAnswer> {
    this.site(id);
    const made = await newShareLink(id, input, this.#now());
    await this.#store.keys.create(made.key);
    const share = publicShare(made.key);
    await this.#audit.record({
      ...by,
      action: 'share.create',
      target: `${id}/${share.id}`,
      details: { name: share.name, sections: share.sections.join(','), password: share.hasPassword, expiresAt: share.expiresAt },
    });
    return { share, url: shareUrl(this.#publicUrl().replace(/\/+$/, ''), made.secret) };
  }

  /** Revokes a share link: its page, and every view token it gave, show nothing from the next request on. */
  async revokeShare(id: string, shareId: string, by: Actor): Promise<void> {
    this.site(id);
    const key = await this.#store.keys.get(shareId);
    if (!key?.share || key.site !== id) throw new CairnError(404, 'not_found', `site ${id} has no share link ${shareId}`);
    if (!(await this.#store.keys.revoke(shareId, this.#now()))) throw new CairnError(409, 'already_revoked', `share link ${shareId} was already revoked`);
    await this.#audit.record({ ...by, action: 'share.revoke', target: `${id}/${shareId}`, details: { name: key.name } });
  }

  /** A new key for a site; its secret is in the result, and nowhere else. */
  async addKey(id: string, name: string, by: Actor): Promise<NewKeyAnswer> {
    this.site(id);
    const made = newSiteKey(id, typeof name === 'string' ? name : '', this.#now());
    await this.#store.keys.create(made.key);
    await this.#audit.record({ ...by, action: 'key.create', target: `${id}/${made.key.id}`, details: { name: made.key.name, last4: made.key.last4 } });
    return { key: publicKey(made.key), secret: made.secret };
  }

  /** Revokes a key: it, and every view token made with it, opens nothing from the next request on. */
  async revokeKey(id: string, keyId: string, by: Actor): Promise<void> {
    this.site(id);
    const key = await this.#store.keys.get(keyId);
    if (!key || key.share || key.site !== id) throw new CairnError(404, 'not_found', `site ${id} has no key ${keyId}`);
    if (!(await this.#store.keys.revoke(keyId, this.#now()))) throw new CairnError(409, 'already_revoked', `key ${keyId} was already revoked`);
    await this.#audit.record({ ...by, action: 'key.revoke', target: `${id}/${keyId}`, details: { name: key.name, last4: key.last4 } });
  }
}
