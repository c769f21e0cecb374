/**
 * Roles of a tenant: metadata in their own items, permissions in the tenant policy item, so an
 * edit takes effect for every bound member on their next request. Built-in roles are fixed.
 */
import { validateResourceId } from '#shared/acl/engine.js';
import { BUILT_IN_ROLES } from '#shared/acl/management-permissions.js';
import type { Rule, TenantPolicy } from '#shared/acl/types.js';
import type { Caller, StoreDeps } from '#shared/app/context.js';
import { ConflictError, InvalidError, NotFoundError } from '#shared/errors/domain-errors.js';
import { assertNamespaceAccepts } from '#shared/permissions/acl-service.js';
import {
  deleteCatalogEntry,
  getCatalogEntry,
  listCatalog,
  readCatalogEntry,
} from '#shared/policy/catalog.js';
import { assertCanGrant } from '#shared/policy/grant-guard.js';
import { changePolicy, copyPolicy } from '#shared/policy/policy-writes.js';
import type { CreateRoleInput, PutRoleInput, RoleView } from '#shared/roles/role-schemas.js';
import type { Page } from '#shared/store/pagination.js';
import {
  catalogCreate,
  catalogRename,
  type RoleRecord,
  roleFromItem,
} from '#shared/store/records/catalog-record.js';
import type { Item } from '#shared/store/table.js';

function roleView(r: RoleRecord, permissions: Rule[] | undefined): RoleView {
  return {
    roleId: r.roleId,
    name: r.name,
    builtIn: r.builtIn,
    createdAt: r.createdAt,
    permissions: permissions ?? [],
  };
}

const viewOf = (item: Item, policy: TenantPolicy) => {
  const r = roleFromItem(item);
  return roleView(r, policy.roles[r.roleId]);
};

async function loadRole(deps: StoreDeps, tenantId: string, roleId: string): Promise<RoleRecord> {
  return roleFromItem((await readCatalogEntry(deps, 'role', tenantId, roleId)).item);
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
export function listRoles(
  deps: StoreDeps,
  tenantId: string,
  query: { limit: number; cursor?: string },
): Promise<Page<RoleView>> {
  return listCatalog(deps, 'role', tenantId, query, viewOf);
}

/** Reads one role with its permissions. */
export function getRole(deps: StoreDeps, tenantId: string, roleId: string): Promise<RoleView> {
  return getCatalogEntry(deps, 'role', tenantId, roleId, viewOf);
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
        items: [catalogCreate('role', tenantId, role)],
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
          // Role edits are serialized by the policy version condition of the same transaction.
          catalogRename(
            'role',
            tenantId,
            roleId,
            { name: input.name, version: 'increment' },
            { if: 'attribute_exists(pk)' },
          ),
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
  await deleteCatalogEntry(deps, caller, tenantId, 'role', roleId, {
    held: (policy) => policy.roles[roleId],
    drop: (next) => {
      delete next.roles[roleId];
      for (const grants of Object.values(next.groups)) {
        grants.roles = grants.roles.filter((b) => b.roleId !== roleId);
      }
    },
    before: (item, permissions) => ({ ...roleFromItem(item), permissions }),
  });
}
