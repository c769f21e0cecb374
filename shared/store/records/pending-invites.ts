/** Removing a person's open invites of a tenant, as part of deleting them from it. */
import { keys } from '#shared/store/keys.js';
import type { Table, TxItem } from '#shared/store/table.js';

/**
 * The deletions of every pending (or expired, still stored) invite of `email` in the tenant,
 * with their email locks and token items, to add to the member's delete transaction.
 */
export async function pendingInviteDeletions(
  table: Table,
  tenantId: string,
  email: string,
): Promise<TxItem[]> {
  const pending = {
    if: '#s = :pending',
    names: { '#s': 'status' },
    values: { ':pending': 'pending' },
  };
  const invites = await table.queryAll({
    index: 'byEmail',
    partition: keys.inviteByEmailPartition(tenantId),
    prefix: `${email}#`,
    filter: pending,
  });
  const items: TxItem[] = invites.flatMap((invite) => {
    const inviteId = String(invite.inviteId);
    return [
      { delete: keys.invite(tenantId, inviteId), when: pending },
      { delete: keys.inviteToken(String(invite.tokenHash)) },
      { delete: keys.inviteOutbox(inviteId) },
    ];
  });
  if (items.length) items.push({ delete: keys.inviteEmail(tenantId, email) });
  return items;
}
