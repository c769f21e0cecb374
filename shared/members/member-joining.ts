/**
 * Planning a new membership: the grants a new member starts with, its limits, and the items of
 * a member added directly, joining by invite, or a pending member activated by its person.
 */

import { EVERYONE_GROUP } from '#shared/acl/types.js';
import type { StoreDeps } from '#shared/app/context.js';
import type { AuditAction } from '#shared/audit/audit-actions.js';
import type { DomainError } from '#shared/errors/domain-errors.js';
import { GoneError } from '#shared/errors/domain-errors.js';
import { type MemberChange, planMemberChange } from '#shared/members/member-writes.js';
import { assertPrincipalWithinLimits } from '#shared/policy/policy-limits.js';
import { holderBumps } from '#shared/policy/policy-writes.js';
import type { TenantState } from '#shared/policy/tenant-state.js';
import {
  MEMBER_FORMAT,
  memberDelete,
  readMember,
  userProfilePut,
} from '#shared/store/records/member-record.js';
import {
  foldedStamp,
  type JoinStamps,
  joinGuards,
  readJoinStamps,
} from '#shared/store/records/session-record.js';
import type { TxItem } from '#shared/store/table.js';

/**
 * What a new membership of `userId` folds in (rule 11, rules 6 and 13): the tenant's session
 * floor for the person and their sign-out stamp, read now, and the transaction items that hold
 * the join to them (see `joinGuards`). A pending member's provisional id has neither.
 */
async function joinStamps(
  deps: StoreDeps,
  tenantId: string,
  userId: string,
  pending: boolean,
): Promise<{ sessionsValidAfter: number; guards: TxItem[] }> {
  if (pending) return { sessionsValidAfter: 0, guards: [] };
  const read: JoinStamps = await readJoinStamps(deps.table, tenantId, userId);
  return { sessionsValidAfter: foldedStamp(read), guards: joinGuards(tenantId, userId, read) };
}

/** Roles and groups a new member starts with: the tenant defaults plus what was granted. */
export function initialGrants(state: TenantState, grants: { roles?: string[]; groups?: string[] }) {
  const roleIds = [...new Set([...state.settings.defaultRoles, ...(grants.roles ?? [])])].filter(
    (r) => state.policy.roles[r],
  );
  const groups = [
    ...new Set([EVERYONE_GROUP, ...state.settings.defaultGroups, ...(grants.groups ?? [])]),
  ].filter((g) => state.policy.groups[g]);
  return { roles: roleIds.map((roleId) => ({ roleId })), groups };
}

/**
 * 409 when a new member given `grants` (with the tenant defaults) would start past the tenant's
 * limits: checked before an invite is sent or a user created, not only when they join.
 */
export function assertNewMemberWithinLimits(
  state: TenantState,
  grants: { roles?: string[]; groups?: string[] },
): void {
  const { roles, groups } = initialGrants(state, grants);
  const field = grants.roles?.length
    ? 'body.roles'
    : grants.groups?.length
      ? 'body.groups'
      : 'body';
  assertPrincipalWithinLimits(
    state.limits,
    { compiled: state.compiled, grants: undefined },
    { compiled: state.compiled, grants: { groups, roles, rules: [] } },
    field,
    'the new member',
  );
}

/**
 * Plans a new membership for `user` with the tenant defaults plus `grants`, to be written with
 * `extra` items in one transaction (the invite accept adds its own). Fails if already a member.
 * Reads the person's session stamps first (one BatchGetItem) and folds them into the item; a
 * sign-out or deletion that lands before the commit fails it as a lost race (retry).
 */
export async function planNewMember(
  deps: StoreDeps,
  state: TenantState,
  user: { userId: string; email: string },
  grants: { roles?: string[]; groups?: string[] },
  actor: string,
  action: AuditAction,
  extra: { status?: 'active' | 'pending'; inviteId?: string; taken?: () => DomainError } = {},
): Promise<MemberChange> {
  const { roles, groups } = initialGrants(state, grants);
  const pending = extra.status === 'pending';
  const stamps = await joinStamps(deps, state.tenantId, user.userId, pending);
  const change = planMemberChange(
    deps,
    state,
    undefined,
    {
      tenantId: state.tenantId,
      userId: user.userId,
      email: user.email,
      status: extra.status ?? 'active',
      ...(extra.inviteId ? { inviteId: extra.inviteId } : {}),
      joinedAt: deps.clock.now().toISOString(),
      groups,
      roles,
      rules: [],
      sessionsValidAfter: stamps.sessionsValidAfter,
      format: MEMBER_FORMAT,
    },
    { actor, action, target: `member:${user.userId}` },
    extra.taken ? { taken: extra.taken } : {},
  );
  change.items.push(
    ...stamps.guards,
    // A pending member has no account here yet: its profile is written when it is activated.
    ...(pending ? [] : [userProfilePut(user)]),
    // A group or role deleted meanwhile fails this and the write re-plans without it.
    ...holderBumps(state.tenantId, { groups, roles: roles.map((r) => r.roleId) }),
  );
  return change;
}

/**
 * Plans activating the pending member `pendingId` as `user` (who accepted its invite): the
 * pending item is replaced by an active member under the person's own userId, keeping every
 * grant given in advance; the email's uniqueness item passes from one to the other. The items
 * start with the new member's Put, then the email item (as for a new member).
 */
export async function planActivation(
  deps: StoreDeps,
  state: TenantState,
  pendingId: string,
  user: { userId: string; email: string },
  taken?: () => DomainError,
): Promise<MemberChange> {
  const pending = await readMember(deps.table, state.tenantId, pendingId);
  if (pending?.status !== 'pending' || pending.email !== user.email)
    throw new GoneError('This invite link is not valid: it is unknown, used, revoked or expired');
  const { superuser: _s, version: _v, inviteId: _i, ...rest } = pending;
  const stamps = await joinStamps(deps, state.tenantId, user.userId, false);
  const change = planMemberChange(
    deps,
    state,
    undefined,
    {
      ...rest,
      userId: user.userId,
      status: 'active',
      joinedAt: deps.clock.now().toISOString(),
      sessionsValidAfter: Math.max(pending.sessionsValidAfter, stamps.sessionsValidAfter),
      format: MEMBER_FORMAT,
    },
    { actor: user.userId, action: 'invite.accept', target: `member:${user.userId}` },
    { takeOverEmailFrom: pending.userId, ...(taken ? { taken } : {}) },
  );
  change.items.push(
    memberDelete(pending),
    ...stamps.guards,
    userProfilePut(user),
    ...holderBumps(state.tenantId, {
      groups: pending.groups,
      roles: pending.roles.map((r) => r.roleId),
    }),
  );
  return change;
}
