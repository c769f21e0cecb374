/**
 * Items of the rule-16 limits: a tenant's mail counters per hour and day window, a person's
 * tenant-creation counter per day and the cap an operator set for them, and the operator's
 * mail limits on the tenant item. Counters are conditional ADDs written in the transaction of
 * the change they count.
 */
import type { DomainError } from '#shared/errors/domain-errors.js';
import { keys } from '#shared/store/keys.js';
import type { Item, Key, Table, TxItem } from '#shared/store/table.js';
import { TTL_ATTRIBUTE } from '#shared/store/table-definition.js';

/**
 * Adding `n` (at least 1, at most `max`) to a counter `attribute` of `key`, conditioned on
 * staying within `max`.
 */
function counterAdd(
  key: { pk: string; sk: string },
  attribute: string,
  max: number,
  ttl: number,
  orElse?: () => DomainError,
  n = 1,
): TxItem {
  return {
    update: key,
    set: `ADD #count :one SET #ttl = :ttl`,
    names: { '#count': attribute, '#ttl': TTL_ATTRIBUTE },
    values: { ':one': n, ':ttl': ttl },
    when: {
      if: 'attribute_not_exists(#count) OR #count <= :room',
      values: { ':room': max - n },
      ...(orElse ? { else: orElse } : {}),
    },
  };
}

/** `n` more mails (default one) in the tenant's `window` (e.g. `H#2024-01-01T10`), within `max`. */
export function mailCounterAdd(
  tenantId: string,
  window: string,
  max: number,
  ttl: number,
  orElse: () => DomainError,
  n = 1,
): TxItem {
  return counterAdd(keys.mailCounter(tenantId, window), 'sent', max, ttl, orElse, n);
}

/** The mails the tenant sent in each of `windows` so far (one batch read, strongly consistent). */
export async function mailCounts(
  table: Table,
  tenantId: string,
  windows: readonly string[],
): Promise<number[]> {
  const counterKeys = windows.map((w) => keys.mailCounter(tenantId, w));
  return mailCountsIn(table, await table.batchGet(counterKeys), counterKeys);
}

/** The mails counted in the counter items of `counterKeys` among `items` (a batch read's result). */
export function mailCountsIn(
  table: Pick<Table, 'pick'>,
  items: Map<string, Item>,
  counterKeys: readonly Key[],
): number[] {
  return counterKeys.map((k) => Number(table.pick(items, k)?.sent ?? 0));
}

/** One more tenant created by `userId` on `day`, within `max`. */
export function tenantCounterAdd(
  userId: string,
  day: string,
  max: number,
  ttl: number,
  orElse?: () => DomainError,
): TxItem {
  return counterAdd(keys.tenantCounter(userId, day), 'created', max, ttl, orElse);
}

/** The operator's cap on the tenants `userId` may create per day, if one was set. */
export async function findTenantCap(table: Table, userId: string): Promise<number | undefined> {
  const item = await table.get(keys.tenantCap(userId));
  const max = Number(item?.max);
  return Number.isInteger(max) && max >= 0 ? max : undefined;
}

export function putTenantCap(table: Table, userId: string, max: number): Promise<void> {
  return table.put({ ...keys.tenantCap(userId), type: 'tenant-cap', userId, max });
}

/** What the limits need of the tenant item: its age and the operator's limits. */
export async function findTenantLimitFields(
  table: Table,
  tenantId: string,
): Promise<{ createdAt: string; operatorLimits: Record<string, number> } | undefined> {
  const tenant = await table.get(keys.tenant(tenantId), {
    attributes: ['createdAt', 'operatorLimits'],
  });
  if (!tenant) return undefined;
  return {
    createdAt: String(tenant.createdAt),
    operatorLimits: (tenant.operatorLimits as Record<string, number> | undefined) ?? {},
  };
}

/** Setting the operator's limits on the tenant item, which must exist. */
export function operatorLimitsUpdate(
  tenantId: string,
  limits: Record<string, number>,
  orElse: () => DomainError,
): TxItem {
  return {
    update: keys.tenant(tenantId),
    set: 'SET operatorLimits = :l',
    values: { ':l': limits },
    when: { if: 'attribute_exists(pk)', else: orElse },
  };
}
