/**
 * The SES message tags an invite mail carries, so that a bounce or complaint event names its
 * invite directly (tenant, invite, send) and is applied without a scan (pure). SES allows only
 * ASCII letters, digits, `_` and `-` in tag names and values, at most 256 characters: a value
 * made of letters, digits and `-` goes as it is, anything else as `b64_` + base64url of its
 * UTF-8 bytes (a plain value never holds `_`, so the two forms cannot be confused).
 */

export const MAIL_TAG = {
  tenant: 'gatehouse-tenant',
  invite: 'gatehouse-invite',
  send: 'gatehouse-send',
} as const;

/** The tag SES adds to every event of a mail sent with a configuration set. */
export const CONFIGURATION_SET_TAG = 'ses:configuration-set';

const PLAIN = /^[A-Za-z0-9-]+$/;
const ENCODED = 'b64_';
const MAX_TAG_VALUE = 256;

/** A value in SES's tag alphabet; throws when even the encoded form is too long. */
export function encodeTagValue(value: string): string {
  const out = PLAIN.test(value)
    ? value
    : `${ENCODED}${Buffer.from(value, 'utf8').toString('base64url')}`;
  if (out.length > MAX_TAG_VALUE) throw new Error('SES tag value longer than 256 characters');
  return out;
}

/** The value {@link encodeTagValue} encoded; undefined for a value it cannot have produced. */
export function decodeTagValue(tag: string): string | undefined {
  if (PLAIN.test(tag)) return tag;
  if (!tag.startsWith(ENCODED)) return undefined;
  const body = tag.slice(ENCODED.length);
  if (!/^[A-Za-z0-9_-]+$/.test(body)) return undefined;
  const value = Buffer.from(body, 'base64url').toString('utf8');
  return encodeTagValue(value) === tag ? value : undefined;
}

/** The tags of one send of an invite. */
export function inviteMailTags(send: {
  tenantId: string;
  inviteId: string;
  sendCount: number;
}): Record<string, string> {
  return {
    [MAIL_TAG.tenant]: encodeTagValue(send.tenantId),
    [MAIL_TAG.invite]: encodeTagValue(send.inviteId),
    [MAIL_TAG.send]: encodeTagValue(String(send.sendCount)),
  };
}

/** The invite a mail's tags name (as SES publishes them: name -> values), if they name one. */
export function inviteOfTags(
  tags: Record<string, string[] | undefined>,
): { tenantId: string; inviteId: string; sendCount?: number } | undefined {
  const one = (name: string) => {
    const raw = tags[name]?.[0];
    return raw === undefined ? undefined : decodeTagValue(raw);
  };
  const tenantId = one(MAIL_TAG.tenant);
  const inviteId = one(MAIL_TAG.invite);
  if (!tenantId || !inviteId) return undefined;
  const send = Number(one(MAIL_TAG.send));
  return { tenantId, inviteId, ...(Number.isInteger(send) && send > 0 ? { sendCount: send } : {}) };
}
