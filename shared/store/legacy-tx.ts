/**
 * A bridge between the storage port's transaction items and the SDK-shaped items
 * (store/transact.ts) that modules not yet on the port still build. Temporary: it goes away
 * with store/transact.ts once every service writes port items.
 */
import type { DomainError } from '#shared/errors/domain-errors.js';
import type { Condition, Key, TxItem } from '#shared/store/table.js';
import type { TransactItem } from '#shared/store/transact.js';

/** A port item (passed through) or an SDK-shaped one (converted), either way a port item. */
export type AnyTxItem = TxItem | TransactItem;

function isPortItem(item: AnyTxItem): item is TxItem {
  return 'put' in item || 'update' in item || 'delete' in item || 'check' in item;
}

/**
 * The port item of `item`. When it has a condition that names no error of its own, `orElse`
 * becomes that error (what the caller decoded from the cancellation codes by position).
 */
export function fromLegacy(item: AnyTxItem, orElse?: () => DomainError): TxItem {
  const withElse = (when: Condition | undefined): Condition | undefined =>
    when && orElse && !when.else ? { ...when, else: orElse } : when;
  if (isPortItem(item)) {
    if (!item.when) return item;
    return { ...item, when: withElse(item.when) } as TxItem;
  }
  const sdk = (item.Put ?? item.Update ?? item.Delete ?? item.ConditionCheck) as {
    Key?: Key;
    Item?: Record<string, unknown>;
    UpdateExpression?: string;
    ConditionExpression?: string;
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues?: Record<string, unknown>;
  };
  const expression = {
    ...(sdk.ExpressionAttributeNames ? { names: sdk.ExpressionAttributeNames } : {}),
    ...(sdk.ExpressionAttributeValues ? { values: sdk.ExpressionAttributeValues } : {}),
  };
  const when = withElse(
    sdk.ConditionExpression ? { if: sdk.ConditionExpression, ...expression } : undefined,
  );
  const cond = when ? { when } : {};
  if (item.Put) return { put: sdk.Item ?? {}, ...cond };
  if (item.Update) {
    return { update: sdk.Key as Key, set: sdk.UpdateExpression ?? '', ...expression, ...cond };
  }
  if (item.Delete) return { delete: sdk.Key as Key, ...cond };
  if (!when) throw new Error('A condition check without a condition');
  return { check: sdk.Key as Key, when };
}

/** Port items as a list of {@link fromLegacy}. */
export function allFromLegacy(items: readonly AnyTxItem[], orElse?: () => DomainError): TxItem[] {
  return items.map((item) => fromLegacy(item, orElse));
}

/** The SDK-shaped item of a port item, for callers not yet on the port. */
export function toLegacy(tableName: string, item: TxItem): TransactItem {
  const when = item.when;
  const names = { ...('names' in item ? item.names : {}), ...when?.names };
  const values = { ...('values' in item ? item.values : {}), ...when?.values };
  const expression = {
    ...(when ? { ConditionExpression: when.if } : {}),
    ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
    ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
  };
  const TableName = tableName;
  if ('put' in item) return { Put: { TableName, Item: item.put, ...expression } };
  if ('update' in item) {
    const Key = { pk: item.update.pk, sk: item.update.sk };
    return { Update: { TableName, Key, UpdateExpression: item.set, ...expression } };
  }
  if ('delete' in item) {
    return {
      Delete: { TableName, Key: { pk: item.delete.pk, sk: item.delete.sk }, ...expression },
    };
  }
  const Key = { pk: item.check.pk, sk: item.check.sk };
  return { ConditionCheck: { TableName, Key, ConditionExpression: item.when.if, ...expression } };
}
