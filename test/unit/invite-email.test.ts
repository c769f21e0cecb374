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
    // The link opens the accept page in a new tab, without handing the mail client's page over.
    expect(mail.html).toContain('target="_blank" rel="noopener noreferrer"');
    expect(mail.subject).toBe('Invitation to join "Acme <b>" on Gatehouse');
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

describe('spoofed accept links (the inviter cannot make the mail look like ours)', () => {
  const spoof =
    'Security Team - action required. Verify at https://evil.example/accept?token=x now';

  it('puts the real link before the inviter message, which is quoted and attributed', () => {
    const mail = renderInviteEmail({ ...base, message: 'Welcome aboard, see you Monday' });
    const link = mail.text.indexOf('https://app.example/accept?token=tok_123-abc');
    const message = mail.text.indexOf('Welcome aboard');
    expect(link).toBeGreaterThan(-1);
    expect(link).toBeLessThan(message);
    expect(mail.text).toContain('Message from boss@x.io');
    expect(mail.text).toContain('> Welcome aboard, see you Monday');
    const htmlLink = mail.html.indexOf('href="https://app.example/accept?token=tok_123-abc"');
    expect(htmlLink).toBeLessThan(mail.html.indexOf('Welcome aboard'));
  });

  it('keeps the subject fixed-form, the tenant name quoted and capped', () => {
    const mail = renderInviteEmail({ ...base, tenantName: `Security Team ${'x'.repeat(300)}` });
    expect(mail.subject).toMatch(/^Invitation to join ".*" on Gatehouse$/);
    expect(mail.subject.length).toBeLessThanOrEqual(100);
    expect(mail.subject).not.toContain('boss@x.io');
  });

  it('refuses a message that carries a link or a web address', async () => {
    const { messageProblem } = await import('#shared/mail/invite-email.js');
    for (const bad of [
      spoof,
      'go to www.evil.example',
      'visit evil.example/accept',
      'mailto:a@evil.example',
      'HTTP://EVIL.EXAMPLE',
    ])
      expect(messageProblem(bad), bad).toBeTruthy();
    for (const ok of ['Welcome aboard!', 'See you at 9.30 tomorrow', 'Bring coffee, e.g. two cups'])
      expect(messageProblem(ok), ok).toBeUndefined();
  });
});

describe('renderAccountEmail', () => {
  it('keeps the subject fixed-form, the tenant name quoted and capped', async () => {
    const { renderAccountEmail } = await import('#shared/mail/account-email.js');
    const mail = renderAccountEmail({
      to: 'ann@x.io',
      tenantName: `Security Team ${'y'.repeat(300)}`,
      addedByEmail: 'boss@x.io',
      temporaryPassword: 'Pw-1',
    });
    expect(mail.subject).toMatch(/^You were added to ".*" on Gatehouse$/);
    expect(mail.subject.length).toBeLessThanOrEqual(100);
  });
});
