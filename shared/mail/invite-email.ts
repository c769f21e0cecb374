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

/** Longest tenant name shown in a subject; longer names are cut with an ellipsis. */
const SUBJECT_NAME_MAX = 60;

/** A tenant name as a subject shows it: one line, quotes stripped, capped, then quoted. */
export function quotedName(name: string): string {
  const flat = oneLine(name)
    .replace(/["\u201c\u201d]/g, "'")
    .trim();
  const cut =
    flat.length > SUBJECT_NAME_MAX ? `${flat.slice(0, SUBJECT_NAME_MAX - 1)}\u2026` : flat;
  return `"${cut}"`;
}

/**
 * Why an inviter's message may not go out from our address, or undefined: it must not carry a
 * link or anything a mail client turns into one (a URL scheme, `www.`, a host name), so nobody
 * can put a second, fake accept link into our mail.
 */
export function messageProblem(message: string): string | undefined {
  const link =
    /[a-z][a-z0-9+.-]*:\/\/|\b(?:mailto|javascript|data|tel|sms|file):|\bwww\.|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?=$|[\s/:?#),;!'"\]>])/i;
  return link.test(message) ? 'must not contain links or web addresses' : undefined;
}

/**
 * Renders the invitation. The subject has one fixed form; the accept link comes first; the
 * inviter's message, if any, comes after it, quoted and attributed as their words, not ours.
 * Every value is escaped in HTML.
 */
export function renderInviteEmail(input: InviteEmailInput): MailMessage {
  const link = acceptLink(input.acceptUrl, input.token);
  const expires = new Date(input.expiresAt).toUTCString();
  const inviter = input.inviterEmail || 'An administrator';
  const tenant = quotedName(input.tenantName);
  const subject = `Invitation to join ${tenant} on Gatehouse`;
  const quote = input.message ? oneLine(input.message) : undefined;
  const text = [
    `${inviter} invited you to join ${tenant} on Gatehouse.`,
    '',
    `Accept the invitation: ${link}`,
    '',
    `The link works once and expires on ${expires}.`,
    'If you did not expect this invitation, ignore this email.',
    ...(quote ? ['', `Message from ${inviter} (their words, not Gatehouse's):`, `> ${quote}`] : []),
  ].join('\n');
  const html = `<!doctype html><html><body style="font-family:sans-serif">
<p>${escapeHtml(inviter)} invited you to join <strong>${escapeHtml(tenant)}</strong> on Gatehouse.</p>
<p><a href="${escapeHtml(link)}" target="_blank" rel="noopener noreferrer">Accept the invitation</a></p>
<p>The link works once and expires on ${escapeHtml(expires)}.</p>
<p style="color:#666">If you did not expect this invitation, ignore this email.</p>
${
  quote
    ? `<p style="color:#666">Message from ${escapeHtml(inviter)} (their words, not Gatehouse's):</p>
<blockquote style="border-left:3px solid #ccc;margin-left:0;padding-left:1em;color:#444">${escapeHtml(quote)}</blockquote>`
    : ''
}
</body></html>`;
  return { to: input.to, subject, text, html };
}
