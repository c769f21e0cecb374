/**
 * Group and role items: a tenant's catalog entries (metadata beside the policy item, which holds
 * their grants). Both carry `holderVersion`, bumped by every principal that starts holding the
 * entry, so a delete conditioned on the value it read cannot miss a concurrent holder.
 */
import type { DomainError } from '#shared/errors/domain-errors.js';
import { keys } from '#shared/store/keys.js';
import type { Item, Key, Table, TxItem } from '#shared/store/table.js';

export type CatalogKind = 'group' | 'role';

export interface GroupRecord {
  groupId: string;
  name: string;
  description?: string;
  builtIn: boolean;
  createdAt: string;
  version: number;
}

export interface RoleRecord {
  roleId: string;
  name: string;
  builtIn: boolean;
  createdAt: string;
  version: number;
}

/** What a delete read of a group or role item, before querying its holders. */
export interface HeldItemRead {
  version: number;
  /** Absent on items nobody has started holding since it was introduced. */
  holderVersion: number | undefined;
}

export function heldItemRead(item: Item): HeldItemRead {
  return {
    version: Number(item.version ?? 0),
    holderVersion: typeof item.holderVersion === 'number' ? item.holderVersion : undefined,
  };
}

export function groupFromItem(item: Item): GroupRecord {
  return {
    groupId: String(item.groupId),
    name: String(item.name),
    ...(typeof item.description === 'string' ? { description: item.description } : {}),
    builtIn: item.builtIn === true,
    createdAt: String(item.createdAt),
    version: Number(item.version ?? 0),
  };
}

export function roleFromItem(item: Item): RoleRecord {
  return {
    roleId: String(item.roleId),
    name: String(item.name),
    builtIn: item.builtIn === true,
    createdAt: String(item.createdAt),
    version: Number(item.version ?? 0),
  };
}

const catalog = {
  group: { key: keys.group, prefix: keys.groupPrefix },
  role: { key: keys.role, prefix: keys.rolePrefix },
} as const;

export function catalogKey(kind: CatalogKind, tenantId: string, id: string): Key {
  return catalog[kind].key(tenantId, id);
}

/** A group or role item, strongly consistent; undefined when absent. */
export function getCatalogItem(
  table: Table,
  kind: CatalogKind,
  tenantId: string,
  id: string,
): Promise<Item | undefined> {
  return table.get(catalogKey(kind, tenantId, id));
}

/** One page of a tenant's groups or roles, by id. */
export function queryCatalog(
  table: Table,
  kind: CatalogKind,
  tenantId: string,
  page: { limit: number; startKey?: Record<string, unknown> },
) {
  return table.query({
    partition: keys.tenantPartition(tenantId),
    prefix: catalog[kind].prefix,
    limit: page.limit,
    startKey: page.startKey,
    consistent: false,
  });
}

/** What a listing cursor of groups or roles must look like (see `decodeCursor`). */
export function catalogCursorShape(kind: CatalogKind, tenantId: string) {
  return {
    expected: { pk: keys.tenantPartition(tenantId) },
    startsWith: { sk: catalog[kind].prefix },
  };
}

/** The full item of a catalog entry (a built-in one, or a custom one with no holder yet). */
export function catalogItem(
  kind: CatalogKind,
  tenantId: string,
  record: GroupRecord | RoleRecord,
): Item {
  const id = 'groupId' in record ? record.groupId : record.roleId;
  return { ...catalogKey(kind, tenantId, id), type: kind, tenantId, ...record };
}

/** Creates a custom group or role; `taken` is the error when the id is in use. */
export function catalogCreate(
  kind: CatalogKind,
  tenantId: string,
  record: GroupRecord | RoleRecord,
  taken?: () => DomainError,
): TxItem {
  return {
    put: { ...catalogItem(kind, tenantId, record), holderVersion: 0 },
    when: { if: 'attribute_not_exists(pk)', ...(taken ? { else: taken } : {}) },
  };
}

/**
 * Sets a group's or role's name (and a group's description), conditioned on `when`: an update,
 * not a put, so the item's `holderVersion` survives.
 */
export function catalogRename(
  kind: CatalogKind,
  tenantId: string,
  id: string,
  change: { name: string; description?: string; version: number | 'increment' },
  when: TxItem['when'],
): TxItem {
  const sets = ['#name = :name'];
  const values: Record<string, unknown> = { ':name': change.name };
  if (change.description !== undefined) {
    sets.push('description = :description');
    values[':description'] = change.description;
  }
  if (change.version === 'increment') {
    sets.push('version = version + :one');
    values[':one'] = 1;
  } else {
    sets.push('version = :next');
    values[':next'] = change.version;
  }
  return {
    update: catalogKey(kind, tenantId, id),
    set: `SET ${sets.join(', ')}`,
    names: { '#name': 'name' },
    values,
    when,
  };
}

/** Announces a new holder: bumps `holderVersion`; fails (a lost race) when the item is gone. */
export function holderVersionBump(kind: CatalogKind, tenantId: string, id: string): TxItem {
  return {
    update: catalogKey(kind, tenantId, id),
    set: 'SET holderVersion = if_not_exists(holderVersion, :zero) + :one',
    values: { ':zero': 0, ':one': 1 },
    when: { if: 'attribute_exists(pk)' },
  };
}

/** Deletes a group or role item, conditioned on it being as read: nobody started holding it since. */
export function catalogDelete(
  kind: CatalogKind,
  tenantId: string,
  id: string,
  read: HeldItemRead,
): TxItem {
  return {
    delete: catalogKey(kind, tenantId, id),
    when:
      read.holderVersion === undefined
        ? {
            if: 'version = :v AND attribute_not_exists(holderVersion)',
            values: { ':v': read.version },
          }
        : {
            if: 'version = :v AND holderVersion = :h',
            values: { ':v': read.version, ':h': read.holderVersion },
          },
  };
}
