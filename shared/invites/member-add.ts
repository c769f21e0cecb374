/**
 * Adding a person directly by email (the operator path, DC/OS `dcos_add_user.py`), with their
 * consent: the add writes a pending member and an invite carrying it, through the invite outbox.
 * Nothing about the address's account is looked up, so the answer, the items written and the
 * mail are the same whether or not the person has an account (rule 17). Accepting the invite
 * (with their session, or choosing a password, which creates the account) activates the member
 * with every grant given meanwhile.
 */
import { ulid } from 'ulid';
import type { Caller, StoreDeps } from '#shared/app/context.js';
import { withOptimisticRetry } from '#shared/common/optimistic-retry.js';
import { ConflictError } from '#shared/errors/domain-errors.js';
import { planInvite } from '#shared/invites/invite-create.js';
import { assertNotSuppressed } from '#shared/invites/invite-suppression.js';
import { assertMailQuota } from '#shared/limits/mail-limits.js';
import {
  actorUnchanged,
  assertNewMemberWithinLimits,
  initialGrants,
  planNewMember,
} from '#shared/members/member-service.js';
import { assertCanGrant, assertKnown } from '#shared/policy/grant-guard.js';
import { loadTenantState, type TenantState } from '#shared/policy/tenant-state.js';
import { memberView, PENDING_ID_PREFIX } from '#shared/store/records/member-record.js';

/** 400 unknown roles or groups, 403 granting more than the caller holds, 409 past the limits. */
function assertAddable(state: TenantState, input: { roles?: string[]; groups?: string[] }): void {
  assertKnown(state.policy, {
    roles: input.roles?.map((roleId) => ({ roleId })),
    groups: input.groups,
  });
  const { roles, groups } = initialGrants(state, input);
  assertCanGrant(state.actorPermissions, state.compiled, state.policy, {
    roles: roles.filter((r) => input.roles?.includes(r.roleId)),
    groups: groups.filter((g) => input.groups?.includes(g)),
  });
  assertNewMemberWithinLimits(state, input);
}

/**
 * Adds `email` as a pending member with the tenant defaults plus the given roles and groups
 * (the caller must hold them), and invites them. 409 when the email already has a member or an
 * open invite in this tenant, or when the address is suppressed (an earlier mail to it bounced
 * or drew a complaint); 429 when the tenant's mail limit is reached.
 */
export async function addMember(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  input: { email: string; roles?: string[]; groups?: string[] },
) {
  return withOptimisticRetry(async () => {
    const state = await loadTenantState(deps, tenantId, caller);
    assertAddable(state, input);
    await assertNotSuppressed(deps, tenantId, input.email, 'body.email');
    await assertMailQuota(deps, tenantId, state.mailLimits, 1);
    const pendingId = `${PENDING_ID_PREFIX}${ulid(deps.clock.now().getTime())}`;
    const openInvite = () =>
      new ConflictError(
        `${input.email} has an open invite in this tenant; revoke it or let it be accepted`,
        { extra: { field: 'email' } },
      );
    const invite = planInvite(
      deps,
      state,
      caller,
      input.email,
      { roles: [...new Set(input.roles ?? [])], groups: [...new Set(input.groups ?? [])] },
      { pendingMemberId: pendingId, openInvite },
    );
    const member = await planNewMember(
      deps,
      state,
      { userId: pendingId, email: input.email },
      input,
      caller.userId,
      'member.add',
      { status: 'pending', inviteId: invite.invite.inviteId },
    );
    // First failed condition decides: the mail limits, the email's member, its open invite.
    await deps.table.transact([
      ...invite.counters,
      // The email's uniqueness item answers 409 (already a member) when taken.
      ...member.items,
      ...actorUnchanged(deps, state, caller, pendingId),
      ...invite.writes,
    ]);
    if (!member.after) throw new Error('unreachable');
    return {
      ...memberView(member.after),
      inviteId: invite.invite.inviteId,
      expiresAt: invite.invite.expiresAt,
    };
  });
}
