/**
 * Groups of a tenant: metadata in their own items, grants (rules, role bindings) in the tenant
 * policy item. Changes go through policy transactions that keep at least one superuser.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  EVERYONE_GROUP,
  type GroupGrants,
  type RoleBinding,
  SUPERUSERS_GROUP,
  type TenantPolicy,
} from '#shared/acl/types.js';
import type { Caller, StoreDeps } from '#shared/app/context.js';
import { auditPut } from '#shared/audit/audit-event.js';
import { ConflictError, NotFoundError } from '#shared/errors/domain-errors.js';
import type { CreateGroupInput, GroupView, PatchGroupInput } from '#shared/groups/group-schemas.js';
import {
  assertCanGrant,
  assertScopeAccepted,
  assertValidScope,
} from '#shared/policy/grant-guard.js';
import {
  changePolicy,
  copyPolicy,
  deleteHeldItem,
  type HeldItemRead,
  heldItemRead,
} from '#shared/policy/policy-writes.js';
import { keys } from '#shared/store/keys.js';
import { decodeCursor, encodeCursor, type Page } from '#shared/store/pagination.js';
import { policyFromItem } from '#shared/store/records/policy-record.js';
import { transactWrite } from '#shared/store/transact.js';

interface GroupRecord {
  groupId: string;
  name: string;
  description?: string;
  builtIn: boolean;
  createdAt: string;
  version: number;
}

function groupFromItem(item: Record<string, unknown>): GroupRecord {
  return {
    groupId: String(item.groupId),
    name: String(item.name),
    ...(typeof item.description === 'string' ? { description: item.description } : {}),
    builtIn: item.builtIn === true,
    createdAt: String(item.createdAt),
    version: Number(item.version ?? 0),
  };
}

function groupView(g: GroupRecord, grants: GroupGrants | undefined): GroupView {
  return {
    groupId: g.groupId,
    name: g.name,
    ...(g.description !== undefined ? { description: g.description } : {}),
    builtIn: g.builtIn,
    createdAt: g.createdAt,
    rules: grants?.rules ?? [],
    roles: grants?.roles ?? [],
  };
}

/** The tenant policy, strongly consistent (for group and role views). */
export async function loadPolicy(deps: StoreDeps, tenantId: string): Promise<TenantPolicy> {
  const res = await deps.db.send(
    new GetCommand({ TableName: deps.tableName, Key: keys.policy(tenantId), ConsistentRead: true }),
  );
  if (!res.Item) throw new NotFoundError(`Tenant '${tenantId}' not found`);
  return policyFromItem(res.Item);
}

async function readGroup(
  deps: StoreDeps,
  tenantId: string,
  groupId: string,
): Promise<{ group: GroupRecord; read: HeldItemRead }> {
  const res = await deps.db.send(
    new GetCommand({
      TableName: deps.tableName,
      Key: keys.group(tenantId, groupId),
      ConsistentRead: true,
    }),
  );
  if (!res.Item) throw new NotFoundError(`Group '${groupId}' not found`);
  return { group: groupFromItem(res.Item), read: heldItemRead(res.Item) };
}

async function loadGroup(deps: StoreDeps, tenantId: string, groupId: string): Promise<GroupRecord> {
  return (await readGroup(deps, tenantId, groupId)).group;
}

/** Lists the tenant's groups with their grants, by group id, with cursor pagination. */
export async function listGroups(
  deps: StoreDeps,
  tenantId: string,
  query: { limit: number; cursor?: string },
): Promise<Page<GroupView>> {
  const partition = { pk: keys.tenantPartition(tenantId) };
  const [res, policy] = await Promise.all([
    deps.db.send(
      new QueryCommand({
        TableName: deps.tableName,
        KeyConditionExpression: 'pk = :p AND begins_with(sk, :g)',
        ExpressionAttributeValues: { ':p': partition.pk, ':g': keys.groupPrefix },
        Limit: query.limit,
        ExclusiveStartKey: decodeCursor(query.cursor, partition, { sk: keys.groupPrefix }),
      }),
    ),
    loadPolicy(deps, tenantId),
  ]);
  const items = (res.Items ?? [])
    .map(groupFromItem)
    .map((g) => groupView(g, policy.groups[g.groupId]));
  return { items, nextCursor: encodeCursor(res.LastEvaluatedKey) };
}

/** Reads one group with its rules and role bindings. */
export async function getGroup(
  deps: StoreDeps,
  tenantId: string,
  groupId: string,
): Promise<GroupView> {
  const [group, policy] = await Promise.all([
    loadGroup(deps, tenantId, groupId),
    loadPolicy(deps, tenantId),
  ]);
  return groupView(group, policy.groups[groupId]);
}

/** Creates an empty group (no rules, no roles); a taken id is a 409. */
export async function createGroup(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  input: CreateGroupInput,
): Promise<GroupView> {
  const group: GroupRecord = {
    groupId: input.groupId,
    name: input.name,
    ...(input.description !== undefined ? { description: input.description } : {}),
    builtIn: false,
    createdAt: deps.clock.now().toISOString(),
    version: 1,
  };
  return changePolicy(deps, caller, tenantId, (state) => {
    if (state.policy.groups[input.groupId]) {
      throw new ConflictError(`Group '${input.groupId}' already exists`, {
        extra: { field: 'groupId' },
      });
    }
    const next = copyPolicy(state.policy);
    next.groups[input.groupId] = { rules: [], roles: [] };
    return {
      next,
      audit: { action: 'group.create', target: `group:${input.groupId}`, after: group },
      options: {
        items: [
          {
            Put: {
              TableName: deps.tableName,
              Item: {
                ...keys.group(tenantId, input.groupId),
                type: 'group',
                tenantId,
                ...group,
                holderVersion: 0,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
        limitField: 'body.groupId',
      },
      result: groupView(group, next.groups[input.groupId]),
    };
  });
}

/** Renames a group or changes its description (built-in groups too); optimistic on its version. */
export async function patchGroup(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  groupId: string,
  input: PatchGroupInput,
): Promise<GroupView> {
  const before = await loadGroup(deps, tenantId, groupId);
  const after: GroupRecord = {
    ...before,
    name: input.name ?? before.name,
    ...(input.description !== undefined ? { description: input.description } : {}),
    version: before.version + 1,
  };
  await transactWrite(
    deps.db,
    [
      {
        // An update, not a Put: the item's `holderVersion` (see policy-writes) must survive.
        Update: {
          TableName: deps.tableName,
          Key: keys.group(tenantId, groupId),
          UpdateExpression:
            after.description !== undefined
              ? 'SET #name = :name, description = :description, version = :next'
              : 'SET #name = :name, version = :next',
          ConditionExpression: 'version = :v',
          ExpressionAttributeNames: { '#name': 'name' },
          ExpressionAttributeValues: {
            ':name': after.name,
            ...(after.description !== undefined ? { ':description': after.description } : {}),
            ':next': after.version,
            ':v': before.version,
          },
        },
      },
      auditPut(
        deps.tableName,
        {
          tenantId,
          actor: caller.userId,
          action: 'group.update',
          target: `group:${groupId}`,
          before,
          after,
        },
        deps.clock.now(),
      ),
    ],
    () => new ConflictError('The group changed while updating; retry'),
  );
  return groupView(after, (await loadPolicy(deps, tenantId)).groups[groupId]);
}

/**
 * Deletes a custom group: its grants leave the policy and every member and service account
 * leaves it, in one transaction; refused (409) when that would leave no superuser. Built-in
 * groups stay. The group item is read before the holders are queried and deleted only as read,
 * so a join committed in between makes the delete re-plan (see `holderBumps`).
 */
export async function deleteGroup(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  groupId: string,
): Promise<void> {
  if (groupId === EVERYONE_GROUP || groupId === SUPERUSERS_GROUP) {
    throw new ConflictError(`The built-in group '${groupId}' cannot be deleted`);
  }
  await changePolicy(deps, caller, tenantId, async (state) => {
    const grants = state.policy.groups[groupId];
    if (!grants) throw new NotFoundError(`Group '${groupId}' not found`);
    const { group, read } = await readGroup(deps, tenantId, groupId);
    const next = copyPolicy(state.policy);
    delete next.groups[groupId];
    return {
      next,
      audit: {
        action: 'group.delete',
        target: `group:${groupId}`,
        before: { ...group, ...grants },
      },
      options: {
        items: [deleteHeldItem(deps, keys.group(tenantId, groupId), read)],
        editMember: (m) =>
          m.groups.includes(groupId)
            ? { ...m, groups: m.groups.filter((g) => g !== groupId) }
            : undefined,
        editServiceAccount: (sa) =>
          sa.groups.includes(groupId)
            ? { ...sa, groups: sa.groups.filter((g) => g !== groupId) }
            : undefined,
      },
      result: undefined,
    };
  });
}

/**
 * Binds a role to a group, on everything or under `scope`; it takes effect for every member of
 * the group on their next request. The caller must hold what the binding confers. Idempotent.
 */
export async function bindGroupRole(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  groupId: string,
  roleId: string,
  scope: string | undefined,
): Promise<GroupView> {
  assertValidScope(scope);
  const group = await loadGroup(deps, tenantId, groupId);
  const binding: RoleBinding = scope === undefined ? { roleId } : { roleId, scope };
  return changePolicy(deps, caller, tenantId, (state) => {
    const grants = state.policy.groups[groupId];
    if (!grants) throw new NotFoundError(`Group '${groupId}' not found`);
    if (!state.policy.roles[roleId]) throw new NotFoundError(`Role '${roleId}' not found`);
    assertScopeAccepted(state.policy, binding);
    assertCanGrant(state.actorPermissions, state.compiled, state.policy, { roles: [binding] });
    const next = copyPolicy(state.policy);
    const others = grants.roles.filter((r) => !(r.roleId === roleId && r.scope === scope));
    const after = { rules: grants.rules, roles: [...others, binding] };
    next.groups[groupId] = after;
    return {
      next,
      audit: {
        action: 'group.role.bind',
        target: `group:${groupId}`,
        before: grants,
        after,
      },
      options: { limitField: 'path.roleId' },
      result: groupView(group, after),
    };
  });
}

/** Unbinds a role (every scope of it) from a group; 409 when it would leave no superuser. */
export async function unbindGroupRole(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  groupId: string,
  roleId: string,
): Promise<void> {
  await changePolicy(deps, caller, tenantId, (state) => {
    const grants = state.policy.groups[groupId];
    if (!grants) throw new NotFoundError(`Group '${groupId}' not found`);
    if (!grants.roles.some((r) => r.roleId === roleId)) {
      throw new NotFoundError(`Group '${groupId}' does not have role '${roleId}'`);
    }
    const next = copyPolicy(state.policy);
    const after = { rules: grants.rules, roles: grants.roles.filter((r) => r.roleId !== roleId) };
    next.groups[groupId] = after;
    return {
      next,
      audit: { action: 'group.role.unbind', target: `group:${groupId}`, before: grants, after },
      result: undefined,
    };
  });
}
