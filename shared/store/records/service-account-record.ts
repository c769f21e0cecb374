/** The service account item: a non-human principal of one tenant, and its public view. */
import type { PrincipalGrants, RoleBinding, Rule } from '#shared/acl/types.js';
import type { DomainError } from '#shared/errors/domain-errors.js';
import { incarnationOf } from '#shared/platform/incarnation.js';
import { keys } from '#shared/store/keys.js';
import { prefixPage } from '#shared/store/pagination.js';
import { formatOf, knownFormat } from '#shared/store/records/item-format.js';
import {
  versionBump,
  versionedDelete,
  versionedPut,
} from '#shared/store/records/versioned-item.js';
import type { Table, TxItem } from '#shared/store/table.js';

export type ServiceAccountStatus = 'active' | 'disabled';

export interface ServiceAccountRecord {
  tenantId: string;
  serviceAccountId: string;
  name: string;
  description?: string;
  status: ServiceAccountStatus;
  groups: string[];
  roles: RoleBinding[];
  rules: Rule[];
  createdAt: string;
  /** Bumped by every change, including minting a token (so a delete never misses a new token). */
  version: number;
  /** Random id of this account's life (rule 11): its tokens record it. '' for older items. */
  incarnation: string;
}

/** What a service account is granted: its groups, roles and rules, and never `everyone`. */
export function serviceAccountGrants(
  sa: Pick<ServiceAccountRecord, 'groups' | 'roles' | 'rules'>,
): PrincipalGrants {
  return { groups: sa.groups, roles: sa.roles, rules: sa.rules, everyone: false };
}

/** The principal id a service account acts as (authorizer context, audit actor/target). */
export function serviceAccountPrincipal(serviceAccountId: string): string {
  return `service-account:${serviceAccountId}`;
}

export function serviceAccountItem(sa: ServiceAccountRecord): Record<string, unknown> {
  return {
    ...keys.serviceAccount(sa.tenantId, sa.serviceAccountId),
    type: 'service-account',
    ...sa,
    ...formatOf('service-account'),
  };
}

/** The item as a record; throws `UnknownItemFormatError` for a format this version does not know. */
export function serviceAccountFromItem(item: Record<string, unknown>): ServiceAccountRecord {
  knownFormat('service-account', item);
  return {
    tenantId: String(item.tenantId),
    serviceAccountId: String(item.serviceAccountId),
    name: String(item.name),
    ...(typeof item.description === 'string' ? { description: item.description } : {}),
    status: item.status === 'disabled' ? 'disabled' : 'active',
    groups: (item.groups as string[] | undefined) ?? [],
    roles: (item.roles as RoleBinding[] | undefined) ?? [],
    rules: (item.rules as Rule[] | undefined) ?? [],
    createdAt: String(item.createdAt),
    version: Number(item.version ?? 0),
    incarnation: incarnationOf(item),
  };
}

/** The public view: everything but the storage version. */
export function serviceAccountView(sa: ServiceAccountRecord) {
  return {
    serviceAccountId: sa.serviceAccountId,
    name: sa.name,
    ...(sa.description !== undefined ? { description: sa.description } : {}),
    status: sa.status,
    groups: sa.groups,
    roles: sa.roles,
    rules: sa.rules,
    createdAt: sa.createdAt,
  };
}

/** A service account as stored, strongly consistent, or undefined. */
export async function readServiceAccount(
  table: Table,
  tenantId: string,
  serviceAccountId: string,
): Promise<ServiceAccountRecord | undefined> {
  const item = await table.get(keys.serviceAccount(tenantId, serviceAccountId));
  return item ? serviceAccountFromItem(item) : undefined;
}

/** One page of a tenant's service accounts by id, resuming after `cursor`. */
export async function serviceAccountPage(
  table: Table,
  tenantId: string,
  query: { limit: number; cursor?: string },
) {
  const partition = keys.tenantPartition(tenantId);
  const page = await prefixPage(table, partition, keys.serviceAccountPrefix, query);
  return { ...page, items: page.items.map(serviceAccountFromItem) };
}

/** Writes a service account: created (`taken` when the id exists) or replacing the version read. */
export function serviceAccountPut(
  sa: ServiceAccountRecord,
  before: Pick<ServiceAccountRecord, 'version'> | undefined,
  taken?: () => DomainError,
): TxItem {
  return versionedPut(serviceAccountItem(sa), before, taken);
}

/** Deletes a service account, conditioned on the version read. */
export function serviceAccountDelete(
  sa: Pick<ServiceAccountRecord, 'tenantId' | 'serviceAccountId' | 'version'>,
): TxItem {
  return versionedDelete(keys.serviceAccount(sa.tenantId, sa.serviceAccountId), sa.version);
}

/** Bumps a service account's version (as read), so a concurrent delete re-plans and sees why. */
export function serviceAccountVersionBump(
  sa: Pick<ServiceAccountRecord, 'tenantId' | 'serviceAccountId' | 'version'>,
): TxItem {
  return versionBump(keys.serviceAccount(sa.tenantId, sa.serviceAccountId), sa.version);
}
