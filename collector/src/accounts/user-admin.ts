/**
 * Managing dashboard users, their logins and their invitations: one service for the HTTP API,
 * the local admin socket and the command line (as SiteAdmin is for sites), so that each rule is
 * enforced and each change audited once, wherever it comes from:
 * - the owner manages admins and clients, admins manage clients; nobody changes the owner's role
 *   or removes the owner, nobody removes themselves; the command line on this machine may do
 *   anything, the first owner included;
 * - removing a user or changing a password ends every session of the user;
 * - logins, password changes and reset requests are rate limited together, per client address
 *   and per account, and a failed login says the same whether the account exists or not.
 * Cookies, CSRF and other HTTP matters stay in the routes (http/auth-routes.ts, user-routes.ts).
 */
import { CairnError } from '../errors.ts';
import type { Mailer } from '../mail/mailer.ts';
import { NoMailer } from '../mail/mailer.ts';
import type { Invitation, UserView } from '../protocol/management.ts';
import { RateLimiter } from '../rate-limit.ts';
import type { SiteDirectory } from '../sites/site-directory.ts';
import { SECTIONS, type Section, type Store, type User } from '../store/store.ts';
import type { AuditLog } from './audit.ts';
import { checkPassword, type Logins } from './logins.ts';
import { hasOwner } from './owner-setup.ts';
import { checkPasswordLink, passwordEmail, passwordLink } from './password-links.ts';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.ts';
import { addUser, normalizeEmail, publicUser, setPassword, type NewUserInput } from './users.ts';

/** Login attempts per minute (bursting up to as many): per client address, and per account. */
export const LOGIN_LIMITS = { perIp: 20, perAccount: 5 } as const;

/** The rate limiters of logins, LOGIN_LIMITS a minute. */
export const loginLimiters = () => ({ byIp: new RateLimiter(LOGIN_LIMITS.perIp), byAccount: new RateLimiter(LOGIN_LIMITS.perAccount) });

/** Who asks: a logged-in user (its role decides what it may do), or the command line on this machine. */
export interface UserActor {
  user: User | 'cli';
  /** The client address, for the audit log (hashed there) and the rate limits. */
  ip?: string | null;
}

/** What may be changed of a user through the API. */
export interface UserChanges {
  name?: unknown;
  role?: unknown;
  grants?: unknown;
}

export interface UserAdminDeps {
  store: Store;
  sites: SiteDirectory;
  logins: Logins;
  audit: AuditLog;
  /** A NoMailer when no SMTP server is configured. */
  mailer: Mailer;
  /** The installation's token secret (password links). */
  secret: Buffer;
  publicUrl: () => string;
  now: () => number;
  /** Login attempts per client address and per account (swept by the collector's upkeep). */
  limits: ReturnType<typeof loginLimiters>;
  /** Where an email that cannot be sent is reported. */
  onMailError: (err: Error) => void;
}

const actorId = (by: UserActor) => (by.user === 'cli' ? 'cli' : by.user.id);

/** Checks grants: live sites, known sections, each site once. Throws 400. */
export function checkGrants(raw: unknown, sites: SiteDirectory): User['grants'] {
  if (!Array.isArray(raw) || raw.length > 1000) throw new CairnError(400, 'invalid_user', 'grants: a list of {"site": "<id>", "sections": [...]}', { field: 'grants' });
  const seen = new Set<string>();
  return raw.map((g: unknown, i) => {
    const { site, sections } = (g ?? {}) as { site?: unknown; sections?: unknown };
    if (typeof site !== 'string' || !sites.get(site)) throw new CairnError(400, 'invalid_user', `grants[${i}].site: no site "${String(site)}"`, { field: `grants.${i}.site` });
    if (seen.has(site)) throw new CairnError(400, 'invalid_user', `grants[${i}].site: "${site}" is granted twice`, { field: `grants.${i}.site` });
    seen.add(site);
    if (!Array.isArray(sections) || sections.length === 0 || !sections.every((s) => (SECTIONS as readonly unknown[]).includes(s))) {
      throw new CairnError(400, 'invalid_user', `grants[${i}].sections: some of ${SECTIONS.join(', ')}`, { field: `grants.${i}.sections` });
    }
    return { site, sections: [...new Set(sections as Section[])] };
  });
}

export class UserAdmin {
  readonly #d: UserAdminDeps;
  /** Setups one at a time, so that two people racing with the link cannot both become the owner (on one collector). */
  #setups: Promise<unknown> = Promise.resolve();

  constructor(deps: UserAdminDeps) {
    this.#d = deps;
  }

  async list(): Promise<UserView[]> {
    return (await this.#d.store.users.list()).map(publicUser);
  }

  /**
   * Adds a user. Through the API: an admin or a client, by the owner (admins: clients only), with
   * an invitation when no password is given. From the command line: any role, the owner too.
   */
  async create(input: NewUserInput & { grants?: unknown }, by: UserActor): Promise<{ user: UserView; invitation: Invitation | null }> {
    if (by.user !== 'cli') {
      if (input.role !== 'admin' && input.role !== 'client') throw new CairnError(400, 'invalid_user', 'role: admin or client', { field: 'role' });
      if (input.role === 'admin' && by.user.role !== 'owner') throw new CairnError(403, 'forbidden', 'only the owner adds admins');
      if (typeof input.email !== 'string') throw new CairnError(400, 'invalid_user', 'email is required', { field: 'email' });
      if (input.name !== undefined && typeof input.name !== 'string') throw new CairnError(400, 'invalid_user', 'name: text', { field: 'name' });
      if (input.password !== undefined && typeof input.password !== 'string') throw new CairnError(400, 'invalid_user', 'password: text', { field: 'password' });
    }
    const grants = input.role === 'client' && by.user !== 'cli' ? checkGrants(input.grants ?? [], this.#d.sites) : [];
    const user = await addUser(this.#d.store, { email: input.email, name: input.name, role: input.role, password: input.password }, this.#d.now());
    if (grants.length > 0) await this.#d.store.users.update(user.id, { grants });
    const details: Record<string, string | number> = by.user === 'cli' ? { role: user.role } : { role: user.role, sites: grants.length };
    await this.#d.audit.record({ actor: actorId(by), action: 'user.create', target: user.id, ip: by.ip, details });
    const invitation = user.passwordHash || by.user === 'cli' ? null : await this.#invite(user, by.user);
    return { user: publicUser({ ...user, grants }), invitation };
  }

  /** Whether this Cairn still waits for its first owner (the login page then says how to create it). */
  async needsOwner(): Promise<boolean> {
    return !(await hasOwner(this.#d.store));
  }

  /** Creates the first owner with the setup link printed at start; 409 once there is one. */
  async setupOwner(input: { email: string; password: string; name?: string }, ip: string): Promise<UserView> {
    const made = this.#setups.then(async () => {
      if (await hasOwner(this.#d.store)) throw new CairnError(409, 'owner_exists', 'this Cairn has an owner already: log in instead');
      return addUser(this.#d.store, { email: input.email, password: input.password, role: 'owner', ...(input.name ? { name: input.name } : {}) }, this.#d.now());
    });
    this.#setups = made.catch(() => undefined);
    const user = await made;
    await this.#d.audit.record({ actor: user.id, action: 'user.create', target: user.id, ip, details: { role: 'owner', via: 'setup link' } });
    return publicUser(user);
  }

  /** Changes a user's name, role (the owner only, never its own) or grants (clients only). */
  async update(id: string, body: Record<string, unknown>, by: UserActor & { user: User }): Promise<UserView> {
    const me = by.user;
    const user = await this.#target(id, me);
    const unknown = Object.keys(body).find((k) => !['name', 'role', 'grants'].includes(k));
    if (unknown) throw new CairnError(400, 'invalid_user', `${unknown}: cannot be changed (name, role, grants)`, { field: unknown });
    const changes: { name?: string; role?: User['role']; grants?: User['grants'] } = {};
    if (body.name !== undefined) {
      if (typeof body.name !== 'string' || body.name.trim() === '' || body.name.length > 100) throw new CairnError(400, 'invalid_user', 'a name has 1 to 100 characters', { field: 'name' });
      changes.name = body.name.trim();
    }
    if (body.role !== undefined && body.role !== user.role) {
      if (body.role !== 'admin' && body.role !== 'client') throw new CairnError(400, 'invalid_user', 'role: admin or client', { field: 'role' });
      if (user.role === 'owner' || me.role !== 'owner') throw new CairnError(403, 'forbidden', 'only the owner changes roles, and never its own');
      changes.role = body.role;
    }
    const role = changes.role ?? user.role;
    if (body.grants !== undefined) {
      if (role !== 'client') throw new CairnError(400, 'invalid_user', 'grants: only clients have grants (the owner and admins see every site)', { field: 'grants' });
      changes.grants = checkGrants(body.grants, this.#d.sites);
    } else if (changes.role === 'admin') changes.grants = [];
    await this.#d.store.users.update(user.id, changes);
    await this.#d.audit.record({
      actor: me.id,
      action: 'user.update',
      target: user.id,
      ip: by.ip,
      details: { name: changes.name ?? null, role: changes.role ?? null, sites: changes.grants ? changes.grants.map((g) => `${g.site}:${g.sections.join('+')}`).join(',') : null },
    });
    return publicUser((await this.#d.store.users.get(user.id))!);
  }

  /** Removes a user and ends its sessions; never the owner, never oneself. */
  async remove(id: string, by: UserActor & { user: User }): Promise<void> {
    const user = await this.#target(id, by.user);
    if (user.role === 'owner') throw new CairnError(403, 'forbidden', 'the owner cannot be removed');
    if (user.id === by.user.id) throw new CairnError(403, 'forbidden', 'you cannot remove yourself; ask the owner');
    await this.#d.store.users.remove(user.id);
    const ended = await this.#d.logins.endAll(user.id);
    await this.#d.audit.record({ actor: by.user.id, action: 'user.remove', target: user.id, ip: by.ip, details: { email: user.email, sessionsEnded: ended } });
  }

  /** Sends a new invitation to a user who has not set a password yet. */
  async invite(id: string, by: UserActor & { user: User }): Promise<Invitation> {
    const user = await this.#target(id, by.user);
    if (user.passwordHash) throw new CairnError(409, 'has_password', 'this user has set a password already (they can reset it from the login page)');
    const invitation = await this.#invite(user, by.user);
    await this.#d.audit.record({ actor: by.user.id, action: 'user.invite', target: user.id, ip: by.ip, details: { emailed: invitation.emailed } });
    return invitation;
  }

  /** Sets a password from the command line (no email needed) and ends the user's sessions. */
  async setPassword(email: string, password: string, by: UserActor): Promise<{ user: UserView; sessionsEnded: number }> {
    const { user, sessionsEnded } = await setPassword(this.#d.store, email, password, this.#d.now());
    await this.#d.audit.record({ actor: actorId(by), action: 'password.set', target: user.id, ip: by.ip, details: { sessionsEnded } });
    return { user: publicUser(user), sessionsEnded };
  }

  /** The user these are the email and password of; 401 otherwise (the same for an unknown account), 429 past the limits. */
  async login(email: string, password: string, ip: string): Promise<User> {
    await this.#limit(ip, email, 'login.limited');
    const { user, account } = await checkPassword(this.#d.store, email, password);
    if (!user) {
      // The account, when there is one (never the email typed: it may be a password typed in the wrong field).
      await this.#d.audit.record({ actor: null, action: 'login.failed', target: account?.id ?? null, ip });
      throw new CairnError(401, 'invalid_login', 'wrong email or password');
    }
    await this.#d.audit.record({ actor: user.id, action: 'login', target: user.id, ip });
    return user;
  }

  /** Changes one's own password and ends every session of the user (the caller starts a new one). */
  async changePassword(user: User, current: string, next: string, ip: string): Promise<void> {
    // A session left open, or stolen, must not be a way to guess the password: counted as logins are.
    await this.#limit(ip, user.email, 'password.change-limited', user.id);
    if (!user.passwordHash || !(await verifyPassword(current, user.passwordHash))) throw new CairnError(403, 'wrong_password', 'the current password is wrong');
    const problem = passwordProblem(next);
    if (problem) throw new CairnError(400, 'invalid_password', problem, { field: 'next' });
    await this.#d.store.users.update(user.id, { passwordHash: await hashPassword(next), passwordChangedAt: this.#d.now() });
    const ended = await this.#d.logins.endAll(user.id);
    await this.#d.audit.record({ actor: user.id, action: 'password.change', target: user.id, ip, details: { sessionsEnded: ended } });
  }

  /** Emails a reset link if the account exists; the same outcome, and the same time, either way. */
  async requestReset(email: string, ip: string): Promise<void> {
    if (this.#d.mailer instanceof NoMailer) throw new CairnError(503, 'mail_unavailable', 'this Cairn cannot send email: ask its owner or an admin for an invitation link');
    await this.#limit(ip, email, 'password.reset-limited');
    const user = await this.#d.store.users.byEmail(normalizeEmail(email));
    await this.#d.audit.record({ actor: null, action: 'password.reset-request', target: user?.id ?? null, ip });
    if (!user) return;
    const mail = passwordEmail('reset', user, this.#link(user, 'reset'));
    // Sent after the answer: how long the SMTP server takes must not tell who has an account.
    setImmediate(() => {
      this.#d.mailer.send({ to: user.email, ...mail }).catch((err: unknown) => this.#d.onMailError(err as Error));
    });
  }

  /** Sets a password with an invitation or reset link, and ends every session of the user. */
  async resetWithLink(token: string, password: string, ip: string): Promise<void> {
    const user = await checkPasswordLink(this.#d.secret, token, this.#d.store, this.#d.now());
    if (!user) throw new CairnError(400, 'invalid_link', 'this link is not valid: it expired (links last one hour), was used already, or was altered; ask for a new one');
    const problem = passwordProblem(password);
    if (problem) throw new CairnError(400, 'invalid_password', problem, { field: 'password' });
    await this.#d.store.users.update(user.id, { passwordHash: await hashPassword(password), passwordChangedAt: this.#d.now() });
    const ended = await this.#d.logins.endAll(user.id);
    await this.#d.audit.record({ actor: user.id, action: user.passwordHash ? 'password.reset' : 'invitation.accept', target: user.id, ip, details: { sessionsEnded: ended } });
  }

  /** Counts an attempt against both limits; throws 429 (audited) past either. `user`: the logged-in user making it, if any. */
  async #limit(ip: string, email: string, refused: 'login.limited' | 'password.change-limited' | 'password.reset-limited', user: string | null = null): Promise<void> {
    const now = this.#d.now();
    const wait = Math.max(this.#d.limits.byIp.take(ip, 1, now), this.#d.limits.byAccount.take(normalizeEmail(email), 1, now));
    if (wait > 0) {
      await this.#d.audit.record({ actor: user, action: refused, target: user, ip });
      throw new CairnError(429, 'rate_limited', `too many attempts; try again in ${wait} s`, { headers: { 'retry-after': String(wait) } });
    }
  }

  /** The user `id` names, when `me` may manage it (admins: clients and themselves). */
  async #target(id: string, me: User): Promise<User> {
    const user = await this.#d.store.users.get(id);
    if (!user) throw new CairnError(404, 'not_found', `no user "${id}"`);
    if (me.role === 'admin' && user.role !== 'client' && user.id !== me.id) throw new CairnError(403, 'forbidden', 'admins manage clients; ask the owner');
    return user;
  }

  #link(user: User, purpose: 'invite' | 'reset'): string {
    return `${this.#d.publicUrl().replace(/\/+$/, '')}/reset#token=${passwordLink(this.#d.secret, user, purpose, this.#d.now())}`;
  }

  /** Emails an invitation, or returns its link when no mail can be sent. */
  async #invite(user: User, inviter: User): Promise<Invitation> {
    const url = this.#link(user, 'invite');
    if (this.#d.mailer instanceof NoMailer) return { emailed: false, url, problem: 'no SMTP server is configured (CAIRN_SMTP_URL): pass this link on yourself' };
    try {
      await this.#d.mailer.send({ to: user.email, ...passwordEmail('invite', user, url, inviter.name) });
      return { emailed: true };
    } catch (err) {
      // The user exists either way; whoever invited can pass the link on.
      return { emailed: false, url, problem: (err as Error).message };
    }
  }
}
