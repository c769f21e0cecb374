/**
 * The storage port: the one place that speaks DynamoDB. Domain services call these named
 * operations with our own types (keys, items, expressions, transaction items that carry the
 * error their condition raises) and never import an AWS SDK package. It sends through a
 * {@link DocumentTransport} (the SDK's client, or the authorizer's signed HTTP requests), so it
 * loads no SDK itself; DynamoDB's errors are told apart by name.
 */
import type { DocumentTransport } from '#shared/store/document-transport.js';
import { TABLE_INDEXES } from '#shared/store/table-definition.js';

import {
  conditionError,
  keyId,
  merged,
  pageKeyOf,
  projection,
  transactItemOf,
  withKeys,
} from '#shared/store/table-requests.js';
import type {
  Condition,
  Expression,
  GetOptions,
  Item,
  Key,
  QueryOptions,
  QueryPage,
  TxItem,
} from '#shared/store/table-types.js';

export { transactItemOf, withError } from '#shared/store/table-requests.js';
export type * from '#shared/store/table-types.js';

/** DynamoDB's limit on keys per BatchGetItem. */
const BATCH_GET_KEYS = 100;
/** How many times unprocessed keys are asked again before the read fails (never read as absent). */
const BATCH_GET_ROUNDS = 8;

/** A DynamoDB error of exception `name` (both transports name their errors so). */
function isException(error: unknown, name: string): boolean {
  return (error as { name?: unknown } | null)?.name === name;
}

export function createTable(db: DocumentTransport, tableName: string) {
  const TableName = tableName;

  async function single<T>(send: () => Promise<T>, when: Condition | undefined): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (when && isException(error, 'ConditionalCheckFailedException'))
        throw conditionError(when, error);
      throw error;
    }
  }

  const table = {
    name: tableName,

    async get(key: Key, options: GetOptions = {}): Promise<Item | undefined> {
      const names: Record<string, string> = {};
      const ProjectionExpression = projection(options.attributes, names);
      const res = await db.call('GetItem', {
        TableName,
        Key: { pk: key.pk, sk: key.sk },
        ConsistentRead: options.consistent ?? true,
        ProjectionExpression,
        ExpressionAttributeNames: ProjectionExpression ? names : undefined,
      });
      return res.Item;
    },

    /**
     * Reads many items (any number of keys, in requests of 100 sent together), strongly
     * consistent by default. Keys DynamoDB leaves unprocessed are asked again; if they stay
     * unprocessed the read fails (an item is never reported absent because it was not read).
     * Returns the items by key. One key is one GetItem (the same read, a lighter request).
     */
    async batchGet(keyList: readonly Key[], options: GetOptions = {}): Promise<Map<string, Item>> {
      const found = new Map<string, Item>();
      const unique = [...new Map(keyList.map((k) => [keyId(k), { pk: k.pk, sk: k.sk }])).values()];
      const [only] = unique;
      if (unique.length === 1 && only) {
        const item = await table.get(only, {
          ...options,
          attributes: withKeys(options.attributes),
        });
        if (item) found.set(keyId(item), item);
        return found;
      }
      const names: Record<string, string> = {};
      const ProjectionExpression = projection(withKeys(options.attributes), names);
      const readChunk = async (chunk: Record<string, unknown>[]) => {
        let pending = chunk;
        for (let round = 0; pending.length > 0; round++) {
          if (round === BATCH_GET_ROUNDS) throw new Error('DynamoDB left keys unprocessed');
          if (round > 0) await new Promise((r) => setTimeout(r, Math.random() * 20 * 2 ** round));
          const res = await db.call('BatchGetItem', {
            RequestItems: {
              [TableName]: {
                Keys: pending,
                ConsistentRead: options.consistent ?? true,
                ProjectionExpression,
                ExpressionAttributeNames: ProjectionExpression ? names : undefined,
              },
            },
          });
          for (const item of res.Responses?.[TableName] ?? []) found.set(keyId(item), item);
          pending = res.UnprocessedKeys?.[TableName]?.Keys ?? [];
        }
      };
      const chunks: Record<string, unknown>[][] = [];
      for (let i = 0; i < unique.length; i += BATCH_GET_KEYS) {
        chunks.push(unique.slice(i, i + BATCH_GET_KEYS));
      }
      await Promise.all(chunks.map(readChunk));
      return found;
    },

    /**
     * Read units a strongly consistent BatchGetItem of `keyList` consumes (ReturnConsumedCapacity),
     * for measuring only (the bench): DynamoDB bills each item by its whole size, whatever the
     * projection, rounded up to 4 KB.
     */
    async batchGetReadUnits(keyList: readonly Key[], options: GetOptions = {}): Promise<number> {
      const names: Record<string, string> = {};
      const ProjectionExpression = projection(withKeys(options.attributes), names);
      const res = await db.call('BatchGetItem', {
        RequestItems: {
          [TableName]: {
            Keys: keyList.map((k) => ({ pk: k.pk, sk: k.sk })),
            ConsistentRead: options.consistent ?? true,
            ProjectionExpression,
            ExpressionAttributeNames: ProjectionExpression ? names : undefined,
          },
        },
        ReturnConsumedCapacity: 'TOTAL',
      });
      if (Object.keys(res.UnprocessedKeys ?? {}).length > 0)
        throw new Error('keys left unprocessed');
      return (res.ConsumedCapacity ?? []).reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
    },

    /**
     * One page of a Scan of the whole table, filtered (operator scripts only: a backfill walks
     * every item once; no request path scans).
     */
    async scan(q: {
      filter: { if: string } & Expression;
      attributes?: readonly string[];
      startKey?: Record<string, unknown>;
    }): Promise<QueryPage> {
      const names: Record<string, string> = { ...q.filter.names };
      const ProjectionExpression = projection(q.attributes, names);
      const res = await db.call('Scan', {
        TableName,
        FilterExpression: q.filter.if,
        ProjectionExpression,
        ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
        ExpressionAttributeValues: q.filter.values,
        ExclusiveStartKey: q.startKey,
      });
      return { items: res.Items ?? [], lastKey: res.LastEvaluatedKey };
    },

    /** The item of `key` in a {@link batchGet} result. */
    pick(items: Map<string, Item>, key: Key): Item | undefined {
      return items.get(keyId(key));
    },

    /** One page of a Query (DynamoDB's page: `limit` items or 1 MB). */
    async query(q: QueryOptions & { select?: 'COUNT' }): Promise<QueryPage> {
      const index = TABLE_INDEXES.find((i) => i.indexName === q.index);
      const pkName = index?.partitionKey ?? 'pk';
      const skName = index?.sortKey ?? 'sk';
      const names: Record<string, string> = { '#qpk': pkName };
      const values: Record<string, unknown> = { ':qpk': q.partition };
      let keyCondition = '#qpk = :qpk';
      if (q.prefix !== undefined || q.between || q.from !== undefined || q.to !== undefined) {
        names['#qsk'] = skName;
      }
      if (q.prefix !== undefined) {
        keyCondition += ' AND begins_with(#qsk, :qprefix)';
        values[':qprefix'] = q.prefix;
      } else if (q.between) {
        keyCondition += ' AND #qsk BETWEEN :qlo AND :qhi';
        values[':qlo'] = q.between[0];
        values[':qhi'] = q.between[1];
      } else if (q.from !== undefined) {
        keyCondition += ' AND #qsk >= :qfrom';
        values[':qfrom'] = q.from;
      } else if (q.to !== undefined) {
        keyCondition += ' AND #qsk <= :qto';
        values[':qto'] = q.to;
      }
      const ProjectionExpression = projection(q.attributes, names);
      Object.assign(names, q.filter?.names);
      Object.assign(values, q.filter?.values);
      const res = await db.call('Query', {
        TableName,
        IndexName: index?.indexName,
        KeyConditionExpression: keyCondition,
        FilterExpression: q.filter?.if,
        ProjectionExpression,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        Limit: q.limit,
        ExclusiveStartKey: q.startKey,
        ScanIndexForward: !q.newestFirst,
        ConsistentRead: index ? undefined : (q.consistent ?? true),
        Select: q.select,
      });
      return { items: res.Items ?? [], lastKey: res.LastEvaluatedKey, count: res.Count };
    },

    /** Every item a Query matches, following DynamoDB's pages to the end. */
    async queryAll(q: Omit<QueryOptions, 'startKey'>): Promise<Item[]> {
      const all: Item[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await table.query({ ...q, startKey });
        all.push(...page.items);
        startKey = page.lastKey;
      } while (startKey);
      return all;
    },

    /** How many items a Query matches (following every page), without reading them out. */
    async count(q: Omit<QueryOptions, 'startKey' | 'attributes'>): Promise<number> {
      let total = 0;
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await table.query({ ...q, startKey, select: 'COUNT' });
        total += page.count ?? 0;
        startKey = page.lastKey;
      } while (startKey);
      return total;
    },

    /**
     * One page of a filtered Query, filled: DynamoDB applies the filter after `limit`, so one
     * call can return an empty page that still has a cursor. This keeps querying until the page
     * holds `limit` items or the range ends (at most `maxCalls` calls); `lastKey` is where the
     * next page starts (the key of the last item returned when the page stopped inside a call).
     */
    async queryFilled(
      q: QueryOptions & { limit: number },
      /** Where the next page starts after `item` (by default its table and index key). */
      keyOf: (item: Item) => Record<string, unknown> = (item) => pageKeyOf(item, q.index),
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
            return { items, lastKey: more ? keyOf(item) : undefined };
          }
        }
        startKey = page.lastKey;
        if (!startKey) break;
      }
      return { items, lastKey: startKey };
    },

    async put(item: Item, when?: Condition): Promise<void> {
      await single(
        () =>
          db.call('PutItem', {
            TableName,
            Item: item,
            ConditionExpression: when?.if,
            ...merged(when),
          }),
        when,
      );
    },

    /** Updates one item; returns its new attributes when `returnNew` is set. */
    async update(
      key: Key,
      set: string,
      expression: Expression & { when?: Condition; returnNew?: boolean } = {},
    ): Promise<Item | undefined> {
      const { when, returnNew } = expression;
      const res = await single(
        () =>
          db.call('UpdateItem', {
            TableName,
            Key: { pk: key.pk, sk: key.sk },
            UpdateExpression: set,
            ConditionExpression: when?.if,
            ...merged(expression, when),
            ReturnValues: returnNew ? 'ALL_NEW' : undefined,
          }),
        when,
      );
      return res.Attributes;
    },

    async delete(key: Key, when?: Condition): Promise<void> {
      await single(
        () =>
          db.call('DeleteItem', {
            TableName,
            Key: { pk: key.pk, sk: key.sk },
            ConditionExpression: when?.if,
            ...merged(when),
          }),
        when,
      );
    },

    /**
     * Writes `items` atomically. When a condition fails, the first failed item's own error is
     * thrown (a lost race, retryable, when it names none); a transaction conflict with another
     * writer is a lost race too. Other errors propagate unchanged.
     */
    async transact(items: readonly TxItem[]): Promise<void> {
      const { failed, cause } = await table.transactOrFailed(items);
      const [first] = failed;
      if (first !== undefined) throw conditionError(items[first]?.when, cause);
    },

    /**
     * Writes `items` atomically, like {@link transact}, but failed conditions are answered, not
     * thrown: `failed` holds the indexes of the items whose condition failed, in request order
     * (DynamoDB's CancellationReasons), and is empty when everything was written (`cause` is the
     * cancellation). A transaction conflict with
     * another writer is thrown as a lost race (retryable); other errors propagate unchanged.
     */
    async transactOrFailed(
      items: readonly TxItem[],
    ): Promise<{ failed: number[]; cause?: unknown }> {
      if (items.length === 0) return { failed: [] };
      try {
        await db.call('TransactWriteItems', {
          TransactItems: items.map((i) => transactItemOf(TableName, i)),
        });
        return { failed: [] };
      } catch (error) {
        if (isException(error, 'TransactionCanceledException')) {
          const reasons = (error as { CancellationReasons?: { Code?: string }[] })
            .CancellationReasons;
          const codes = (reasons ?? []).map((r) => r.Code ?? 'None');
          const failed = codes.flatMap((code, i) => (code === 'ConditionalCheckFailed' ? [i] : []));
          if (failed.length > 0) return { failed, cause: error };
          if (codes.includes('TransactionConflict')) throw conditionError(undefined, error);
        }
        throw error;
      }
    },
  };
  return table;
}

export type Table = ReturnType<typeof createTable>;
