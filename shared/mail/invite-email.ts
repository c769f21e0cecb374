/** The invitation email: subject, text and HTML bodies from the invite and the accept link (pure). */
import type { MailMessage } from '#shared/mail/mailer.js';

export interface InviteEmailInput {
  to: string;
  tenantName: string;
  inviterEmail: string;
  expiresAt: string;
  acceptUrl: string;
  token: string;
  message?: string;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `<acceptUrl>?token=<token>`, keeping any query the accept URL already has. */
export function acceptLink(acceptUrl: string, token: string): string {
  const url = new URL(acceptUrl);
  url.searchParams.set('token', token);
  return url.toString();
}

export function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ');
}

/** Renders the invitation; every value is escaped in HTML and kept on one line in the subject. */
export function renderInviteEmail(input: InviteEmailInput): MailMessage {
  const link = acceptLink(input.acceptUrl, input.token);
  const expires = new Date(input.expiresAt).toUTCString();
  const inviter = input.inviterEmail || 'An administrator';
  const subject = oneLine(`${inviter} invited you to join ${input.tenantName} on Gatehouse`);
  const text = [
    `${inviter} invited you to join ${input.tenantName}.`,
    ...(input.message ? ['', `"${input.message}"`] : []),
    '',
    `Accept the invitation: ${link}`,
    '',
    `The link works once and expires on ${expires}.`,
    'If you did not expect this invitation, ignore this email.',
  ].join('\n');
  const html = `<!doctype html><html><body style="font-family:sans-serif">
<p>${escapeHtml(inviter)} invited you to join <strong>${escapeHtml(input.tenantName)}</strong>.</p>
${input.message ? `<blockquote>${escapeHtml(input.message)}</blockquote>` : ''}
<p><a href="${escapeHtml(link)}">Accept the invitation</a></p>
<p>The link works once and expires on ${escapeHtml(expires)}.</p>
<p style="color:#666">If you did not expect this invitation, ignore this email.</p>
</body></html>`;
  return { to: input.to, subject, text, html };
}
