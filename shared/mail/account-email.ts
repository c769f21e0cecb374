/**
 * The mail to a person an operator added directly with a one-time password (pure). Adds no longer
 * send it (they invite); it renders account-mail items still queued by an earlier version.
 */
import { escapeHtml, quotedName } from '#shared/mail/invite-email.js';
import type { MailMessage } from '#shared/mail/mailer.js';

export interface AccountEmailInput {
  to: string;
  tenantName: string;
  addedByEmail: string;
  temporaryPassword: string;
}

/** Renders it; the password goes only to the person, never back to the operator. */
export function renderAccountEmail(input: AccountEmailInput): MailMessage {
  const by = input.addedByEmail || 'An administrator';
  const subject = `You were added to ${quotedName(input.tenantName)} on Gatehouse`;
  const text = [
    `${by} added you to ${input.tenantName}.`,
    '',
    `Sign in with your email address (${input.to}) and this one-time password:`,
    '',
    `One-time password: ${input.temporaryPassword}`,
    '',
    'The first sign-in asks you to choose your own password. The one-time password expires in',
    '3 days. If you did not expect this, ignore this email.',
  ].join('\n');
  const html = `<!doctype html><html><body style="font-family:sans-serif">
<p>${escapeHtml(by)} added you to <strong>${escapeHtml(input.tenantName)}</strong>.</p>
<p>Sign in with your email address (${escapeHtml(input.to)}) and this one-time password:</p>
<p style="font-family:monospace;font-size:1.2em">${escapeHtml(input.temporaryPassword)}</p>
<p>The first sign-in asks you to choose your own password. The one-time password expires in 3 days.</p>
<p style="color:#666">If you did not expect this, ignore this email.</p>
</body></html>`;
  return { to: input.to, subject, text, html };
}
