/**
 * One page of a filtered Query, filled: DynamoDB applies a filter after `limit`, so a single
 * call can return an empty page that still has a cursor. This keeps querying until the page
 * holds `limit` items or the range ends (at most `maxCalls` calls, then `lastKey` says where to
 * go on). Built on the storage port.
 */
import type { Item, QueryOptions, QueryPage, Table } from '#shared/store/table.js';
import { TABLE_INDEXES, TABLE_KEYS } from '#shared/store/table-definition.js';

/** The key attributes of an item: the table key, plus the index key when querying an index. */
function keyOf(item: Item, index: QueryOptions['index']): Record<string, unknown> {
  const def = TABLE_INDEXES.find((i) => i.indexName === index);
  const names: string[] = [TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey];
  if (def) names.push(def.partitionKey, def.sortKey);
  return Object.fromEntries(names.map((n) => [n, item[n]]));
}

export async function queryFilled(
  table: Table,
  q: QueryOptions & { limit: number },
  maxCalls = 10,
): Promise<QueryPage> {
  const items: Item[] = [];
  let startKey = q.startKey;
  for (let call = 0; call < maxCalls; call++) {
    const page = await table.query({ ...q, startKey });
    for (const [i, item] of page.items.entries()) {
      items.push(item);
      if (items.length === q.limit) {
        const more = i < page.items.length - 1 || page.lastKey !== undefined;
        return { items, ...(more ? { lastKey: keyOf(item, q.index) } : {}) };
      }
    }
    startKey = page.lastKey;
    if (!startKey) break;
  }
  return { items, ...(startKey ? { lastKey: startKey } : {}) };
}
