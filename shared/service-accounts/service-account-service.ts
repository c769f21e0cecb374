/**
 * Service accounts of a tenant: create, read, list, rename, enable/disable, delete (with their
 * tokens), and their groups, roles and direct rules, under the same grant guard as members.
 */
import type { Caller, StoreDeps } from '#shared/app/context.js';
import { auditPut } from '#shared/audit/audit-event.js';
import { ConflictError } from '#shared/errors/domain-errors.js';
import { newIncarnation } from '#shared/platform/incarnation.js';
import { loadTenantState } from '#shared/policy/tenant-state.js';
import { grantEdits } from '#shared/principals/grant-edits.js';
import { permissionsPage } from '#shared/principals/principal-permissions.js';
import {
  actingMember,
  loadServiceAccount,
  mutateServiceAccount,
  SERVICE_ACCOUNT,
} from '#shared/service-accounts/service-account-mutation.js';
import type {
  CreateServiceAccountInput,
  PatchServiceAccountInput,
} from '#shared/service-accounts/service-account-schemas.js';
import type { Page } from '#shared/store/pagination.js';
import {
  type ServiceAccountRecord,
  serviceAccountGrants,
  serviceAccountPage,
  serviceAccountPrincipal,
  serviceAccountPut,
  serviceAccountView,
} from '#shared/store/records/service-account-record.js';

export {
  actingMember,
  findServiceAccount,
  loadServiceAccount,
  permissionsOf,
} from '#shared/service-accounts/service-account-mutation.js';

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
  const taken = () =>
    new ConflictError(`Service account '${sa.serviceAccountId}' already exists`, {
      extra: { field: 'serviceAccountId' },
    });
  const event = {
    tenantId,
    actor: caller.userId,
    action: 'service-account.create' as const,
    target: serviceAccountPrincipal(sa.serviceAccountId),
    after: serviceAccountView(sa),
  };
  await deps.table.transact([
    serviceAccountPut(sa, undefined, taken),
    actorCheck,
    auditPut(event, deps.clock.now()),
  ]);
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
  const page = await serviceAccountPage(deps.table, tenantId, query);
  return { ...page, items: page.items.map(serviceAccountView) };
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
    { action: 'service-account.update' },
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
  await mutateServiceAccount(deps, caller, tenantId, id, () => undefined, {
    action: 'service-account.delete',
    against: 'delete',
  });
}

const edits = grantEdits(SERVICE_ACCOUNT);

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
  return serviceAccountView(await edits.bindRole(deps, caller, tenantId, id, roleId, scope));
}

/** Removes a role binding (every scope of it) from a service account. */
export const unbindServiceAccountRole = edits.unbindRole;

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
  return serviceAccountView(await edits.addGroup(deps, caller, tenantId, id, groupId));
}

/** Takes a service account out of a group. */
export const removeServiceAccountFromGroup = edits.removeGroup;

/** Grants a direct rule to a service account (ACL API); the caller must hold it. Idempotent. */
export const grantServiceAccountRule = edits.grantRule;

/** Revokes a direct rule of a service account (404 when absent). */
export const revokeServiceAccountRule = edits.revokeRule;

/** A service account's effective permissions, each with where it came from, one page at a time. */
export async function serviceAccountPermissions(
  deps: StoreDeps,
  tenantId: string,
  id: string,
  query: { limit: number; cursor?: string },
) {
  const state = await loadTenantState(deps, tenantId);
  const sa = await loadServiceAccount(deps, tenantId, id);
  return {
    serviceAccountId: id,
    ...permissionsPage(state.compiled, serviceAccountGrants(sa), query),
  };
}
