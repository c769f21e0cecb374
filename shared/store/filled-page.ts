/**
 * One page of a filtered Query, filled: DynamoDB applies a FilterExpression after `Limit`, so a
 * single call can return an empty page that still has a cursor. This keeps querying until the
 * page holds `limit` items or the range ends (at most `maxCalls` calls, then the cursor says
 * where to go on).
 */
import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { DocumentClient } from '#shared/store/dynamo-client.js';
import { encodeCursor, type Page } from '#shared/store/pagination.js';

export async function queryFilledPage(
  db: DocumentClient,
  input: Omit<QueryCommandInput, 'Limit' | 'ExclusiveStartKey'>,
  page: { limit: number; startKey: Record<string, unknown> | undefined },
  /** The key attributes of an item (the table key, plus the index key when querying an index). */
  keyOf: (item: Record<string, unknown>) => Record<string, unknown>,
  maxCalls = 10,
): Promise<Page<Record<string, unknown>>> {
  const items: Record<string, unknown>[] = [];
  let startKey = page.startKey;
  for (let call = 0; call < maxCalls; call++) {
    const res = await db.send(
      new QueryCommand({ ...input, Limit: page.limit, ExclusiveStartKey: startKey }),
    );
    for (const [i, item] of (res.Items ?? []).entries()) {
      items.push(item);
      if (items.length === page.limit) {
        const more = i < (res.Items?.length ?? 0) - 1 || res.LastEvaluatedKey !== undefined;
        return { items, nextCursor: more ? encodeCursor(keyOf(item)) : null };
      }
    }
    startKey = res.LastEvaluatedKey;
    if (!startKey) break;
  }
  return { items, nextCursor: encodeCursor(startKey) };
}
