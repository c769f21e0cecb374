/**
 * Reads what a tenant holds in DynamoDB Local, strongly consistent, so a test can show that a
 * request changed nothing (before == after) or exactly what it changed (the audit partition).
 */
import {
  AdminGetUserCommand,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { cognito, ddb, stack } from './stack-client.js';

const table = stack.dynamodb.tableName;

type Item = Record<string, unknown>;

/** Every item of one partition, in sort-key order, following pagination. */
export async function partitionItems(pk: string): Promise<Item[]> {
  const out: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await ddb.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': pk },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    out.push(...(res.Items ?? []));
    start = res.LastEvaluatedKey;
  } while (start);
  return out;
}

/** A tenant's own partition (tenant, policy, members, groups, roles, invites, tokens ...). */
export function tenantItems(tenantId: string): Promise<Item[]> {
  return partitionItems(`TENANT#${tenantId}`);
}

/** What the byUser index holds for `userId` in `tenantId` (the membership's index entry). */
export async function byUserEntries(userId: string, tenantId: string): Promise<Item[]> {
  const res = await ddb.send(
    new QueryCommand({
      TableName: table,
      IndexName: 'byUser',
      KeyConditionExpression: 'gsi1pk = :u AND gsi1sk = :t',
      ExpressionAttributeValues: { ':u': `USER#${userId}`, ':t': `TENANT#${tenantId}` },
    }),
  );
  return res.Items ?? [];
}

/** A tenant's audit events, oldest first (the sort key is `<iso time>#<ulid>`). */
export function auditEvents(tenantId: string): Promise<Item[]> {
  return partitionItems(`AUDIT#${tenantId}`);
}

export interface TenantSnapshot {
  tenant: Item[];
  audit: Item[];
}

/**
 * Everything a tenant owns in the table: its partition (tenant, policy, members, groups, roles,
 * invites, service accounts, tokens, idempotency keys) and its audit partition. `ignore` drops
 * attributes written on their own schedule (an API token's `lastUsedAt`).
 */
export async function snapshotTenant(
  tenantId: string,
  ignore: string[] = ['lastUsedAt'],
): Promise<TenantSnapshot> {
  const strip = (items: Item[]) =>
    items.map((i) => Object.fromEntries(Object.entries(i).filter(([k]) => !ignore.includes(k))));
  const [tenant, audit] = await Promise.all([tenantItems(tenantId), auditEvents(tenantId)]);
  return { tenant: strip(tenant), audit: strip(audit) };
}

/** One item by key, strongly consistent. */
export async function itemAt(pk: string, sk: string): Promise<Item | undefined> {
  const res = await ddb.send(
    new GetCommand({ TableName: table, Key: { pk, sk }, ConsistentRead: true }),
  );
  return res.Item;
}

/** Every item of the whole table whose JSON contains `needle` (slow: use once per test). */
export async function itemsMentioning(needle: string): Promise<Item[]> {
  const out: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await ddb.send(
      new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    out.push(...(res.Items ?? []).filter((i) => JSON.stringify(i).includes(needle)));
    start = res.LastEvaluatedKey;
  } while (start);
  return out;
}

/** Whether cognito-local holds a user with this username (email). */
export async function cognitoUserExists(email: string): Promise<boolean> {
  try {
    await cognito.send(
      new AdminGetUserCommand({ UserPoolId: stack.cognito.userPoolId, Username: email }),
    );
    return true;
  } catch (error) {
    if (error instanceof UserNotFoundException || (error as Error).name === 'UserNotFoundException')
      return false;
    throw error;
  }
}

/**
 * Waits until the mailer has finished with an invite's current send: the mailer deletes the
 * outbox item (the only copy of the raw token) in the same transaction that marks the invite
 * sent, so once it is gone the mail is in the SES store and the invite item is settled.
 */
export async function waitForOutboxDrained(inviteId: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (await itemAt(`OUTBOX#${inviteId}`, 'OUTBOX')) {
    if (Date.now() > deadline) throw new Error(`the outbox of invite ${inviteId} never drained`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
