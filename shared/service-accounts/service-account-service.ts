/**
 * Service accounts of a tenant: create, read, list, rename, enable/disable, delete (with their
 * tokens), and their groups, roles and direct rules, under the same grant guard as members.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  compilePrincipal,
  effectiveRules,
  isSuperuser,
  namespaceViolation,
} from '#shared/acl/engine.js';
import { assertOutranks } from '#shared/acl/hierarchy.js';
import { EVERYONE_GROUP, type RoleBinding, type Rule } from '#shared/acl/types.js';
import type { Caller, StoreDeps } from '#shared/app/context.js';
import { auditPut } from '#shared/audit/audit-event.js';
import { raceLost, withOptimisticRetry } from '#shared/common/optimistic-retry.js';
import {
  ConflictError,
  ForbiddenError,
  InvalidError,
  NotFoundError,
} from '#shared/errors/domain-errors.js';
import { memberStillActive } from '#shared/members/member-writes.js';
import { newIncarnation } from '#shared/platform/incarnation.js';
import {
  assertCanGrant,
  assertScopeAccepted,
  assertValidScope,
} from '#shared/policy/grant-guard.js';
import { assertPrincipalWithinLimits, limitFieldOf } from '#shared/policy/policy-limits.js';
import { holderBumps } from '#shared/policy/policy-writes.js';
import { policyUnchanged } from '#shared/policy/superusers.js';
import { loadTenantState, type TenantState } from '#shared/policy/tenant-state.js';
import type {
  CreateServiceAccountInput,
  PatchServiceAccountInput,
} from '#shared/service-accounts/service-account-schemas.js';
import { keys } from '#shared/store/keys.js';
import { decodeCursor, encodeCursor, offsetPage, type Page } from '#shared/store/pagination.js';
import {
  type ServiceAccountRecord,
  serviceAccountFromItem,
  serviceAccountGrants,
  serviceAccountItem,
  serviceAccountPrincipal,
  serviceAccountView,
} from '#shared/store/records/service-account-record.js';
import { type TransactItem, transactWrite } from '#shared/store/transact.js';

/** Reads one service account, strongly consistent, or undefined. */
export async function findServiceAccount(
  deps: StoreDeps,
  tenantId: string,
  serviceAccountId: string,
): Promise<ServiceAccountRecord | undefined> {
  const res = await deps.db.send(
    new GetCommand({
      TableName: deps.tableName,
      Key: keys.serviceAccount(tenantId, serviceAccountId),
      ConsistentRead: true,
    }),
  );
  const item = res.Item;
  return item ? serviceAccountFromItem(item) : undefined;
}

/** Reads one service account or throws 404. */
export async function loadServiceAccount(
  deps: StoreDeps,
  tenantId: string,
  serviceAccountId: string,
): Promise<ServiceAccountRecord> {
  const sa = await findServiceAccount(deps, tenantId, serviceAccountId);
  if (!sa) throw new NotFoundError(`Service account '${serviceAccountId}' not found`);
  return sa;
}

/**
 * The acting member, who must still be active when the write commits. Service accounts cannot
 * manage service accounts or mint tokens: a leaked token must not be able to mint more.
 */
export function actingMember(deps: StoreDeps, state: TenantState, caller: Caller): TransactItem {
  const actor = state.actor;
  if (!actor || actor.userId !== caller.userId) {
    throw new ForbiddenError('Only members can manage service accounts and their tokens');
  }
  if (actor.status !== 'active') throw new ForbiddenError('Your membership is disabled');
  return memberStillActive(deps, state.tenantId, actor);
}

/**
 * Service accounts never hold `gatehouse:superuser` (by any path: rule, group or role). Rule 3
 * ("at least one superuser") counts active members only, so a service account must never be
 * what keeps a tenant administrable, and a leaked token must never be a superuser's.
 */
function assertNotSuperuser(
  state: TenantState,
  sa: Pick<ServiceAccountRecord, 'groups' | 'roles' | 'rules'>,
) {
  if (isSuperuser(compilePrincipal(state.compiled, serviceAccountGrants(sa)))) {
    throw new ForbiddenError('Service accounts cannot be superusers');
  }
}

/** Creates a service account with no grants. 409 when the id is taken. */
export async function createServiceAccount(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  input: CreateServiceAccountInput,
) {
  const state = await loadTenantState(deps, tenantId, caller);
  const actorCheck = actingMember(deps, state, caller);
  // Not in `everyone`: that group is "every member", and opening a right to every member
  // (e.g. DC/OS-style open invites) should not silently open it to every backend too.
  const sa: ServiceAccountRecord = {
    tenantId,
    serviceAccountId: input.serviceAccountId,
    name: input.name,
    ...(input.description !== undefined ? { description: input.description } : {}),
    status: 'active',
    groups: [],
    roles: [],
    rules: [],
    createdAt: deps.clock.now().toISOString(),
    version: 1,
    incarnation: newIncarnation(),
  };
  await transactWrite(
    deps.db,
    [
      {
        Put: {
          TableName: deps.tableName,
          Item: serviceAccountItem(sa),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      actorCheck,
      auditPut(
        deps.tableName,
        {
          tenantId,
          actor: caller.userId,
          action: 'service-account.create',
          target: serviceAccountPrincipal(sa.serviceAccountId),
          after: serviceAccountView(sa),
        },
        deps.clock.now(),
      ),
    ],
    (codes) =>
      codes[0] === 'ConditionalCheckFailed'
        ? new ConflictError(`Service account '${sa.serviceAccountId}' already exists`, {
            extra: { field: 'serviceAccountId' },
          })
        : raceLost(),
  );
  return serviceAccountView(sa);
}

export async function getServiceAccount(deps: StoreDeps, tenantId: string, id: string) {
  return serviceAccountView(await loadServiceAccount(deps, tenantId, id));
}

/** Lists the tenant's service accounts by id, with cursor pagination. */
export async function listServiceAccounts(
  deps: StoreDeps,
  tenantId: string,
  query: { limit: number; cursor?: string },
): Promise<Page<ReturnType<typeof serviceAccountView>>> {
  const partition = { pk: keys.tenantPartition(tenantId) };
  const res = await deps.db.send(
    new QueryCommand({
      TableName: deps.tableName,
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)',
      ExpressionAttributeValues: { ':p': partition.pk, ':s': keys.serviceAccountPrefix },
      Limit: query.limit,
      ExclusiveStartKey: decodeCursor(query.cursor, partition, {
        sk: keys.serviceAccountPrefix,
      }),
    }),
  );
  return {
    items: (res.Items ?? []).map((i) => serviceAccountView(serviceAccountFromItem(i))),
    nextCursor: encodeCursor(res.LastEvaluatedKey),
  };
}

/** The token items of one service account (any state), for deletion. */
async function tokenKeys(deps: StoreDeps, tenantId: string, id: string) {
  const out: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await deps.db.send(
      new QueryCommand({
        TableName: deps.tableName,
        KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)',
        ExpressionAttributeValues: {
          ':p': keys.tenantPartition(tenantId),
          ':s': keys.apiTokenPrefix(id),
        },
        ProjectionExpression: 'pk, sk',
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    out.push(...(res.Items ?? []));
    start = res.LastEvaluatedKey;
  } while (start);
  return out;
}

/**
 * Shared shape of service account changes: fresh state, a pure change, one transaction
 * conditioned on the account's, the actor's and the policy's versions, retried when raced.
 * `next` undefined deletes the account and every one of its tokens in the same transaction;
 * `extraItems` (from the account as read) join the same transaction.
 */
/** Rule 12: the changes that act against the account, and how a refusal names them. */
const AGAINST: Record<string, string> = {
  'service-account.delete': 'delete',
  'service-account.role.unbind': 'take a role from',
  'service-account.group.remove': 'remove from a group',
  'acl.revoke': 'revoke a rule of',
};

/** What a service account holds under the state's policy (never `everyone`). */
export function permissionsOf(state: TenantState, sa: ServiceAccountRecord) {
  return compilePrincipal(state.compiled, serviceAccountGrants(sa));
}

async function mutateServiceAccount(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  id: string,
  change: (sa: ServiceAccountRecord, state: TenantState) => ServiceAccountRecord | undefined,
  action: string,
  extraItems?: (sa: ServiceAccountRecord) => TransactItem[],
): Promise<ServiceAccountRecord | undefined> {
  return withOptimisticRetry(async () => {
    const state = await loadTenantState(deps, tenantId, caller);
    const actorCheck = actingMember(deps, state, caller);
    const before = await loadServiceAccount(deps, tenantId, id);
    const next = change(before, state);
    const against =
      AGAINST[action] ??
      (next?.status === 'disabled' && before.status === 'active' ? 'disable' : undefined);
    if (against) assertOutranks(state.actorPermissions, permissionsOf(state, before), against);
    const T = deps.tableName;
    const items: TransactItem[] = [];
    const after = next ? { ...next, version: before.version + 1 } : undefined;
    if (after) {
      assertNotSuperuser(state, after);
      assertPrincipalWithinLimits(
        state.limits,
        { compiled: state.compiled, grants: serviceAccountGrants(before) },
        { compiled: state.compiled, grants: serviceAccountGrants(after) },
        limitFieldOf(action),
        `service account ${id}`,
      );
      items.push({
        Put: {
          TableName: T,
          Item: serviceAccountItem(after),
          ConditionExpression: 'version = :v',
          ExpressionAttributeValues: { ':v': before.version },
        },
      });
    } else {
      items.push({
        Delete: {
          TableName: T,
          Key: keys.serviceAccount(tenantId, id),
          ConditionExpression: 'version = :v',
          ExpressionAttributeValues: { ':v': before.version },
        },
      });
      // Minting a token bumps the account's version, so a token created after this read
      // makes the delete fail and retry with it included: no orphan tokens.
      for (const k of await tokenKeys(deps, tenantId, id)) {
        items.push({ Delete: { TableName: T, Key: { pk: k.pk, sk: k.sk } } });
      }
    }
    items.push(policyUnchanged(deps, state), actorCheck, ...(extraItems?.(before) ?? []));
    items.push(
      auditPut(
        T,
        {
          tenantId,
          actor: caller.userId,
          action,
          target: serviceAccountPrincipal(id),
          before: serviceAccountView(before),
          after: after ? serviceAccountView(after) : undefined,
        },
        deps.clock.now(),
      ),
    );
    await transactWrite(deps.db, items, () => raceLost());
    return after;
  });
}

/** Renames, describes, enables or disables a service account; disabling stops its tokens at once. */
export async function patchServiceAccount(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  id: string,
  input: PatchServiceAccountInput,
) {
  const after = await mutateServiceAccount(
    deps,
    caller,
    tenantId,
    id,
    (sa) => ({
      ...sa,
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.status !== undefined ? { status: input.status } : {}),
    }),
    'service-account.update',
  );
  if (!after) throw new Error('unreachable');
  return serviceAccountView(after);
}

/** Deletes a service account with its grants, group memberships and every token, in one transaction. */
export async function deleteServiceAccount(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  id: string,
) {
  await mutateServiceAccount(deps, caller, tenantId, id, () => undefined, 'service-account.delete');
}

/**
 * Binds a role to a service account, on everything or under `scope`. Idempotent. A first
 * binding of a custom role bumps the role item, so a concurrent delete of it cannot miss it.
 */
export async function bindServiceAccountRole(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  id: string,
  roleId: string,
  scope: string | undefined,
) {
  assertValidScope(scope);
  const binding: RoleBinding = scope ? { roleId, scope } : { roleId };
  const after = await mutateServiceAccount(
    deps,
    caller,
    tenantId,
    id,
    (sa, state) => {
      if (!state.policy.roles[roleId]) throw new NotFoundError(`Role '${roleId}' not found`);
      assertScopeAccepted(state.policy, binding);
      assertCanGrant(state.actorPermissions, state.compiled, state.policy, { roles: [binding] });
      const others = sa.roles.filter((r) => !(r.roleId === roleId && r.scope === binding.scope));
      return { ...sa, roles: [...others, binding] };
    },
    'service-account.role.bind',
    (sa) =>
      sa.roles.some((r) => r.roleId === roleId)
        ? []
        : holderBumps(deps, tenantId, { roles: [roleId] }),
  );
  if (!after) throw new Error('unreachable');
  return serviceAccountView(after);
}

/** Removes a role binding (every scope of it) from a service account. */
export async function unbindServiceAccountRole(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  id: string,
  roleId: string,
) {
  await mutateServiceAccount(
    deps,
    caller,
    tenantId,
    id,
    (sa) => {
      if (!sa.roles.some((r) => r.roleId === roleId))
        throw new NotFoundError(`Service account '${id}' does not have role '${roleId}'`);
      return { ...sa, roles: sa.roles.filter((r) => r.roleId !== roleId) };
    },
    'service-account.role.unbind',
  );
}

/**
 * Puts a service account in a group; the caller must hold what the group carries. Idempotent.
 * Joining bumps the group item, so a concurrent delete of the group cannot miss the account.
 */
export async function addServiceAccountToGroup(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  id: string,
  groupId: string,
) {
  const after = await mutateServiceAccount(
    deps,
    caller,
    tenantId,
    id,
    (sa, state) => {
      if (!state.policy.groups[groupId]) throw new NotFoundError(`Group '${groupId}' not found`);
      if (groupId === EVERYONE_GROUP)
        throw new ConflictError("'everyone' is every member; service accounts are not members");
      assertCanGrant(state.actorPermissions, state.compiled, state.policy, { groups: [groupId] });
      return sa.groups.includes(groupId) ? sa : { ...sa, groups: [...sa.groups, groupId] };
    },
    'service-account.group.add',
    (sa) => (sa.groups.includes(groupId) ? [] : holderBumps(deps, tenantId, { groups: [groupId] })),
  );
  if (!after) throw new Error('unreachable');
  return serviceAccountView(after);
}

/** Takes a service account out of a group. */
export async function removeServiceAccountFromGroup(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  id: string,
  groupId: string,
) {
  await mutateServiceAccount(
    deps,
    caller,
    tenantId,
    id,
    (sa) => {
      if (!sa.groups.includes(groupId))
        throw new NotFoundError(`Service account '${id}' is not in group '${groupId}'`);
      return { ...sa, groups: sa.groups.filter((g) => g !== groupId) };
    },
    'service-account.group.remove',
  );
}

/** Grants a direct rule to a service account (ACL API); the caller must hold it. Idempotent. */
export async function grantServiceAccountRule(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  id: string,
  rule: Rule,
) {
  await mutateServiceAccount(
    deps,
    caller,
    tenantId,
    id,
    (sa, state) => {
      // Same check as the ACL API's (imported from the engine: acl-service imports this module).
      const problem = namespaceViolation(state.policy.namespaces, rule);
      if (problem) throw new InvalidError(problem, [{ path: 'path.action', message: problem }]);
      assertCanGrant(state.actorPermissions, state.compiled, state.policy, { rules: [rule] });
      const has = sa.rules.some((r) => r.resource === rule.resource && r.action === rule.action);
      return has ? sa : { ...sa, rules: [...sa.rules, rule] };
    },
    'acl.grant',
  );
}

/** Revokes a direct rule of a service account (404 when absent). */
export async function revokeServiceAccountRule(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  id: string,
  rule: Rule,
) {
  await mutateServiceAccount(
    deps,
    caller,
    tenantId,
    id,
    (sa) => {
      const rest = sa.rules.filter(
        (r) => !(r.resource === rule.resource && r.action === rule.action),
      );
      if (rest.length === sa.rules.length)
        throw new NotFoundError('No such rule on this service account');
      return { ...sa, rules: rest };
    },
    'acl.revoke',
  );
}

/** A service account's effective permissions, each with where it came from, one page at a time. */
export async function serviceAccountPermissions(
  deps: StoreDeps,
  tenantId: string,
  id: string,
  query: { limit: number; cursor?: string },
) {
  const state = await loadTenantState(deps, tenantId);
  const sa = await loadServiceAccount(deps, tenantId, id);
  const set = compilePrincipal(state.compiled, serviceAccountGrants(sa));
  const all = effectiveRules(set);
  return {
    serviceAccountId: id,
    superuser: isSuperuser(set),
    total: all.length,
    ...offsetPage(all, query),
  };
}
