/**
 * Roles of a tenant: metadata in their own items, permissions in the tenant policy item, so an
 * edit takes effect for every bound member on their next request. Built-in roles are fixed.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { validateResourceId } from '#shared/acl/engine.js';
import { BUILT_IN_ROLES } from '#shared/acl/management-permissions.js';
import type { Rule, TenantPolicy } from '#shared/acl/types.js';
import type { Caller, StoreDeps } from '#shared/app/context.js';
import { ConflictError, InvalidError, NotFoundError } from '#shared/errors/domain-errors.js';
import { loadPolicy } from '#shared/groups/group-service.js';
import { assertNamespaceAccepts } from '#shared/permissions/acl-service.js';
import { assertCanGrant } from '#shared/policy/grant-guard.js';
import {
  changePolicy,
  copyPolicy,
  deleteHeldItem,
  type HeldItemRead,
  heldItemRead,
} from '#shared/policy/policy-writes.js';
import type { CreateRoleInput, PutRoleInput, RoleView } from '#shared/roles/role-schemas.js';
import { keys } from '#shared/store/keys.js';
import { decodeCursor, encodeCursor, type Page } from '#shared/store/pagination.js';

interface RoleRecord {
  roleId: string;
  name: string;
  builtIn: boolean;
  createdAt: string;
  version: number;
}

function roleFromItem(item: Record<string, unknown>): RoleRecord {
  return {
    roleId: String(item.roleId),
    name: String(item.name),
    builtIn: item.builtIn === true,
    createdAt: String(item.createdAt),
    version: Number(item.version ?? 0),
  };
}

function roleView(r: RoleRecord, permissions: Rule[] | undefined): RoleView {
  return {
    roleId: r.roleId,
    name: r.name,
    builtIn: r.builtIn,
    createdAt: r.createdAt,
    permissions: permissions ?? [],
  };
}

function roleItem(tenantId: string, r: RoleRecord): Record<string, unknown> {
  return { ...keys.role(tenantId, r.roleId), type: 'role', tenantId, ...r };
}

async function readRole(
  deps: StoreDeps,
  tenantId: string,
  roleId: string,
): Promise<{ role: RoleRecord; read: HeldItemRead }> {
  const res = await deps.db.send(
    new GetCommand({
      TableName: deps.tableName,
      Key: keys.role(tenantId, roleId),
      ConsistentRead: true,
    }),
  );
  if (!res.Item) throw new NotFoundError(`Role '${roleId}' not found`);
  return { role: roleFromItem(res.Item), read: heldItemRead(res.Item) };
}

async function loadRole(deps: StoreDeps, tenantId: string, roleId: string): Promise<RoleRecord> {
  return (await readRole(deps, tenantId, roleId)).role;
}

/** Deduplicated permissions, each a valid resource id that its namespace accepts (400 otherwise). */
function checkedPermissions(policy: TenantPolicy, permissions: Rule[]): Rule[] {
  const out: Rule[] = [];
  permissions.forEach((p, i) => {
    const problem = validateResourceId(p.resource);
    if (problem) {
      throw new InvalidError(`Invalid resource id: ${problem}`, [
        { path: `body.permissions.${i}.resource`, message: problem },
      ]);
    }
    assertNamespaceAccepts(policy.namespaces, p, `body.permissions.${i}.action`);
    if (!out.some((o) => o.resource === p.resource && o.action === p.action)) out.push(p);
  });
  return out;
}

function assertCustom(roleId: string): void {
  if (Object.hasOwn(BUILT_IN_ROLES, roleId)) {
    throw new ConflictError(`The built-in role '${roleId}' cannot be changed or deleted`);
  }
}

/** Lists the tenant's roles with their permissions, by role id, with cursor pagination. */
export async function listRoles(
  deps: StoreDeps,
  tenantId: string,
  query: { limit: number; cursor?: string },
): Promise<Page<RoleView>> {
  const partition = { pk: keys.tenantPartition(tenantId) };
  const [res, policy] = await Promise.all([
    deps.db.send(
      new QueryCommand({
        TableName: deps.tableName,
        KeyConditionExpression: 'pk = :p AND begins_with(sk, :r)',
        ExpressionAttributeValues: { ':p': partition.pk, ':r': keys.rolePrefix },
        Limit: query.limit,
        ExclusiveStartKey: decodeCursor(query.cursor, partition, { sk: keys.rolePrefix }),
      }),
    ),
    loadPolicy(deps, tenantId),
  ]);
  const items = (res.Items ?? []).map(roleFromItem).map((r) => roleView(r, policy.roles[r.roleId]));
  return { items, nextCursor: encodeCursor(res.LastEvaluatedKey) };
}

/** Reads one role with its permissions. */
export async function getRole(
  deps: StoreDeps,
  tenantId: string,
  roleId: string,
): Promise<RoleView> {
  const [role, policy] = await Promise.all([
    loadRole(deps, tenantId, roleId),
    loadPolicy(deps, tenantId),
  ]);
  return roleView(role, policy.roles[roleId]);
}

/** Creates a custom role; the caller must hold every permission in it. A taken id is a 409. */
export async function createRole(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  input: CreateRoleInput,
): Promise<RoleView> {
  const role: RoleRecord = {
    roleId: input.roleId,
    name: input.name,
    builtIn: false,
    createdAt: deps.clock.now().toISOString(),
    version: 1,
  };
  return changePolicy(deps, caller, tenantId, (state) => {
    if (state.policy.roles[input.roleId]) {
      throw new ConflictError(`Role '${input.roleId}' already exists`, {
        extra: { field: 'roleId' },
      });
    }
    const permissions = checkedPermissions(state.policy, input.permissions);
    assertCanGrant(state.actorPermissions, state.compiled, state.policy, { rules: permissions });
    const next = copyPolicy(state.policy);
    next.roles[input.roleId] = permissions;
    return {
      next,
      audit: {
        action: 'role.create',
        target: `role:${input.roleId}`,
        after: { ...role, permissions },
      },
      options: {
        items: [
          {
            Put: {
              TableName: deps.tableName,
              Item: { ...roleItem(tenantId, role), holderVersion: 0 },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
        limitField: (limit) => (limit === 'rolesPerTenant' ? 'body.roleId' : 'body.permissions'),
      },
      result: roleView(role, permissions),
    };
  });
}

/**
 * Replaces a custom role's name and permissions; every member bound to it (directly or through
 * a group) gets the new permissions on their next request. The editor must hold every
 * permission of the new definition; 409 when the edit would leave no superuser.
 */
export async function replaceRole(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  roleId: string,
  input: PutRoleInput,
): Promise<RoleView> {
  assertCustom(roleId);
  const role = await loadRole(deps, tenantId, roleId);
  return changePolicy(deps, caller, tenantId, (state) => {
    const before = state.policy.roles[roleId];
    if (!before) throw new NotFoundError(`Role '${roleId}' not found`);
    const permissions = checkedPermissions(state.policy, input.permissions);
    assertCanGrant(state.actorPermissions, state.compiled, state.policy, { rules: permissions });
    const next = copyPolicy(state.policy);
    next.roles[roleId] = permissions;
    const after: RoleRecord = { ...role, name: input.name };
    return {
      next,
      audit: {
        action: 'role.update',
        target: `role:${roleId}`,
        before: { name: role.name, permissions: before },
        after: { name: input.name, permissions },
      },
      options: {
        items: [
          {
            // Role edits are serialized by the policy version condition of the same transaction.
            Update: {
              TableName: deps.tableName,
              Key: keys.role(tenantId, roleId),
              UpdateExpression: 'SET #name = :name, version = version + :one',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeNames: { '#name': 'name' },
              ExpressionAttributeValues: { ':name': input.name, ':one': 1 },
            },
          },
        ],
        limitField: 'body.permissions',
      },
      result: roleView(after, permissions),
    };
  });
}

/**
 * Deletes a custom role: its permissions leave the policy, its bindings leave every group,
 * member and service account, in one transaction; 409 when that would leave no superuser. The
 * role item is read before the holders are queried and deleted only as read, so a bind
 * committed in between makes the delete re-plan (see `holderBumps`).
 */
export async function deleteRole(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  roleId: string,
): Promise<void> {
  assertCustom(roleId);
  await changePolicy(deps, caller, tenantId, async (state) => {
    const permissions = state.policy.roles[roleId];
    if (!permissions) throw new NotFoundError(`Role '${roleId}' not found`);
    const { role, read } = await readRole(deps, tenantId, roleId);
    const next = copyPolicy(state.policy);
    delete next.roles[roleId];
    for (const grants of Object.values(next.groups)) {
      grants.roles = grants.roles.filter((b) => b.roleId !== roleId);
    }
    return {
      next,
      audit: { action: 'role.delete', target: `role:${roleId}`, before: { ...role, permissions } },
      options: {
        items: [deleteHeldItem(deps, keys.role(tenantId, roleId), read)],
        editMember: (m) =>
          m.roles.some((b) => b.roleId === roleId)
            ? { ...m, roles: m.roles.filter((b) => b.roleId !== roleId) }
            : undefined,
        editServiceAccount: (sa) =>
          sa.roles.some((b) => b.roleId === roleId)
            ? { ...sa, roles: sa.roles.filter((b) => b.roleId !== roleId) }
            : undefined,
      },
      result: undefined,
    };
  });
}
