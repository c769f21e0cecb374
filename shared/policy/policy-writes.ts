/**
 * Transactions that change the tenant policy item (group grants, role permissions): read fresh
 * state, let the use case decide, plan the writes (see policy-plan) and commit them, re-planning
 * when a concurrent change won the race.
 */
import { BUILT_IN_ROLES } from '#shared/acl/management-permissions.js';
import { EVERYONE_GROUP, SUPERUSERS_GROUP, type TenantPolicy } from '#shared/acl/types.js';
import type { Caller, StoreDeps } from '#shared/app/context.js';
import type { AuditInput } from '#shared/audit/audit-event.js';
import { withOptimisticRetry } from '#shared/common/optimistic-retry.js';
import {
  type PolicyChangeOptions,
  type PolicyContent,
  planPolicyWrites,
  preparePolicyChange,
} from '#shared/policy/policy-plan.js';
import { loadTenantState, type TenantState } from '#shared/policy/tenant-state.js';
import { keys } from '#shared/store/keys.js';
import { holderVersionBump } from '#shared/store/records/catalog-record.js';
import { type MemberRecord, memberFromItem } from '#shared/store/records/member-record.js';
import {
  type ServiceAccountRecord,
  serviceAccountFromItem,
} from '#shared/store/records/service-account-record.js';
import type { TxItem } from '#shared/store/table.js';

export {
  MAX_MEMBER_WRITES,
  type PolicyChangeOptions,
  type PolicyContent,
} from '#shared/policy/policy-plan.js';

/*
 * Holders of a group or role. Who holds a custom group or role is written on the principals
 * (member and service-account items), so a delete finds them with a Query and rewrites them in
 * its transaction. A principal that starts holding one commits, in the same transaction, an
 * increment of the group or role item's `holderVersion` (conditioned on the item existing); the
 * delete reads that item before its Query and conditions its Delete on the value read. So a
 * join or bind either committed before the delete read the item (and the Query sees the holder)
 * or conflicts with the delete: the one that loses re-reads, and a join that lost answers 404.
 * Built-in groups and roles are never deleted, so holding them bumps nothing.
 */

type Held = { groups?: readonly string[]; roles?: readonly string[] };

/**
 * The items that announce principals newly holding `groups` and `roles` (custom ones only), for
 * the transaction that makes them hold them; it fails when one of them was deleted meanwhile.
 */
export function holderBumps(tenantId: string, held: Held): TxItem[] {
  const groups = [...new Set(held.groups ?? [])].filter(
    (g) => g !== EVERYONE_GROUP && g !== SUPERUSERS_GROUP,
  );
  const roles = [...new Set(held.roles ?? [])].filter((r) => !Object.hasOwn(BUILT_IN_ROLES, r));
  return [
    ...groups.map((g) => holderVersionBump('group', tenantId, g)),
    ...roles.map((r) => holderVersionBump('role', tenantId, r)),
  ];
}

/** Every item of the tenant partition under `prefix`, strongly consistent. */
function loadAllUnder(deps: StoreDeps, tenantId: string, prefix: string) {
  return deps.table.queryAll({ partition: keys.tenantPartition(tenantId), prefix });
}

/** Every member item of the tenant, strongly consistent. */
export async function loadAllMembers(deps: StoreDeps, tenantId: string): Promise<MemberRecord[]> {
  return (await loadAllUnder(deps, tenantId, keys.memberPrefix)).map(memberFromItem);
}

/** Every service account item of the tenant, strongly consistent. */
async function loadAllServiceAccounts(
  deps: StoreDeps,
  tenantId: string,
): Promise<ServiceAccountRecord[]> {
  return (await loadAllUnder(deps, tenantId, keys.serviceAccountPrefix)).map(
    serviceAccountFromItem,
  );
}

/**
 * Plans replacing the tenant policy by `nextPolicy` (its version is the read one plus one):
 * limits first (nothing is read for a change they refuse), then every member and service
 * account the change needs, then the writes (see {@link planPolicyWrites}). Commit with
 * `table.transact`; a failed condition is a lost race.
 */
export async function planPolicyChange(
  deps: StoreDeps,
  state: TenantState,
  nextPolicy: PolicyContent,
  audit: Omit<AuditInput, 'tenantId'>,
  options: PolicyChangeOptions = {},
): Promise<TxItem[]> {
  const change = preparePolicyChange(state, nextPolicy, options);
  const [members, accounts] = await Promise.all([
    change.readMembers ? loadAllMembers(deps, state.tenantId) : undefined,
    change.readAccounts ? loadAllServiceAccounts(deps, state.tenantId) : [],
  ]);
  return planPolicyWrites(state, change, { members, accounts }, audit, deps.clock.now(), options);
}

/** A copy of a policy's content that a change may mutate freely. */
export function copyPolicy(policy: TenantPolicy): PolicyContent {
  return structuredClone({
    roles: policy.roles,
    groups: policy.groups,
    namespaces: policy.namespaces,
  });
}

/** What a policy change decides from fresh state: the next policy, its audit event, extra writes. */
export interface PlannedPolicyChange<T> {
  next: PolicyContent;
  audit: Omit<AuditInput, 'tenantId' | 'actor'>;
  options?: PolicyChangeOptions;
  result: T;
}

/**
 * Runs one policy change: reads the tenant state (with the caller's permissions), lets `decide`
 * validate and build the next policy (reading what else it needs after the state, e.g. the item
 * a delete conditions on), then commits it with {@link planPolicyChange}; re-reads and
 * re-decides when a concurrent change won the race.
 */
export async function changePolicy<T>(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  decide: (state: TenantState) => PlannedPolicyChange<T> | Promise<PlannedPolicyChange<T>>,
): Promise<T> {
  return withOptimisticRetry(async () => {
    const state = await loadTenantState(deps, tenantId, caller);
    const planned = await decide(state);
    const items = await planPolicyChange(
      deps,
      state,
      planned.next,
      { actor: caller.userId, ...planned.audit },
      planned.options,
    );
    await deps.table.transact(items);
    return planned.result;
  });
}
