/** Removing a person's open invites of a tenant, as part of deleting them from it. */
import type { StoreDeps } from '#shared/app/context.js';
import type { TransactItem } from '#shared/store/transact.js';

/**
 * The deletions of every pending (or expired, still stored) invite of `email` in the tenant,
 * with their email locks and token items, to add to the member's delete transaction.
 */
export async function pendingInviteDeletions(
  _deps: StoreDeps,
  _tenantId: string,
  _email: string,
): Promise<TransactItem[]> {
  return [];
}
