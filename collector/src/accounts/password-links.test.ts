import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Store, User } from '../store/store.ts';
import { checkPasswordLink, PASSWORD_LINK_TTL_MS, passwordEmail, passwordLink } from './password-links.ts';
import { signToken } from './signed-tokens.ts';

const NOW = Date.UTC(2026, 10, 24, 9, 0);
const secret = randomBytes(32);

const invited: User = { id: 'u_invited', email: 'ada@example.com', name: 'Ada', role: 'client', passwordHash: null, grants: [], createdAt: NOW - 1000, passwordChangedAt: null };
const member: User = { ...invited, id: 'u_member', email: 'grace@example.com', name: 'Grace', role: 'admin', passwordHash: 'scrypt$32768$8$2$c2FsdA$a2V5', passwordChangedAt: NOW - 86_400_000 };

/** A store holding just these users, as far as password links look. */
function storeOf(...users: User[]) {
  const byId = new Map(users.map((u) => [u.id, { ...u }]));
  return { users: { get: async (id: string) => byId.get(id) ?? null }, byId } as unknown as Pick<Store, 'users'> & { byId: Map<string, User> };
}

describe('password links', () => {
  it('lead to their user, for invitations and resets, until the hour is over', async () => {
    const store = storeOf(invited, member);
    const invite = passwordLink(secret, invited, 'invite', NOW);
    const reset = passwordLink(secret, member, 'reset', NOW);
    expect(invite).toMatch(/^cairn_pr_[\w-]+\.[\w-]+$/);
    expect((await checkPasswordLink(secret, invite, store, NOW))?.id).toBe('u_invited');
    expect((await checkPasswordLink(secret, reset, store, NOW + PASSWORD_LINK_TTL_MS))?.id).toBe('u_member');
    expect(await checkPasswordLink(secret, reset, store, NOW + PASSWORD_LINK_TTL_MS + 1)).toBeNull();
    expect(PASSWORD_LINK_TTL_MS).toBe(3_600_000);
  });

  it('refuse forged, altered and foreign tokens', async () => {
    const store = storeOf(invited, member);
    const token = passwordLink(secret, invited, 'invite', NOW);
    const [body, sig] = token.slice('cairn_pr_'.length).split('.') as [string, string];
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    const altered = `cairn_pr_${Buffer.from(JSON.stringify({ ...payload, user: 'u_member' })).toString('base64url')}.${sig}`;
    const forgedByOther = passwordLink(randomBytes(32), invited, 'invite', NOW);
    const otherPrefix = signToken(secret, 'cairn_vt_', payload);
    for (const bad of [altered, forgedByOther, otherPrefix, otherPrefix.replace('cairn_vt_', 'cairn_pr_'), '', 'cairn_pr_', `${token}x`]) {
      expect(await checkPasswordLink(secret, bad, store, NOW), bad).toBeNull();
    }
    // A token signed with the secret but without the fields of a password link is no link either.
    expect(await checkPasswordLink(secret, signToken(secret, 'cairn_pr_', { user: 'u_invited', exp: NOW + 1000 }), store, NOW)).toBeNull();
  });

  it('hold to the purpose asked for', async () => {
    const store = storeOf(member);
    const reset = passwordLink(secret, member, 'reset', NOW);
    expect((await checkPasswordLink(secret, reset, store, NOW, 'reset'))?.id).toBe('u_member');
    expect(await checkPasswordLink(secret, reset, store, NOW, 'invite')).toBeNull();
  });

  it('work once: setting the password, or any password change, ends every earlier link', async () => {
    const store = storeOf(invited, member);
    const invite = passwordLink(secret, invited, 'invite', NOW);
    store.byId.get('u_invited')!.passwordHash = 'scrypt$32768$8$2$bmV3$aGFzaA';
    store.byId.get('u_invited')!.passwordChangedAt = NOW + 60_000;
    expect(await checkPasswordLink(secret, invite, store, NOW + 60_000)).toBeNull();

    const reset = passwordLink(secret, member, 'reset', NOW);
    // The same hash set again at another time (say, an admin restoring it) still counts as a change.
    store.byId.get('u_member')!.passwordChangedAt = NOW + 1;
    expect(await checkPasswordLink(secret, reset, store, NOW + 2)).toBeNull();
  });

  it('die with their user', async () => {
    const store = storeOf(invited);
    const invite = passwordLink(secret, invited, 'invite', NOW);
    store.byId.delete('u_invited');
    expect(await checkPasswordLink(secret, invite, store, NOW)).toBeNull();
  });
});

describe('passwordEmail', () => {
  const url = 'https://stats.example.com/reset#token=cairn_pr_abc.def';

  it('invites with the inviter, the link, its limits and the email to sign in with', () => {
    const mail = passwordEmail('invite', invited, url, 'Grace\r\nHopper');
    expect(mail.subject).toBe('Grace Hopper invited you to Cairn');
    expect(mail.text).toContain(`Grace Hopper invited you to see the web analytics at stats.example.com. To choose your password, open this link:\n\n${url}\n\n`);
    expect(mail.text).toMatch(/works once, for one hour/);
    expect(mail.text).toContain('ada@example.com');
    expect(passwordEmail('invite', invited, url).subject).toBe('You are invited to Cairn');
  });

  it('resets with the link, its limits, and what to do if it was not asked for', () => {
    const mail = passwordEmail('reset', member, url);
    expect(mail.subject).toBe('Reset your Cairn password');
    expect(mail.text).toContain(`\n\n${url}\n\n`);
    expect(mail.text).toMatch(/works once, for one hour/);
    expect(mail.text).toContain('If you did not ask for this, ignore this email');
  });

  it('escapes names and the link in the HTML part', () => {
    const mail = passwordEmail('invite', { ...invited, name: '<b>Ada</b>' }, `${url}&x="><script>`, 'Eve <img src=x onerror=alert(1)>');
    expect(mail.html).not.toMatch(/<(b|script|img)\b/);
    expect(mail.html).toContain('&#60;b&#62;Ada&#60;/b&#62;');
    expect(mail.html).toContain(`<a href="https://stats.example.com/reset#token=cairn_pr_abc.def&#38;x=&#34;&#62;&#60;script&#62;">`);
  });
});
