/**
 * Members of a tenant: read, list, enable/disable, delete one at a time, log out, bind/unbind
 * roles, join/leave groups and direct rules, always keeping at least one active superuser.
 */

import type { Caller, StoreDeps } from '#shared/app/context.js';
import { withOptimisticRetry } from '#shared/common/optimistic-retry.js';
import { ConflictError, ForbiddenError, NotFoundError } from '#shared/errors/domain-errors.js';
import { loadMember } from '#shared/members/member-lookup.js';
import { MEMBER, mutateMember } from '#shared/members/member-mutation.js';
import { planMemberChange } from '#shared/members/member-writes.js';
import { recordForcedLogout } from '#shared/observability/metrics.js';
import { loadTenantState } from '#shared/policy/tenant-state.js';
import { grantEdits } from '#shared/principals/grant-edits.js';
import { permissionsPage } from '#shared/principals/principal-permissions.js';
import { encodeCursor, type Page } from '#shared/store/pagination.js';
import {
  grantsOf,
  type MemberRecord,
  memberCursorKey,
  memberFromItem,
  memberListingStart,
  memberPage,
  memberView,
} from '#shared/store/records/member-record.js';
import { pendingInviteDeletions } from '#shared/store/records/pending-invites.js';
import { personalTokenDeletions } from '#shared/store/records/token-record.js';
import type { TxItem } from '#shared/store/table.js';

export {
  assertNewMemberWithinLimits,
  initialGrants,
  planActivation,
  planNewMember,
} from '#shared/members/member-joining.js';
export { findMemberByEmail, loadMember } from '#shared/members/member-lookup.js';
export { actorUnchanged } from '#shared/members/member-mutation.js';

export async function getMember(deps: StoreDeps, tenantId: string, userId: string) {
  const m = await loadMember(deps, tenantId, userId);
  return { ...memberView(m), rules: m.rules };
}

/** How many index pages one listing may read while filtering, before it returns a cursor. */
const MAX_PAGES_PER_LISTING = 10;

/**
 * Lists members, optionally by group, role, status or email prefix, with cursor pagination.
 * Group, role and status filters run here on the tenant's member pages (role bindings are maps
 * with optional scopes; no index per status), reading further pages until `limit` members
 * matched; the cursor is the key of the last member returned.
 */
export async function listMembers(
  deps: StoreDeps,
  tenantId: string,
  query: {
    limit: number;
    cursor?: string;
    group?: string;
    role?: string;
    email?: string;
    status?: MemberRecord['status'];
  },
): Promise<Page<ReturnType<typeof memberView>>> {
  const matches = (m: MemberRecord) =>
    (!query.status || m.status === query.status) &&
    (!query.group || m.groups.includes(query.group)) &&
    (!query.role || m.roles.some((r) => r.roleId === query.role));
  const found: MemberRecord[] = [];
  let startKey = memberListingStart(tenantId, query.email, query.cursor);
  for (let page = 0; page < MAX_PAGES_PER_LISTING; page++) {
    const res = await memberPage(deps.table, tenantId, { ...query, startKey });
    for (const [i, item] of res.items.entries()) {
      const m = memberFromItem(item);
      if (!matches(m)) continue;
      found.push(m);
      if (found.length === query.limit) {
        const more = i < res.items.length - 1 || res.lastKey !== undefined;
        const last = memberCursorKey(item, query.email !== undefined);
        return { items: found.map(memberView), nextCursor: more ? encodeCursor(last) : null };
      }
    }
    startKey = res.lastKey;
    if (!startKey) break;
  }
  return { items: found.map(memberView), nextCursor: encodeCursor(startKey) };
}

/** Enables or disables a member; disabling ends their sessions at once. Never yourself. */
export async function setMemberStatus(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  userId: string,
  status: 'active' | 'disabled',
) {
  if (userId === caller.userId && status === 'disabled')
    throw new ConflictError('You cannot disable yourself');
  const after = await mutateMember(
    deps,
    caller,
    tenantId,
    userId,
    (m) => {
      if (m.status === 'pending')
        throw new ConflictError(
          'A pending member becomes active only by accepting their invite; delete it instead',
        );
      return {
        ...m,
        status,
        sessionsValidAfter:
          status === 'disabled' ? deps.clock.now().getTime() : m.sessionsValidAfter,
      };
    },
    status === 'disabled'
      ? { action: 'member.disable', against: 'disable' }
      : { action: 'member.enable' },
  );
  if (!after) throw new Error('unreachable');
  return memberView(after);
}

/** What goes with a membership: the person's pending invites and personal tokens in the tenant. */
async function membershipLeftovers(
  deps: StoreDeps,
  tenantId: string,
  m: Pick<MemberRecord, 'userId' | 'email'>,
): Promise<TxItem[]> {
  return [
    ...(await pendingInviteDeletions(deps.table, tenantId, m.email)),
    ...(await personalTokenDeletions(deps.table, tenantId, m.userId)),
  ];
}

/**
 * Deletes one member: their grants and group memberships (held on the member item), their
 * pending invites and their personal tokens go in one transaction. Never yourself; never the
 * last superuser.
 */
export async function deleteMember(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  userId: string,
) {
  if (userId === caller.userId) throw new ConflictError('You cannot delete yourself');
  await mutateMember(
    deps,
    caller,
    tenantId,
    userId,
    () => undefined,
    { action: 'member.delete', against: 'delete' },
    (m) => membershipLeftovers(deps, tenantId, m),
  );
}

const edits = grantEdits(MEMBER);

/**
 * Binds a role to a member, on everything or under `scope`. Idempotent. A first binding of a
 * custom role also bumps the role item, so a concurrent delete of the role cannot miss it: the
 * bind then re-plans and answers 404.
 */
export async function bindMemberRole(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  userId: string,
  roleId: string,
  scope: string | undefined,
) {
  return memberView(await edits.bindRole(deps, caller, tenantId, userId, roleId, scope));
}

/** Removes a role binding (every scope of it) from a member. */
export const unbindMemberRole = edits.unbindRole;

/** Puts a member in a group (idempotent); the caller must hold what the group carries. */
export async function addToGroup(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  groupId: string,
  userId: string,
) {
  await edits.addGroup(deps, caller, tenantId, userId, groupId);
}

/** Takes a member out of a group; nobody leaves `everyone`. */
export function removeFromGroup(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  groupId: string,
  userId: string,
) {
  return edits.removeGroup(deps, caller, tenantId, userId, groupId);
}

/** Grants a direct rule to a member (ACL API). Idempotent. */
export const grantMemberRule = edits.grantRule;

/** Revokes a direct rule from a member (ACL API). */
export const revokeMemberRule = edits.revokeRule;

/** Ends a member's sessions in this tenant now (forced logout). */
export async function forceLogout(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  userId: string,
) {
  await mutateMember(
    deps,
    caller,
    tenantId,
    userId,
    (m) => ({ ...m, sessionsValidAfter: deps.clock.now().getTime() }),
    { action: 'session.logout', against: 'log out' },
  );
  recordForcedLogout('member');
}

/**
 * A member's effective permissions, each with where it came from, one page at a time (`total`
 * counts them all; the tenant's `effectiveRulesPerPrincipal` limit bounds it).
 */
export async function memberPermissions(
  deps: StoreDeps,
  tenantId: string,
  userId: string,
  query: { limit: number; cursor?: string },
) {
  const state = await loadTenantState(deps, tenantId);
  const m = await loadMember(deps, tenantId, userId);
  return { userId, ...permissionsPage(state.compiled, grantsOf(m), query) };
}

/**
 * The caller leaves the tenant by their own act: their membership, grants and group memberships
 * (held on the member item), their pending invites and their personal tokens go in one
 * transaction with a `member.leave` audit event. 409 for the last superuser. Only a signed-in
 * session may leave (an API token acts for its holder, not as them).
 */
export async function leaveTenant(deps: StoreDeps, caller: Caller, tenantId: string) {
  if (caller.authTime === undefined)
    throw new ForbiddenError('Sign in to leave a tenant: API tokens cannot do it');
  await withOptimisticRetry(async () => {
    const state = await loadTenantState(deps, tenantId, caller);
    const me = state.actor;
    if (!me || me.status === 'pending') throw new NotFoundError(`Tenant '${tenantId}' not found`);
    const planned = planMemberChange(deps, state, me, undefined, {
      actor: caller.userId,
      action: 'member.leave',
      target: `member:${caller.userId}`,
    });
    await deps.table.transact([
      ...planned.items,
      ...(await membershipLeftovers(deps, tenantId, me)),
    ]);
  });
}
