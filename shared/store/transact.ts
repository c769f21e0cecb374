/** Conditional transactions: the DynamoDB adapter's boundary where cancellations become domain errors. */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { DomainError } from '#shared/errors/domain-errors.js';
import type { DocumentClient } from '#shared/store/dynamo-client.js';
import type { TxItem } from '#shared/store/table.js';

type SdkItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * An SDK-shaped item, or (merge shim, while callers here move to the port) a port item from a
 * converted module, written to the table the SDK-shaped items of the same transaction name.
 */
export type TransactItem = SdkItem | TxItem;

function isPortItem(item: TransactItem): item is TxItem {
  return 'put' in item || 'update' in item || 'delete' in item || 'check' in item;
}

function sdkItem(TableName: string, item: TxItem): SdkItem {
  const cond = item.when;
  const expression = (...parts: ({ names?: object; values?: object } | undefined)[]) => {
    const names = Object.assign({}, ...parts.map((p) => p?.names));
    const values = Object.assign({}, ...parts.map((p) => p?.values));
    return {
      ...(cond ? { ConditionExpression: cond.if } : {}),
      ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
      ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
    };
  };
  if ('put' in item) return { Put: { TableName, Item: item.put, ...expression(cond) } };
  if ('update' in item) {
    const Key = { pk: item.update.pk, sk: item.update.sk };
    return { Update: { TableName, Key, UpdateExpression: item.set, ...expression(item, cond) } };
  }
  if ('delete' in item) {
    const Key = { pk: item.delete.pk, sk: item.delete.sk };
    return { Delete: { TableName, Key, ...expression(cond) } };
  }
  const Key = { pk: item.check.pk, sk: item.check.sk };
  return {
    ConditionCheck: { TableName, Key, ...expression(cond), ConditionExpression: item.when.if },
  };
}

function sdkItems(items: TransactItem[]): SdkItem[] {
  const sdk = items.filter((i): i is SdkItem => !isPortItem(i));
  const named = sdk.map((i) => (i.Put ?? i.Update ?? i.Delete ?? i.ConditionCheck)?.TableName);
  const tableName = named.find((n): n is string => typeof n === 'string');
  if (!tableName && sdk.length < items.length) throw new Error('no table to write port items to');
  return items.map((i) => (isPortItem(i) ? sdkItem(String(tableName), i) : i));
}

/** Why each item of a cancelled transaction failed (`None` when it did not). */
export type CancellationCodes = string[];

/**
 * Writes `items` atomically. When a condition fails, `onConflict` turns the per-item
 * cancellation codes into the domain error to throw; other errors propagate unchanged.
 */
export async function transactWrite(
  db: DocumentClient,
  items: TransactItem[],
  onConflict: (codes: CancellationCodes) => DomainError,
): Promise<void> {
  try {
    await db.send(new TransactWriteCommand({ TransactItems: sdkItems(items) }));
  } catch (error) {
    if (error instanceof TransactionCanceledException) {
      const codes = (error.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
      if (codes.some((c) => c === 'ConditionalCheckFailed' || c === 'TransactionConflict')) {
        const domainError = onConflict(codes);
        (domainError as { cause?: unknown }).cause = error;
        throw domainError;
      }
    }
    throw error;
  }
}

/** Index of the first item whose condition failed, or -1. */
export function failedIndex(codes: CancellationCodes): number {
  return codes.indexOf('ConditionalCheckFailed');
}
