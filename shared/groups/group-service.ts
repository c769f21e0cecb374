/**
 * Groups of a tenant: metadata in their own items, grants (rules, role bindings) in the tenant
 * policy item. Changes go through policy transactions that keep at least one superuser.
 */
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
  changeGroupGrants,
  deleteCatalogEntry,
  getCatalogEntry,
  listCatalog,
  loadPolicy,
  readCatalogEntry,
} from '#shared/policy/catalog.js';
import {
  assertCanGrant,
  assertScopeAccepted,
  assertValidScope,
} from '#shared/policy/grant-guard.js';
import { changePolicy, copyPolicy } from '#shared/policy/policy-writes.js';
import type { Page } from '#shared/store/pagination.js';
import {
  catalogCreate,
  catalogRename,
  type GroupRecord,
  groupFromItem,
} from '#shared/store/records/catalog-record.js';
import type { Item } from '#shared/store/table.js';

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

const viewOf = (item: Item, policy: TenantPolicy) => {
  const g = groupFromItem(item);
  return groupView(g, policy.groups[g.groupId]);
};

async function loadGroup(deps: StoreDeps, tenantId: string, groupId: string): Promise<GroupRecord> {
  return groupFromItem((await readCatalogEntry(deps, 'group', tenantId, groupId)).item);
}

/** Lists the tenant's groups with their grants, by group id, with cursor pagination. */
export function listGroups(
  deps: StoreDeps,
  tenantId: string,
  query: { limit: number; cursor?: string },
): Promise<Page<GroupView>> {
  return listCatalog(deps, 'group', tenantId, query, viewOf);
}

/** Reads one group with its rules and role bindings. */
export function getGroup(deps: StoreDeps, tenantId: string, groupId: string): Promise<GroupView> {
  return getCatalogEntry(deps, 'group', tenantId, groupId, viewOf);
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
        items: [catalogCreate('group', tenantId, group)],
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
  await deps.table.transact([
    // An update, not a Put: the item's `holderVersion` (see policy-writes) must survive.
    catalogRename(
      'group',
      tenantId,
      groupId,
      { name: after.name, description: after.description, version: after.version },
      {
        if: 'version = :v',
        values: { ':v': before.version },
        else: () => new ConflictError('The group changed while updating; retry'),
      },
    ),
    auditPut(
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
  ]);
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
  await deleteCatalogEntry(deps, caller, tenantId, 'group', groupId, {
    held: (policy) => policy.groups[groupId],
    drop: (next) => {
      delete next.groups[groupId];
    },
    before: (item, grants) => ({ ...groupFromItem(item), ...grants }),
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
  return changeGroupGrants(deps, caller, tenantId, groupId, (grants, state) => {
    if (!state.policy.roles[roleId]) throw new NotFoundError(`Role '${roleId}' not found`);
    assertScopeAccepted(state.policy, binding);
    assertCanGrant(state.actorPermissions, state.compiled, state.policy, { roles: [binding] });
    const others = grants.roles.filter((r) => !(r.roleId === roleId && r.scope === scope));
    const after = { rules: grants.rules, roles: [...others, binding] };
    return {
      after,
      action: 'group.role.bind',
      limitField: 'path.roleId',
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
  await changeGroupGrants(deps, caller, tenantId, groupId, (grants) => {
    if (!grants.roles.some((r) => r.roleId === roleId)) {
      throw new NotFoundError(`Group '${groupId}' does not have role '${roleId}'`);
    }
    const after = { rules: grants.rules, roles: grants.roles.filter((r) => r.roleId !== roleId) };
    return { after, action: 'group.role.unbind', result: undefined };
  });
}
