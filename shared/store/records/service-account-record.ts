/** The service account item: a non-human principal of one tenant, and its public view. */
import type { PrincipalGrants, RoleBinding, Rule } from '#shared/acl/types.js';
import { incarnationOf } from '#shared/platform/incarnation.js';
import { keys } from '#shared/store/keys.js';

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
  };
}

export function serviceAccountFromItem(item: Record<string, unknown>): ServiceAccountRecord {
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
