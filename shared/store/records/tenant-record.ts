/** The tenant item (settings, superuser counter, version) and the items a new tenant starts with. */

import type { DomainError } from '#shared/errors/domain-errors.js';
import { keys } from '#shared/store/keys.js';
import type { Item, Table, TxItem } from '#shared/store/table.js';

export interface TenantRecord {
  tenantId: string;
  name: string;
  /** As stored: the policy layer fills in defaults for settings never set. */
  settings: Record<string, unknown>;
  createdAt: string;
  createdBy: string;
  superuserCount: number;
  version: number;
}

export function tenantFromItem(item: Item): TenantRecord {
  return {
    tenantId: String(item.tenantId),
    name: String(item.name),
    settings: (item.settings as Record<string, unknown> | undefined) ?? {},
    createdAt: String(item.createdAt),
    createdBy: String(item.createdBy),
    superuserCount: Number(item.superuserCount ?? 0),
    version: Number(item.version ?? 0),
  };
}

/** The tenant item, strongly consistent; undefined when there is no such tenant. */
export async function getTenantItem(table: Table, tenantId: string): Promise<Item | undefined> {
  return table.get(keys.tenant(tenantId));
}

/** Creates the tenant item; `taken` is the error when the id is in use. */
export function tenantCreate(t: TenantRecord, taken: () => DomainError): TxItem {
  return {
    put: { ...keys.tenant(t.tenantId), type: 'tenant', ...t },
    when: { if: 'attribute_not_exists(pk)', else: taken },
  };
}

/** Renames the tenant and sets its settings, conditioned on the version read. */
export function tenantUpdate(
  before: Pick<TenantRecord, 'tenantId' | 'version'>,
  after: Pick<TenantRecord, 'name' | 'settings' | 'version'>,
  changed: () => DomainError,
): TxItem {
  return {
    update: keys.tenant(before.tenantId),
    set: 'SET #name = :name, settings = :settings, version = :next',
    names: { '#name': 'name' },
    values: { ':name': after.name, ':settings': after.settings, ':next': after.version },
    when: { if: 'version = :prev', values: { ':prev': before.version }, else: changed },
  };
}

/** Adds `delta` to the superuser counter, never below one (a lost race otherwise). */
export function superuserCountAdd(tenantId: string, delta: number): TxItem {
  return {
    update: keys.tenant(tenantId),
    set: 'ADD superuserCount :d',
    values: { ':d': delta },
    when: { if: 'superuserCount >= :min', values: { ':min': 1 - delta } },
  };
}

/** Sets the superuser counter, conditioned on the exact count read. */
export function superuserCountSet(tenantId: string, read: number, next: number): TxItem {
  return {
    update: keys.tenant(tenantId),
    set: 'SET superuserCount = :next',
    values: { ':next': next },
    when: { if: 'superuserCount = :read', values: { ':read': read } },
  };
}

/** The email lock of a tenant's first member (see `keys.memberEmail`). */
export function memberEmailPut(tenantId: string, email: string, userId: string): TxItem {
  return {
    put: { ...keys.memberEmail(tenantId, email), type: 'member-email', tenantId, email, userId },
  };
}

/** The membership rows of a user (byUser index), one per tenant. */
export async function membershipsOf(table: Table, userId: string): Promise<Item[]> {
  const { items } = await table.query({
    index: 'byUser',
    partition: keys.byUserPartition(userId),
  });
  return items.filter((i) => i.type === 'member');
}

/** The tenant items of these ids, one request each, eventually consistent (names for a listing). */
export function tenantNames(table: Table, tenantIds: readonly string[]) {
  return Promise.all(tenantIds.map((id) => table.get(keys.tenant(id), { consistent: false })));
}
