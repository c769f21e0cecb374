/** Removing a person's open invites of a tenant, as part of deleting them from it. */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreDeps } from '#shared/app/context.js';
import { keys } from '#shared/store/keys.js';
import type { TransactItem } from '#shared/store/transact.js';

/**
 * The deletions of every pending (or expired, still stored) invite of `email` in the tenant,
 * with their email locks and token items, to add to the member's delete transaction.
 */
export async function pendingInviteDeletions(
  deps: StoreDeps,
  tenantId: string,
  email: string,
): Promise<TransactItem[]> {
  const res = await deps.db.send(
    new QueryCommand({
      TableName: deps.tableName,
      IndexName: 'byEmail',
      KeyConditionExpression: 'gsi2pk = :p AND begins_with(gsi2sk, :e)',
      FilterExpression: '#s = :pending',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: {
        ':p': keys.inviteByEmailPartition(tenantId),
        ':e': `${email}#`,
        ':pending': 'pending',
      },
    }),
  );
  const T = deps.tableName;
  const items: TransactItem[] = [];
  for (const invite of res.Items ?? []) {
    const inviteId = String(invite.inviteId);
    items.push(
      {
        Delete: {
          TableName: T,
          Key: keys.invite(tenantId, inviteId),
          ConditionExpression: '#s = :pending',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':pending': 'pending' },
        },
      },
      { Delete: { TableName: T, Key: keys.inviteToken(String(invite.tokenHash)) } },
      { Delete: { TableName: T, Key: keys.inviteOutbox(inviteId) } },
    );
  }
  if (items.length)
    items.push({ Delete: { TableName: T, Key: keys.inviteEmail(tenantId, email) } });
  return items;
}
