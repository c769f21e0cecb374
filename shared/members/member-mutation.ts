/**
 * The one versioned write every change of an existing member goes through (status, logout,
 * delete, grants), and the member as a kind of principal for the shared grant edits.
 */

import { compilePrincipal } from '#shared/acl/engine.js';
import { assertOutranks } from '#shared/acl/hierarchy.js';
import type { Caller, StoreDeps } from '#shared/app/context.js';
import type { AuditAction } from '#shared/audit/audit-actions.js';
import { withOptimisticRetry } from '#shared/common/optimistic-retry.js';
import { NotFoundError, UnauthorizedError } from '#shared/errors/domain-errors.js';
import { loadMember } from '#shared/members/member-lookup.js';
import { memberStillActive, planMemberChange } from '#shared/members/member-writes.js';
import { loadTenantState, type TenantState } from '#shared/policy/tenant-state.js';
import type { PrincipalKind } from '#shared/principals/grant-edits.js';
import { grantsOf, type MemberRecord } from '#shared/store/records/member-record.js';
import type { TxItem } from '#shared/store/table.js';

/**
 * The acting member must still be an active member when the write commits: the authorizer's
 * check ran earlier, and a concurrent delete or disable of the actor must not let it act.
 */
export function actorUnchanged(
  deps: StoreDeps,
  state: TenantState,
  caller: Caller,
  targetUserId: string,
): TxItem[] {
  const actor = state.actor;
  if (!actor) throw new NotFoundError(`Tenant '${state.tenantId}' not found`);
  if (actor.status !== 'active') throw new UnauthorizedError('Your membership is disabled');
  // The target's own Put already carries a version condition; one item cannot appear twice.
  if (caller.userId === targetUserId) return [];
  return [memberStillActive(deps, state.tenantId, actor)];
}

/** A member's next state (or undefined: deleted) from the member read and fresh tenant state. */
export type MemberEdit = (
  m: MemberRecord,
  state: TenantState,
) => Omit<MemberRecord, 'superuser' | 'version'> | undefined;

/** Rule 12: a change against another member needs the caller to hold at least what they do. */
function assertActsAgainst(
  state: TenantState,
  caller: Caller,
  target: MemberRecord,
  against: string | undefined,
) {
  // A caller who is no longer an active member is refused by actorUnchanged (404/401).
  if (!against || target.userId === caller.userId || state.actor?.status !== 'active') return;
  assertOutranks(
    state.actorPermissions,
    compilePrincipal(state.compiled, grantsOf(target)),
    against,
  );
}

/**
 * Shared shape of member mutations: fresh state, a pure change, one conditional transaction
 * (conditioned on the target's, the actor's and the policy's versions), retried when raced.
 * `extra` items (from the member as read) join the same transaction.
 */
export async function mutateMember(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  userId: string,
  change: MemberEdit,
  act: {
    action: AuditAction /** Rule 12: the act against the target ("delete", ...). */;
    against?: string;
  },
  extra?: (m: MemberRecord) => TxItem[] | Promise<TxItem[]>,
): Promise<MemberRecord | undefined> {
  return withOptimisticRetry(
    async () => {
      const state = await loadTenantState(deps, tenantId, caller);
      const before = await loadMember(deps, tenantId, userId);
      assertActsAgainst(state, caller, before, act.against);
      const planned = planMemberChange(deps, state, before, change(before, state), {
        actor: caller.userId,
        action: act.action,
        target: `member:${userId}`,
      });
      const actorCheck = actorUnchanged(deps, state, caller, userId);
      const extraItems = extra ? await extra(before) : [];
      await deps.table.transact([...planned.items, ...actorCheck, ...extraItems]);
      return planned.after;
    },
    { serializeOn: `member:${tenantId}:${userId}` },
  );
}

/** Members for the shared grant edits. */
export const MEMBER: PrincipalKind<MemberRecord> = {
  label: 'Member',
  noun: 'this member',
  everyone: 'always',
  checksNamespaces: false,
  actions: {
    groupAdd: 'group.member.add',
    groupRemove: 'group.member.remove',
    roleBind: 'member.role.bind',
    roleUnbind: 'member.role.unbind',
  },
  edit: mutateMember,
};
