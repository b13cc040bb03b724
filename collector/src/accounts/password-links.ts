/**
 * One-time links to set a password: invitations ("choose your password") and password resets.
 * Nothing is stored: the link carries a signed token (`cairn_pr_`, signed-tokens.ts) naming the
 * user, an expiry one hour ahead, and a fingerprint of the user's password as it was when the link
 * was made. Setting a password changes the fingerprint, so a link works once, and every older link
 * of that user dies with any password change.
 *
 * The caller puts the token in the URL's fragment, `${publicUrl}/reset#token=…`: browsers never
 * send a fragment to a server or in a Referer header, so the token stays out of access logs, proxy
 * logs and third-party requests; the page reads it and posts it with the new password.
 */
import { createHash } from 'node:crypto';
import type { Store, User } from '../store/store.ts';
import { readToken, signToken } from './signed-tokens.ts';

const PREFIX = 'cairn_pr_';
export const PASSWORD_LINK_TTL_MS = 60 * 60 * 1000;

export type PasswordLinkPurpose = 'invite' | 'reset';

/** First 16 hex characters of SHA-256 over the password hash (or "none") and when it was set. */
function passwordState(user: User): string {
  return createHash('sha256').update(`${user.passwordHash ?? 'none'}\n${user.passwordChangedAt ?? 'none'}`).digest('hex').slice(0, 16);
}

/** The token of a link to set `user`'s password, valid for an hour from `now` and until the password changes. */
export function passwordLink(secret: Buffer, user: User, purpose: PasswordLinkPurpose, now: number): string {
  return signToken(secret, PREFIX, { purpose, user: user.id, exp: now + PASSWORD_LINK_TTL_MS, state: passwordState(user) });
}

/**
 * The user a password link is for, or null: forged, altered, expired, for another purpose (when
 * `purpose` is given), for a user since removed, or already used (the password changed since).
 */
export async function checkPasswordLink(secret: Buffer, token: string, store: Pick<Store, 'users'>, now: number, purpose?: PasswordLinkPurpose): Promise<User | null> {
  const p = readToken(secret, PREFIX, token);
  if (!p || typeof p.user !== 'string' || typeof p.exp !== 'number' || typeof p.state !== 'string' || (p.purpose !== 'invite' && p.purpose !== 'reset')) return null;
  if (now > p.exp || (purpose !== undefined && p.purpose !== purpose)) return null;
  const user = await store.users.get(p.user);
  return user && passwordState(user) === p.state ? user : null;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** Names go into a subject line: no line breaks, no runs of spaces. */
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

/** The email carrying a password link: subject, plain text and the same in simple HTML. */
export function passwordEmail(purpose: PasswordLinkPurpose, user: User, url: string, inviterName?: string): { subject: string; text: string; html: string } {
  const host = URL.parse(url)?.host ?? url;
  const inviter = inviterName ? oneLine(inviterName) : '';
  const subject = purpose === 'invite' ? (inviter ? `${inviter} invited you to Cairn` : 'You are invited to Cairn') : 'Reset your Cairn password';
  // Paragraphs; the one that is exactly `url` becomes the link in HTML.
  const paragraphs =
    purpose === 'invite'
      ? [
          `Hello ${oneLine(user.name)},`,
          `${inviter || 'Someone'} invited you to see the web analytics at ${host}. To choose your password, open this link:`,
          url,
          `The link works once, for one hour. After that, ask ${inviter || 'the person who invited you'} for a new invitation. You will sign in with this email address, ${user.email}.`,
        ]
      : [
          `Hello ${oneLine(user.name)},`,
          `Someone asked to reset the password of your account ${user.email} at ${host}. To choose a new password, open this link:`,
          url,
          'The link works once, for one hour.',
          'If you did not ask for this, ignore this email: your password stays as it is.',
        ];
  const html = paragraphs.map((p) => (p === url ? `<p><a href="${escapeHtml(url)}">${escapeHtml(url)}</a></p>` : `<p>${escapeHtml(p)}</p>`)).join('\n');
  return { subject, text: `${paragraphs.join('\n\n')}\n`, html: `<!doctype html>\n<html><body>\n${html}\n</body></html>\n` };
}
