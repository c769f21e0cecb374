/**
 * Merge shim: the audit and policy helpers still return transaction items in the SDK's shape
 * until their own conversion to the storage port lands; this turns one into a port item (its
 * failed condition a lost race, as before). Drop every `legacy(...)` call once they return port
 * items.
 */
import type { TxItem } from '#shared/store/table.js';

type Values = Record<string, unknown>;
interface SdkWrite {
  Key?: Values;
  Item?: Values;
  UpdateExpression?: string;
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Values;
}
interface SdkItem {
  Put?: SdkWrite;
  Update?: SdkWrite;
  Delete?: SdkWrite;
  ConditionCheck?: SdkWrite;
}

function key(w: SdkWrite) {
  return { pk: String(w.Key?.pk), sk: String(w.Key?.sk) };
}

/** The port item of an SDK-shaped transaction item (a port item passes unchanged). */
export function legacy(item: SdkItem | TxItem): TxItem {
  if ('put' in item || 'update' in item || 'delete' in item || 'check' in item) return item;
  const w = item.Put ?? item.Update ?? item.Delete ?? item.ConditionCheck;
  if (!w) throw new Error('empty transaction item');
  const expression = { names: w.ExpressionAttributeNames, values: w.ExpressionAttributeValues };
  const when = w.ConditionExpression ? { if: w.ConditionExpression, ...expression } : undefined;
  if (item.Put) return { put: w.Item ?? {}, when };
  if (item.Update) return { update: key(w), set: String(w.UpdateExpression), ...expression, when };
  if (item.Delete) return { delete: key(w), when };
  return { check: key(w), when: when ?? { if: 'attribute_exists(pk)' } };
}

/** {@link legacy} over a list. */
export function legacyAll(items: readonly (SdkItem | TxItem)[]): TxItem[] {
  return items.map(legacy);
}
