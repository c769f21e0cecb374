/** Removing a person's open invites of a tenant, as part of deleting them from it. */
import type { StoreDeps } from '#shared/app/context.js';
import { toLegacy } from '#shared/store/legacy-tx.js';
import { pendingInvitesOf } from '#shared/store/records/invite-queries.js';
import { inviteEmailLockDrop, pendingInviteDelete } from '#shared/store/records/invite-record.js';
import { inviteOutboxDelete } from '#shared/store/records/outbox-record.js';
import type { TxItem } from '#shared/store/table.js';
import type { TransactItem } from '#shared/store/transact.js';

/**
 * The deletions of every pending (or expired, still stored) invite of `email` in the tenant,
 * with their email lock, token and outbox items, to add to the member's delete transaction.
 */
export async function pendingInviteDeletionItems(
  deps: StoreDeps,
  tenantId: string,
  email: string,
): Promise<TxItem[]> {
  const invites = await pendingInvitesOf(deps.table, tenantId, email);
  if (invites.length === 0) return [];
  return [
    ...invites.flatMap((invite) => [
      ...pendingInviteDelete(tenantId, invite),
      inviteOutboxDelete(invite.inviteId),
    ]),
    inviteEmailLockDrop(tenantId, email),
  ];
}

/**
 * {@link pendingInviteDeletionItems} as SDK-shaped items, for the member service until it
 * writes port items (the bridge goes with store/transact.ts).
 */
export async function pendingInviteDeletions(
  deps: StoreDeps,
  tenantId: string,
  email: string,
): Promise<TransactItem[]> {
  const items = await pendingInviteDeletionItems(deps, tenantId, email);
  return items.map((item) => toLegacy(deps.table.name, item));
}
