/**
 * Transactions that change the tenant policy item (group grants, role permissions) while keeping
 * "at least one active superuser": flipped member flags, the counter and the audit event commit
 * together with the policy, conditioned on every version the decision was computed from.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { compilePolicy } from '#shared/acl/engine.js';
import { BUILT_IN_ROLES } from '#shared/acl/management-permissions.js';
import { covers } from '#shared/acl/resource.js';
import {
  EVERYONE_GROUP,
  type Rule,
  SUPERUSER_RESOURCE,
  SUPERUSERS_GROUP,
  type TenantPolicy,
} from '#shared/acl/types.js';
import type { Caller, StoreDeps } from '#shared/app/context.js';
import { type AuditInput, auditPut } from '#shared/audit/audit-event.js';
import { raceLost, withOptimisticRetry } from '#shared/common/optimistic-retry.js';
import { ConflictError } from '#shared/errors/domain-errors.js';
import type { LimitName } from '#shared/limits/tenant-limits.js';
import {
  assertPolicyWithinLimits,
  assertPrincipalWithinLimits,
  holdsGrown,
} from '#shared/policy/policy-limits.js';
import { countsAsSuperuser, LAST_SUPERUSER } from '#shared/policy/superusers.js';
import { loadTenantState, type TenantState } from '#shared/policy/tenant-state.js';
import { keys } from '#shared/store/keys.js';
import {
  grantsOf,
  type MemberRecord,
  memberFromItem,
  memberItem,
} from '#shared/store/records/member-record.js';
import { policyItem } from '#shared/store/records/policy-record.js';
import {
  type ServiceAccountRecord,
  serviceAccountFromItem,
  serviceAccountGrants,
  serviceAccountItem,
} from '#shared/store/records/service-account-record.js';
import { type TransactItem, transactWrite } from '#shared/store/transact.js';

/** Most member items one policy change may rewrite or check (DynamoDB allows 100 per transaction). */
export const MAX_MEMBER_WRITES = 90;

export type PolicyContent = Omit<TenantPolicy, 'version'>;

export interface PolicyChangeOptions {
  /** Group/role items and other writes that belong to the same change. */
  items?: TransactItem[];
  /**
   * Edits every member whose grants the change touches (e.g. dropping a deleted group);
   * returns undefined for members it leaves alone.
   */
  editMember?: (m: MemberRecord) => Omit<MemberRecord, 'superuser' | 'version'> | undefined;
  /** The same for service accounts (they never count as superusers); loads them only when set. */
  editServiceAccount?: (sa: ServiceAccountRecord) => ServiceAccountRecord | undefined;
  /**
   * The request field that grows the policy, named when a tenant limit is reached (per limit
   * when a function); `body` by default.
   */
  limitField?: string | ((limit: LimitName) => string);
}

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

const holderVersionUpdate = (T: string, key: Record<string, string>): TransactItem => ({
  Update: {
    TableName: T,
    Key: key,
    UpdateExpression: 'SET holderVersion = if_not_exists(holderVersion, :zero) + :one',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':zero': 0, ':one': 1 },
  },
});

/**
 * The items that announce principals newly holding `groups` and `roles` (custom ones only), for
 * the transaction that makes them hold them; it fails when one of them was deleted meanwhile.
 */
export function holderBumps(
  deps: StoreDeps,
  tenantId: string,
  held: { groups?: readonly string[]; roles?: readonly string[] },
): TransactItem[] {
  const groups = [...new Set(held.groups ?? [])].filter(
    (g) => g !== EVERYONE_GROUP && g !== SUPERUSERS_GROUP,
  );
  const roles = [...new Set(held.roles ?? [])].filter((r) => !Object.hasOwn(BUILT_IN_ROLES, r));
  return [
    ...groups.map((g) => holderVersionUpdate(deps.tableName, keys.group(tenantId, g))),
    ...roles.map((r) => holderVersionUpdate(deps.tableName, keys.role(tenantId, r))),
  ];
}

/** What a delete read of a group or role item, before querying its holders. */
export interface HeldItemRead {
  version: number;
  /** Absent on items nobody has started holding since it was introduced. */
  holderVersion: number | undefined;
}

export function heldItemRead(item: Record<string, unknown>): HeldItemRead {
  return {
    version: Number(item.version ?? 0),
    holderVersion: typeof item.holderVersion === 'number' ? item.holderVersion : undefined,
  };
}

/** Deletes a group or role item, conditioned on it being as read: nobody started holding it since. */
export function deleteHeldItem(
  deps: StoreDeps,
  key: Record<string, string>,
  read: HeldItemRead,
): TransactItem {
  return {
    Delete: {
      TableName: deps.tableName,
      Key: key,
      ConditionExpression:
        read.holderVersion === undefined
          ? 'version = :v AND attribute_not_exists(holderVersion)'
          : 'version = :v AND holderVersion = :h',
      ExpressionAttributeValues: {
        ':v': read.version,
        ...(read.holderVersion === undefined ? {} : { ':h': read.holderVersion }),
      },
    },
  };
}

/** Whether a rule set makes its holder a superuser (a `full` rule covering the superuser resource). */
function grantsSuperuser(rules: readonly Rule[]): boolean {
  return rules.some((r) => r.action === 'full' && covers(r.resource, SUPERUSER_RESOURCE));
}

/**
 * Whether a group carries the superuser rule, directly or through a role binding. A scoped
 * binding confers it only when its scope covers the superuser resource too.
 */
function groupMakesSuperusers(policy: PolicyContent, groupId: string): boolean {
  const group = policy.groups[groupId];
  if (!group) return false;
  if (grantsSuperuser(group.rules)) return true;
  return group.roles.some(
    (b) =>
      grantsSuperuser(policy.roles[b.roleId] ?? []) &&
      (b.scope === undefined || covers(b.scope, SUPERUSER_RESOURCE)),
  );
}

/**
 * Whether switching policies can change anybody's superuser status: superuser status is the OR
 * of per-source contributions, so only a group or role whose contribution changes can flip it.
 */
function mayFlipSuperusers(before: PolicyContent, after: PolicyContent): boolean {
  const groups = new Set([...Object.keys(before.groups), ...Object.keys(after.groups)]);
  for (const g of groups) {
    if (groupMakesSuperusers(before, g) !== groupMakesSuperusers(after, g)) return true;
  }
  const roles = new Set([...Object.keys(before.roles), ...Object.keys(after.roles)]);
  for (const r of roles) {
    if (grantsSuperuser(before.roles[r] ?? []) !== grantsSuperuser(after.roles[r] ?? [])) {
      return true;
    }
  }
  return false;
}

/** Every item of the tenant partition under `prefix`, strongly consistent. */
async function loadAllUnder(
  deps: StoreDeps,
  tenantId: string,
  prefix: string,
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await deps.db.send(
      new QueryCommand({
        TableName: deps.tableName,
        KeyConditionExpression: 'pk = :p AND begins_with(sk, :m)',
        ExpressionAttributeValues: { ':p': keys.tenantPartition(tenantId), ':m': prefix },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    out.push(...(res.Items ?? []));
    start = res.LastEvaluatedKey;
  } while (start);
  return out;
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

function tooMany(what: string): ConflictError {
  return new ConflictError(
    `This change would rewrite ${what}; at most ${MAX_MEMBER_WRITES} members can be changed at once. Change fewer members first (e.g. move them out of the group)`,
    { extra: { limit: MAX_MEMBER_WRITES } },
  );
}

/**
 * Plans replacing the tenant policy by `nextPolicy` (its version is the read one plus one).
 * When the change can make or unmake superusers, or edits members, it loads every member,
 * rewrites each one whose flag or grants change (conditioned on its version), checks the
 * version of every member that stays a superuser, and sets the superuser counter conditioned
 * on the value read, refusing to reach zero (409). With `editServiceAccount` it also loads every
 * service account and rewrites the ones it edits. Commit with `transactWrite(..., raceLost)`.
 */
export async function planPolicyChange(
  deps: StoreDeps,
  state: TenantState,
  nextPolicy: PolicyContent,
  audit: Omit<AuditInput, 'tenantId'>,
  options: PolicyChangeOptions = {},
): Promise<TransactItem[]> {
  const T = deps.tableName;
  const next: TenantPolicy = { ...nextPolicy, version: state.policy.version + 1 };
  const items: TransactItem[] = [
    {
      Put: {
        TableName: T,
        Item: policyItem(state.tenantId, next),
        ConditionExpression: 'policyVersion = :read',
        ExpressionAttributeValues: { ':read': state.policy.version },
      },
    },
    ...(options.items ?? []),
  ];

  // Limits first: nothing is read or written for a change the tenant's limits refuse.
  const compiled = compilePolicy(next);
  const limitField = options.limitField ?? 'body';
  const fieldOf = typeof limitField === 'function' ? limitField : () => limitField;
  const grown = assertPolicyWithinLimits(
    state.limits,
    state.tenantId,
    { policy: state.policy, compiled: state.compiled },
    { policy: next, compiled },
    fieldOf,
  );
  const field = fieldOf('effectiveRulesPerPrincipal');
  const checkHolders = grown.groups.size > 0 || grown.roles.size > 0;

  const editAccount = options.editServiceAccount;
  const superuserPass = options.editMember !== undefined || mayFlipSuperusers(state.policy, next);
  const [allMembers, accounts] = await Promise.all([
    superuserPass || checkHolders ? loadAllMembers(deps, state.tenantId) : undefined,
    editAccount || checkHolders ? loadAllServiceAccounts(deps, state.tenantId) : [],
  ]);
  if (checkHolders) {
    // A group or role that now gives more must not push any of its holders past the limit.
    for (const m of allMembers ?? []) {
      const after = grantsOf(options.editMember?.(m) ?? m);
      if (!holdsGrown(after, grown)) continue;
      assertPrincipalWithinLimits(
        state.limits,
        { compiled: state.compiled, grants: grantsOf(m) },
        { compiled, grants: after },
        field,
        `member ${m.userId}`,
      );
    }
    for (const sa of accounts) {
      const after = serviceAccountGrants(editAccount?.(sa) ?? sa);
      if (!holdsGrown(after, grown)) continue;
      assertPrincipalWithinLimits(
        state.limits,
        { compiled: state.compiled, grants: serviceAccountGrants(sa) },
        { compiled, grants: after },
        field,
        `service account ${sa.serviceAccountId}`,
      );
    }
  }
  const members = superuserPass ? allMembers : undefined;
  // Service accounts are never superusers (their own writes refuse it), so dropping grants from
  // them changes no counter: they are only rewritten, conditioned on the version read.
  const accountWrites: TransactItem[] = [];
  for (const sa of accounts) {
    const edited = editAccount?.(sa);
    if (!edited) continue;
    accountWrites.push({
      Put: {
        TableName: T,
        Item: serviceAccountItem({ ...edited, version: sa.version + 1 }),
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: { ':v': sa.version },
      },
    });
  }
  if (accountWrites.length > MAX_MEMBER_WRITES) {
    throw tooMany(`${accountWrites.length} service accounts`);
  }
  items.push(...accountWrites);

  if (members) {
    const nextState: TenantState = { ...state, policy: next, compiled };
    const writes: TransactItem[] = [];
    const checks: TransactItem[] = [];
    let delta = 0;
    for (const m of members) {
      const edited = options.editMember?.(m);
      const grants = edited ?? m;
      const superuser = countsAsSuperuser(nextState, grants);
      if (edited || superuser !== m.superuser) {
        delta += (superuser ? 1 : 0) - (m.superuser ? 1 : 0);
        writes.push({
          Put: {
            TableName: T,
            Item: memberItem({ ...m, ...grants, superuser, version: m.version + 1 }),
            ConditionExpression: 'version = :v',
            ExpressionAttributeValues: { ':v': m.version },
          },
        });
      } else if (superuser) {
        // A concurrent change could have taken this member's other superuser path away.
        checks.push({
          ConditionCheck: {
            TableName: T,
            Key: keys.member(state.tenantId, m.userId),
            ConditionExpression: 'version = :v',
            ExpressionAttributeValues: { ':v': m.version },
          },
        });
      }
    }
    const others = accountWrites.length;
    const accountsToo = others > 0 ? ` and ${others} service accounts` : '';
    if (writes.length + others > MAX_MEMBER_WRITES) {
      throw tooMany(`${writes.length} members${accountsToo}`);
    }
    if (state.superuserCount + delta < 1) throw new ConflictError(LAST_SUPERUSER);
    if (writes.length + checks.length + others > MAX_MEMBER_WRITES) {
      throw tooMany(
        `or check ${writes.length + checks.length} members (superusers included)${accountsToo}`,
      );
    }
    items.push(...writes, ...checks, {
      // The exact count read: a member who became a superuser meanwhile makes this fail.
      Update: {
        TableName: T,
        Key: keys.tenant(state.tenantId),
        UpdateExpression: 'SET superuserCount = :next',
        ConditionExpression: 'superuserCount = :read',
        ExpressionAttributeValues: {
          ':next': state.superuserCount + delta,
          ':read': state.superuserCount,
        },
      },
    });
  }
  items.push(auditPut(T, { tenantId: state.tenantId, ...audit }, deps.clock.now()));
  return items;
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
    await transactWrite(deps.db, items, () => raceLost());
    return planned.result;
  });
}
