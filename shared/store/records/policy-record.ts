/** The tenant policy item: all group grants, role permissions and namespaces under one version. */
import { BUILT_IN_GROUPS, BUILT_IN_ROLES } from '#shared/acl/management-permissions.js';
import type { Action, GroupGrants, Rule, TenantPolicy } from '#shared/acl/types.js';
import { keys } from '#shared/store/keys.js';
import { formatOf, knownFormat } from '#shared/store/records/item-format.js';
import type { Table, TxItem } from '#shared/store/table.js';

/** The policy every new tenant starts with: the built-in roles and groups. */
export function initialPolicy(): TenantPolicy {
  const roles: Record<string, Rule[]> = {};
  for (const [id, role] of Object.entries(BUILT_IN_ROLES)) roles[id] = role.permissions;
  const groups: Record<string, GroupGrants> = {};
  for (const [id, group] of Object.entries(BUILT_IN_GROUPS))
    groups[id] = { rules: group.rules, roles: [] };
  return { version: 1, roles, groups, namespaces: {} };
}

export function policyItem(tenantId: string, policy: TenantPolicy): Record<string, unknown> {
  return {
    ...keys.policy(tenantId),
    type: 'policy',
    ...formatOf('policy'),
    tenantId,
    policyVersion: policy.version,
    roles: policy.roles,
    groups: policy.groups,
    namespaces: policy.namespaces,
  };
}

/** The policy item as a policy; throws `UnknownItemFormatError` for a format this version does not know. */
export function policyFromItem(item: Record<string, unknown>): TenantPolicy {
  knownFormat('policy', item);
  return {
    version: Number(item.policyVersion ?? 0),
    roles: (item.roles as Record<string, Rule[]> | undefined) ?? {},
    groups: (item.groups as Record<string, GroupGrants> | undefined) ?? {},
    namespaces: (item.namespaces as Record<string, Action[]> | undefined) ?? {},
  };
}

/** The policy item, strongly consistent; undefined when the tenant does not exist. */
export async function getPolicy(table: Table, tenantId: string): Promise<TenantPolicy | undefined> {
  const item = await table.get(keys.policy(tenantId));
  return item && policyFromItem(item);
}

/** Writes the policy; with `readVersion`, only over the version the change was computed from. */
export function policyPut(tenantId: string, policy: TenantPolicy, readVersion?: number): TxItem {
  return {
    put: policyItem(tenantId, policy),
    ...(readVersion === undefined
      ? {}
      : { when: { if: 'policyVersion = :read', values: { ':read': readVersion } } }),
  };
}

/**
 * How many policy-version shards a tenant has. Each is read with 1 strongly consistent read unit
 * and one partition serves 3,000 of those a second, so a tenant's decisions may reach
 * 12 x 3,000 = 36,000 a second on them. Every policy change writes them all in its transaction
 * (see MAX_MEMBER_WRITES in shared/policy/policy-plan.ts, which leaves them room).
 */
export const POLICY_VERSION_SHARDS = 12;

/** The shard a decision reads: any one, at random, so a tenant's reads spread evenly. */
export function randomPolicyShard(): number {
  return Math.floor(Math.random() * POLICY_VERSION_SHARDS);
}

/**
 * Writes every shard of the tenant's policy version: part of the transaction that writes the
 * policy at `version` (conditioned there), so a shard never names a version the policy item does
 * not hold. A tenant created before shards existed gets them with its next policy change.
 */
export function policyVersionShardPuts(tenantId: string, version: number): TxItem[] {
  return Array.from({ length: POLICY_VERSION_SHARDS }, (_, shard) => ({
    put: {
      ...keys.policyVersionShard(tenantId, shard),
      type: 'policy-version',
      ...formatOf('policy-version'),
      tenantId,
      policyVersion: version,
    },
  }));
}

/**
 * Backfills the shards of a tenant created before they existed, at the policy version read: the
 * policy must still be at it, and no shard may hold a later one (a policy change that commits
 * meanwhile writes them itself; this then fails and is re-read).
 */
export function policyVersionShardBackfill(tenantId: string, version: number): TxItem[] {
  return [
    policyVersionCheck(tenantId, version),
    ...policyVersionShardPuts(tenantId, version).map((item) => ({
      ...item,
      when: {
        if: 'attribute_not_exists(pk) OR policyVersion <= :v',
        values: { ':v': version },
      },
    })),
  ];
}

/** The policy must still be at `version` (a lost race otherwise). */
export function policyVersionCheck(tenantId: string, version: number): TxItem {
  return {
    check: keys.policy(tenantId),
    when: { if: 'policyVersion = :v', values: { ':v': version } },
  };
}
