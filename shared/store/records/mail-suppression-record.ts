/**
 * Suppressed addresses of a tenant: written once, on the first hard bounce or complaint of a
 * mail to the address, and read before every invite mail to it. Kept per tenant, so one
 * tenant's answer never tells it what another tenant's mail did (the SES account's own
 * suppression list covers the account as a whole).
 */
import { keys } from '#shared/store/keys.js';
import type { Table, TxItem } from '#shared/store/table.js';

export type SuppressionReason = 'bounced' | 'complained';

export interface MailSuppression {
  tenantId: string;
  email: string;
  reason: SuppressionReason;
  /** When the event that caused it happened (the bounce's or complaint's time). */
  at: string;
  /** The invite whose mail bounced or was complained about. */
  inviteId: string;
}

/** Suppressing an address unless it is already (a second event for it changes nothing). */
export function mailSuppressionPut(suppression: MailSuppression): TxItem {
  return {
    put: {
      ...keys.mailSuppression(suppression.tenantId, suppression.email),
      type: 'mail-suppression',
      ...suppression,
    },
    when: { if: 'attribute_not_exists(pk)' },
  };
}

export async function findMailSuppression(
  table: Table,
  tenantId: string,
  email: string,
): Promise<MailSuppression | undefined> {
  const item = await table.get(keys.mailSuppression(tenantId, email));
  if (!item) return undefined;
  return {
    tenantId,
    email,
    reason: item.reason === 'complained' ? 'complained' : 'bounced',
    at: String(item.at ?? ''),
    inviteId: String(item.inviteId ?? ''),
  };
}
