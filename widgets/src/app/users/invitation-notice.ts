/** What an invitation became: emailed, or a link to pass on (no SMTP server, or sending failed). */
import { html } from 'lit';
import type { Invitation } from '@cairn/collector/protocol';
import { sentence } from '../session.ts';
import '../cairn-copy-button.ts';

export function invitationNotice(email: string, invitation: Invitation | null) {
  if (!invitation) return html`<p class="notice" role="status">${email} can log in now.</p>`;
  if (invitation.emailed) return html`<p class="notice" role="status">An invitation is emailed to ${email}: its link works once, for one hour.</p>`;
  return html`<div class="secret" role="status">
    <p><strong>No email was sent to ${email}.</strong> ${invitation.problem ? sentence(invitation.problem) : 'Pass this link on yourself.'} It works once, for one hour.</p>
    <p><code class="invitation-url">${invitation.url}</code></p>
    <cairn-copy-button .text=${invitation.url ?? ''} label="Copy the link"></cairn-copy-button>
  </div>`;
}
