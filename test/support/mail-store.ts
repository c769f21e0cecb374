/** Reads the SES emulator's store: the mails the local mailer actually sent. */
import { stack } from './stack-client.js';

export interface StoredMail {
  destination: { to: string[] };
  subject: string;
  body: { text: string; html: string };
}

export async function mailsTo(email: string): Promise<StoredMail[]> {
  const res = await fetch(stack.mail.storeUrl);
  const store = (await res.json()) as { emails: StoredMail[] };
  return store.emails.filter((m) => m.destination.to.includes(email));
}

/** Waits until `count` mails reached `email` (the mailer is asynchronous); returns them. */
export async function waitForMails(
  email: string,
  count = 1,
  timeoutMs = 10_000,
): Promise<StoredMail[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mails = await mailsTo(email);
    if (mails.length >= count || Date.now() > deadline) return mails;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The raw invite token in a mail's accept link. */
export function tokenOf(mail: StoredMail): string {
  const m = /[?&]token=([A-Za-z0-9_-]+)/.exec(mail.body.text);
  if (!m?.[1]) throw new Error('no token in mail');
  return m[1];
}

/** The one-time password in the mail to a person an operator added directly. */
export function oneTimePasswordOf(mail: StoredMail): string {
  const m = /One-time password: (\S+)/.exec(mail.body.text);
  if (!m?.[1]) throw new Error('no one-time password in mail');
  return m[1];
}
