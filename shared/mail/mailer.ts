/** The mailer port: what Gatehouse needs to send one email (SES in production and locally). */

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** SES message tags (name -> value in SES's tag alphabet), published with the mail's events. */
  tags?: Record<string, string>;
}

export interface Mailer {
  /** Sends one message; throws when the provider refused or failed it. */
  send(message: MailMessage): Promise<void>;
}

/** Thrown for a message that would let a value break out of its header. */
export class HeaderInjectionError extends Error {}

/** Rejects CR/LF in any header value (recipient, subject); bodies may hold line breaks. */
export function assertHeaderSafe(message: Pick<MailMessage, 'to' | 'subject'>): void {
  if (/[\r\n]/.test(message.to) || /[\r\n]/.test(message.subject)) {
    throw new HeaderInjectionError('CR or LF in a mail header value');
  }
}
