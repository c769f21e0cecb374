/** Resolves a member identifier that may be a userId or an email (any case). */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreDeps } from '#shared/app/context.js';
import { NotFoundError } from '#shared/errors/domain-errors.js';
import { normalizeEmail } from '#shared/identity/identity-provider.js';
import { findMemberByEmail, loadMember } from '#shared/members/member-service.js';
import { keys } from '#shared/store/keys.js';

export async function resolveMemberId(
  deps: StoreDeps,
  tenantId: string,
  identifier: string,
): Promise<string> {
  if (identifier.includes('@')) {
    const m = await findMemberByEmail(deps, tenantId, normalizeEmail(identifier));
    if (!m) throw new NotFoundError(`No member with email ${normalizeEmail(identifier)}`);
    return m.userId;
  }
  return (await loadMember(deps, tenantId, identifier)).userId;
}

/**
 * Every member an identifier names, for a forced logout: the userId's member, or the email's one
 * member (its uniqueness item). Members written before that item existed may share an email;
 * then every one of them is named, so a logout never misses the live one.
 */
export async function resolveMemberIds(
  deps: StoreDeps,
  tenantId: string,
  identifier: string,
): Promise<string[]> {
  if (!identifier.includes('@')) return [(await loadMember(deps, tenantId, identifier)).userId];
  const email = normalizeEmail(identifier);
  const unique = await deps.db.send(
    new GetCommand({
      TableName: deps.tableName,
      Key: keys.memberEmail(tenantId, email),
      ConsistentRead: true,
    }),
  );
  if (unique.Item) return [String(unique.Item.userId)];
  const res = await deps.db.send(
    new QueryCommand({
      TableName: deps.tableName,
      IndexName: 'byEmail',
      KeyConditionExpression: 'gsi2pk = :p AND gsi2sk = :e',
      ExpressionAttributeValues: { ':p': keys.memberByEmailPartition(tenantId), ':e': email },
    }),
  );
  const ids = [...new Set((res.Items ?? []).map((i) => String(i.userId)))].sort();
  if (!ids.length) throw new NotFoundError(`No member with email ${email}`);
  return ids;
}
