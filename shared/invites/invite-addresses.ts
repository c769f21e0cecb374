/** Parsing the address list of a bulk invite: split, normalize, dedupe and validate each (pure). */
import { InvalidError } from '#shared/errors/domain-errors.js';
import { normalizeEmail } from '#shared/identity/identity-provider.js';
import { splitAddressList } from '#shared/invites/address-list.js';

/** Most addresses one invite request may carry. */
export const MAX_INVITES_PER_REQUEST = 100;

export type ParsedAddress = { email: string; valid: true } | { email: string; valid: false };

// Deliberately strict: no quoted local parts, no comments, no IP literals, nothing a mail header could misread.
const ADDRESS =
  /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** Whether a normalized address is acceptable as an invite recipient. */
export function isValidAddress(email: string): boolean {
  return email.length <= 254 && ADDRESS.test(email) && !email.includes('..');
}

/**
 * Turns `emails` (an array, or one string separated by commas, semicolons, spaces or newlines,
 * `Name <a@b.c>` forms included: see `splitAddressList`) into normalized, de-duplicated addresses in input order, each marked valid or not.
 * Throws 400 naming `body.emails` when there are none or more than 100, and when an array
 * entry carries CR/LF (header injection).
 */
export function parseAddresses(emails: string | string[]): ParsedAddress[] {
  const raw: string[] = [];
  if (typeof emails === 'string') {
    raw.push(...splitAddressList(emails));
  } else {
    emails.forEach((entry, i) => {
      if (/[\r\n]/.test(entry)) {
        throw new InvalidError('An address contains a line break', [
          { path: `body.emails.${i}`, message: 'must not contain CR or LF' },
        ]);
      }
      raw.push(entry);
    });
  }
  const entries = raw.map((e) => e.trim()).filter((e) => e !== '');
  if (entries.length === 0) {
    throw new InvalidError('No addresses given', [
      { path: 'body.emails', message: 'must hold at least one address' },
    ]);
  }
  if (entries.length > MAX_INVITES_PER_REQUEST) {
    throw new InvalidError(`At most ${MAX_INVITES_PER_REQUEST} addresses per request`, [
      { path: 'body.emails', message: `must hold at most ${MAX_INVITES_PER_REQUEST} addresses` },
    ]);
  }
  const seen = new Set<string>();
  const out: ParsedAddress[] = [];
  for (const entry of entries) {
    const email = normalizeEmail(entry);
    if (seen.has(email)) continue;
    seen.add(email);
    out.push(isValidAddress(email) ? { email, valid: true } : { email: entry, valid: false });
  }
  return out;
}
