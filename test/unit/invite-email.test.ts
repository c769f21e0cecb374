/** The invitation email: the accept link, escaping of every value, and the header-injection guard. */
import { describe, expect, it } from 'vitest';
import { acceptLink, renderInviteEmail } from '#shared/mail/invite-email.js';
import { assertHeaderSafe, HeaderInjectionError } from '#shared/mail/mailer.js';

const base = {
  to: 'ann@x.io',
  tenantName: 'Acme <b>',
  inviterEmail: 'boss@x.io',
  expiresAt: '2030-01-02T03:04:05.000Z',
  acceptUrl: 'https://app.example/accept',
  token: 'tok_123-abc',
};

describe('renderInviteEmail', () => {
  it('links to <acceptUrl>?token=<token> in both bodies', () => {
    const mail = renderInviteEmail(base);
    expect(mail.text).toContain('https://app.example/accept?token=tok_123-abc');
    expect(mail.html).toContain('href="https://app.example/accept?token=tok_123-abc"');
    expect(mail.subject).toBe('boss@x.io invited you to join Acme <b> on Gatehouse');
  });

  it('escapes tenant name and message in HTML', () => {
    const mail = renderInviteEmail({ ...base, message: '<script>alert(1)</script>' });
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<b>');
    expect(mail.html).toContain('&#60;script&#62;');
  });

  it('keeps the subject on one line whatever the tenant name holds', () => {
    const mail = renderInviteEmail({ ...base, tenantName: 'Acme\r\nBcc: evil@x.io' });
    expect(mail.subject).not.toMatch(/[\r\n]/);
  });

  it('keeps an existing query on the accept URL', () => {
    expect(acceptLink('https://a.example/join?src=mail', 't')).toBe(
      'https://a.example/join?src=mail&token=t',
    );
  });
});

describe('assertHeaderSafe', () => {
  it('rejects CR/LF in the recipient', () => {
    expect(() => assertHeaderSafe({ to: 'a@x.io\nBcc: b@x.io', subject: 's' })).toThrow(
      HeaderInjectionError,
    );
    expect(() => assertHeaderSafe({ to: 'a@x.io', subject: 's' })).not.toThrow();
  });
});
