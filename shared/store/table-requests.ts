/** How the storage port turns its own types into DynamoDB requests and failed conditions into errors. */
import { type DomainError, raceLostError } from '#shared/errors/domain-errors.js';
import { TABLE_INDEXES, TABLE_KEYS } from '#shared/store/table-definition.js';
import type {
  Condition,
  Expression,
  Item,
  QueryOptions,
  TxItem,
} from '#shared/store/table-types.js';

export const keyId = (key: Record<string, unknown>) => `${key.pk}\u0000${key.sk}`;

export function projection(
  attributes: readonly string[] | undefined,
  names: Record<string, string>,
) {
  if (!attributes?.length) return undefined;
  return attributes
    .map((a, i) => {
      names[`#p${i}`] = a;
      return `#p${i}`;
    })
    .join(', ');
}

/** The key attributes always come back from a batch read: its results are matched to keys by them. */
export function withKeys(attributes: readonly string[] | undefined) {
  return attributes?.length ? [...new Set(['pk', 'sk', ...attributes])] : attributes;
}

export function merged(...parts: (Expression | undefined)[]) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  for (const p of parts) {
    Object.assign(names, p?.names);
    Object.assign(values, p?.values);
  }
  return {
    ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
    ExpressionAttributeValues: Object.keys(values).length ? values : undefined,
  };
}

/** The error a failed condition raises: its own, or a lost race that re-planning may win. */
export function conditionError(when: Condition | undefined, cause: unknown): DomainError {
  const error = when?.else?.() ?? raceLostError();
  (error as { cause?: unknown }).cause = cause;
  return error;
}

/**
 * The DynamoDB shape of a transaction item (TableName added). Used by the port, and by callers
 * that still build raw transactions while services move to {@link Table.transact}.
 */
export function transactItemOf(TableName: string, item: TxItem) {
  const cond = item.when;
  const condition = cond ? { ConditionExpression: cond.if } : {};
  if ('put' in item) {
    return { Put: { TableName, Item: item.put, ...condition, ...merged(cond) } };
  }
  if ('update' in item) {
    return {
      Update: {
        TableName,
        Key: { pk: item.update.pk, sk: item.update.sk },
        UpdateExpression: item.set,
        ...condition,
        ...merged(item, cond),
      },
    };
  }
  if ('delete' in item) {
    return {
      Delete: {
        TableName,
        Key: { pk: item.delete.pk, sk: item.delete.sk },
        ...condition,
        ...merged(cond),
      },
    };
  }
  return {
    ConditionCheck: {
      TableName,
      Key: { pk: item.check.pk, sk: item.check.sk },
      ConditionExpression: item.when.if,
      ...merged(item.when),
    },
  };
}

/**
 * `items` with `error` as the error of every condition that names none of its own: for a use
 * case where any of its preconditions failing means one thing (the invite changed meanwhile).
 */
export function withError(items: readonly TxItem[], error: () => DomainError): TxItem[] {
  return items.map((item) =>
    item.when && !item.when.else
      ? ({ ...item, when: { ...item.when, else: error } } as TxItem)
      : item,
  );
}

/** The key attributes of an item: the table key, plus the index key when querying an index. */
export function pageKeyOf(item: Item, index: QueryOptions['index']): Record<string, unknown> {
  const def = TABLE_INDEXES.find((i) => i.indexName === index);
  const names: string[] = [TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey];
  if (def) names.push(def.partitionKey, def.sortKey);
  return Object.fromEntries(names.map((n) => [n, item[n]]));
}
