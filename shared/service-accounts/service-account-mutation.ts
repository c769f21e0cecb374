/**
 * The one versioned write every change of a service account goes through (rename, status,
 * delete, grants), its actor and superuser rules, and the service account as a kind of
 * principal for the shared grant edits.
 */

import { compilePrincipal, isSuperuser } from '#shared/acl/engine.js';
import { assertOutranks } from '#shared/acl/hierarchy.js';
import type { Caller, StoreDeps } from '#shared/app/context.js';
import type { AuditAction } from '#shared/audit/audit-actions.js';
import { auditPut } from '#shared/audit/audit-event.js';
import { withOptimisticRetry } from '#shared/common/optimistic-retry.js';
import { ForbiddenError } from '#shared/errors/domain-errors.js';
import { memberStillActive } from '#shared/members/member-writes.js';
import { assertPrincipalWithinLimits, limitFieldOf } from '#shared/policy/policy-limits.js';
import { policyUnchanged } from '#shared/policy/superusers.js';
import type { TenantState } from '#shared/policy/tenant-state.js';
import { loadTenantState } from '#shared/policy/tenant-state.js';
import { found } from '#shared/principals/found.js';
import type { PrincipalKind } from '#shared/principals/grant-edits.js';
import {
  readServiceAccount,
  type ServiceAccountRecord,
  serviceAccountDelete,
  serviceAccountGrants,
  serviceAccountPrincipal,
  serviceAccountPut,
  serviceAccountView,
} from '#shared/store/records/service-account-record.js';
import { apiTokenDeletions } from '#shared/store/records/token-record.js';
import type { TxItem } from '#shared/store/table.js';

/** Reads one service account, strongly consistent, or undefined. */
export function findServiceAccount(deps: StoreDeps, tenantId: string, serviceAccountId: string) {
  return readServiceAccount(deps.table, tenantId, serviceAccountId);
}

/** Reads one service account or throws 404. */
export async function loadServiceAccount(
  deps: StoreDeps,
  tenantId: string,
  serviceAccountId: string,
): Promise<ServiceAccountRecord> {
  return found(
    await findServiceAccount(deps, tenantId, serviceAccountId),
    `Service account '${serviceAccountId}' not found`,
  );
}

/**
 * The acting member, who must still be active when the write commits. Service accounts cannot
 * manage service accounts or mint tokens: a leaked token must not be able to mint more.
 */
export function actingMember(deps: StoreDeps, state: TenantState, caller: Caller): TxItem {
  const actor = state.actor;
  if (!actor || actor.userId !== caller.userId) {
    throw new ForbiddenError('Only members can manage service accounts and their tokens');
  }
  if (actor.status !== 'active') throw new ForbiddenError('Your membership is disabled');
  return memberStillActive(deps, state.tenantId, actor);
}

/** What a service account holds under the state's policy (never `everyone`). */
export function permissionsOf(state: TenantState, sa: ServiceAccountRecord) {
  return compilePrincipal(state.compiled, serviceAccountGrants(sa));
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

/**
 * The account's own items: its write (within the limits, never a superuser), or its deletion
 * with every one of its tokens. Minting a token bumps the account's version, so a token created
 * after this read makes the delete fail and retry with it included: no orphan tokens.
 */
async function accountItems(
  deps: StoreDeps,
  state: TenantState,
  before: ServiceAccountRecord,
  after: ServiceAccountRecord | undefined,
  action: string,
): Promise<TxItem[]> {
  if (!after) {
    const tokens = await apiTokenDeletions(deps.table, before.tenantId, before.serviceAccountId);
    return [serviceAccountDelete(before), ...tokens];
  }
  assertNotSuperuser(state, after);
  assertPrincipalWithinLimits(
    state.limits,
    { compiled: state.compiled, grants: serviceAccountGrants(before) },
    { compiled: state.compiled, grants: serviceAccountGrants(after) },
    limitFieldOf(action),
    `service account ${before.serviceAccountId}`,
  );
  return [serviceAccountPut(after, before)];
}

/**
 * Shared shape of service account changes: fresh state, a pure change, one transaction
 * conditioned on the account's, the actor's and the policy's versions, retried when raced.
 * `next` undefined deletes the account and every one of its tokens in the same transaction;
 * `extra` items (from the account as read) join the same transaction. Disabling an active
 * account acts against it (rule 12) like the acts that name `against`.
 */
export async function mutateServiceAccount(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  id: string,
  change: (sa: ServiceAccountRecord, state: TenantState) => ServiceAccountRecord | undefined,
  act: { action: AuditAction; against?: string },
  extra?: (sa: ServiceAccountRecord) => TxItem[],
): Promise<ServiceAccountRecord | undefined> {
  return withOptimisticRetry(async () => {
    const state = await loadTenantState(deps, tenantId, caller);
    const actorCheck = actingMember(deps, state, caller);
    const before = await loadServiceAccount(deps, tenantId, id);
    const next = change(before, state);
    const disabling = next?.status === 'disabled' && before.status === 'active';
    const against = act.against ?? (disabling ? 'disable' : undefined);
    if (against) assertOutranks(state.actorPermissions, permissionsOf(state, before), against);
    const after = next ? { ...next, version: before.version + 1 } : undefined;
    const event = {
      tenantId,
      actor: caller.userId,
      action: act.action,
      target: serviceAccountPrincipal(id),
      before: serviceAccountView(before),
      after: after ? serviceAccountView(after) : undefined,
    };
    await deps.table.transact([
      ...(await accountItems(deps, state, before, after, act.action)),
      policyUnchanged(state),
      actorCheck,
      ...(extra?.(before) ?? []),
      auditPut(event, deps.clock.now()),
    ]);
    return after;
  });
}

/** Service accounts for the shared grant edits. */
export const SERVICE_ACCOUNT: PrincipalKind<ServiceAccountRecord> = {
  label: 'Service account',
  noun: 'this service account',
  everyone: 'never',
  checksNamespaces: true,
  actions: {
    groupAdd: 'service-account.group.add',
    groupRemove: 'service-account.group.remove',
    roleBind: 'service-account.role.bind',
    roleUnbind: 'service-account.role.unbind',
  },
  edit: mutateServiceAccount,
};
