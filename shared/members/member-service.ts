/**
 * Members of a tenant: add directly, read, list, enable/disable, delete one at a time,
 * bind/unbind roles, and join/leave groups, always keeping at least one active superuser.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { compilePrincipal, effectiveRules, isSuperuser } from '#shared/acl/engine.js';
import { assertOutranks } from '#shared/acl/hierarchy.js';
import { EVERYONE_GROUP, type RoleBinding, type Rule } from '#shared/acl/types.js';
import { personalTokenDeletions } from '#shared/api-tokens/personal-token-service.js';
import type { Caller, StoreDeps } from '#shared/app/context.js';
import { raceLost, withOptimisticRetry } from '#shared/common/optimistic-retry.js';
import {
  ConflictError,
  ForbiddenError,
  GoneError,
  NotFoundError,
  UnauthorizedError,
} from '#shared/errors/domain-errors.js';
import { pendingInviteDeletions } from '#shared/invites/invite-cleanup.js';
import {
  type MemberChange,
  memberStillActive,
  planMemberChange,
} from '#shared/members/member-writes.js';
import {
  assertCanGrant,
  assertScopeAccepted,
  assertValidScope,
} from '#shared/policy/grant-guard.js';
import { assertPrincipalWithinLimits } from '#shared/policy/policy-limits.js';
import { holderBumps } from '#shared/policy/policy-writes.js';
import { loadTenantState, type TenantState } from '#shared/policy/tenant-state.js';
import { keys } from '#shared/store/keys.js';
import { decodeCursor, encodeCursor, offsetPage, type Page } from '#shared/store/pagination.js';
import {
  grantsOf,
  type MemberRecord,
  memberFromItem,
  memberView,
} from '#shared/store/records/member-record.js';
import { type TransactItem, transactWrite } from '#shared/store/transact.js';

/** Reads one member, strongly consistent, or throws 404. */
export async function loadMember(
  deps: StoreDeps,
  tenantId: string,
  userId: string,
): Promise<MemberRecord> {
  const res = await deps.db.send(
    new GetCommand({
      TableName: deps.tableName,
      Key: keys.member(tenantId, userId),
      ConsistentRead: true,
    }),
  );
  if (!res.Item) throw new NotFoundError(`Member '${userId}' not found`);
  return memberFromItem(res.Item);
}

/**
 * Finds the member (pending or active) of a (normalized) email: the one the email's uniqueness
 * item names, read strongly consistent. Members from before that item existed are found through
 * the byEmail index.
 */
export async function findMemberByEmail(
  deps: StoreDeps,
  tenantId: string,
  email: string,
): Promise<MemberRecord | undefined> {
  const unique = await deps.db.send(
    new GetCommand({
      TableName: deps.tableName,
      Key: keys.memberEmail(tenantId, email),
      ConsistentRead: true,
    }),
  );
  if (unique.Item) {
    return loadMember(deps, tenantId, String(unique.Item.userId)).catch((e: unknown) => {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    });
  }
  const res = await deps.db.send(
    new QueryCommand({
      TableName: deps.tableName,
      IndexName: 'byEmail',
      KeyConditionExpression: 'gsi2pk = :p AND gsi2sk = :e',
      ExpressionAttributeValues: { ':p': keys.memberByEmailPartition(tenantId), ':e': email },
    }),
  );
  const item = res.Items?.[0];
  return item ? loadMember(deps, tenantId, String(item.userId)) : undefined;
}

async function commit(
  deps: StoreDeps,
  change: MemberChange,
  extra: TransactItem[] = [],
): Promise<void> {
  await transactWrite(deps.db, [...change.items, ...extra], () => raceLost());
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
 */
export function planNewMember(
  deps: StoreDeps,
  state: TenantState,
  user: { userId: string; email: string },
  grants: { roles?: string[]; groups?: string[] },
  actor: string,
  action: string,
  extra: { status?: 'active' | 'pending'; inviteId?: string } = {},
): MemberChange {
  const { roles, groups } = initialGrants(state, grants);
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
      sessionsValidAfter: 0,
    },
    { actor, action, target: `member:${user.userId}` },
  );
  change.items.push(
    // A pending member has no account here yet: its profile is written when it is activated.
    ...(extra.status === 'pending' ? [] : [userProfilePut(deps, user)]),
    // A group or role deleted meanwhile fails this and the write re-plans without it.
    ...holderBumps(deps, state.tenantId, { groups, roles: roles.map((r) => r.roleId) }),
  );
  return change;
}

function userProfilePut(deps: StoreDeps, user: { userId: string; email: string }): TransactItem {
  return {
    Put: {
      TableName: deps.tableName,
      Item: { ...keys.user(user.userId), type: 'user', userId: user.userId, email: user.email },
    },
  };
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
): Promise<MemberChange> {
  const pending = await loadMember(deps, state.tenantId, pendingId).catch((e: unknown) => {
    if (e instanceof NotFoundError) return undefined;
    throw e;
  });
  if (pending?.status !== 'pending' || pending.email !== user.email)
    throw new GoneError('This invite link is not valid: it is unknown, used, revoked or expired');
  const { superuser: _s, version: _v, inviteId: _i, ...rest } = pending;
  const change = planMemberChange(
    deps,
    state,
    undefined,
    {
      ...rest,
      userId: user.userId,
      status: 'active',
      joinedAt: deps.clock.now().toISOString(),
    },
    { actor: user.userId, action: 'invite.accept', target: `member:${user.userId}` },
    { takeOverEmailFrom: pending.userId },
  );
  change.items.push(
    {
      Delete: {
        TableName: deps.tableName,
        Key: keys.member(state.tenantId, pending.userId),
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: { ':v': pending.version },
      },
    },
    userProfilePut(deps, user),
    ...holderBumps(deps, state.tenantId, {
      groups: pending.groups,
      roles: pending.roles.map((r) => r.roleId),
    }),
  );
  return change;
}

export async function getMember(deps: StoreDeps, tenantId: string, userId: string) {
  const m = await loadMember(deps, tenantId, userId);
  return { ...memberView(m), rules: m.rules };
}

/** How many index pages one listing may read while filtering, before it returns a cursor. */
const MAX_PAGES_PER_LISTING = 10;

/**
 * Lists members, optionally by group, role or email prefix, with cursor pagination. Group and
 * role filters run here (role bindings are maps with optional scopes), reading further pages
 * until `limit` members matched; the cursor is the key of the last member returned.
 */
export async function listMembers(
  deps: StoreDeps,
  tenantId: string,
  query: { limit: number; cursor?: string; group?: string; role?: string; email?: string },
): Promise<Page<ReturnType<typeof memberView>>> {
  const byEmail = query.email !== undefined;
  const partition: Record<string, string> = byEmail
    ? { gsi2pk: keys.memberByEmailPartition(tenantId) }
    : { pk: keys.tenantPartition(tenantId) };
  const matches = (m: MemberRecord) =>
    (!query.group || m.groups.includes(query.group)) &&
    (!query.role || m.roles.some((r) => r.roleId === query.role));
  const keyOf = (item: Record<string, unknown>) =>
    byEmail
      ? { pk: item.pk, sk: item.sk, gsi2pk: item.gsi2pk, gsi2sk: item.gsi2sk }
      : { pk: item.pk, sk: item.sk };
  const found: MemberRecord[] = [];
  let startKey = byEmail
    ? decodeCursor(
        query.cursor,
        { ...partition, pk: keys.tenantPartition(tenantId) },
        { sk: keys.memberPrefix, gsi2sk: query.email ?? '' },
      )
    : decodeCursor(query.cursor, partition, { sk: keys.memberPrefix });
  for (let page = 0; page < MAX_PAGES_PER_LISTING; page++) {
    const res = await deps.db.send(
      new QueryCommand({
        TableName: deps.tableName,
        ...(byEmail
          ? {
              IndexName: 'byEmail',
              KeyConditionExpression: 'gsi2pk = :p AND begins_with(gsi2sk, :e)',
              ExpressionAttributeValues: { ':p': partition.gsi2pk, ':e': query.email },
            }
          : {
              KeyConditionExpression: 'pk = :p AND begins_with(sk, :m)',
              ExpressionAttributeValues: { ':p': partition.pk, ':m': keys.memberPrefix },
            }),
        Limit: query.limit,
        ExclusiveStartKey: startKey,
      }),
    );
    const items = res.Items ?? [];
    for (const [i, item] of items.entries()) {
      const m = memberFromItem(item);
      if (!matches(m)) continue;
      found.push(m);
      if (found.length === query.limit) {
        const more = i < items.length - 1 || res.LastEvaluatedKey !== undefined;
        return {
          items: found.map(memberView),
          nextCursor: more ? encodeCursor(keyOf(item)) : null,
        };
      }
    }
    startKey = res.LastEvaluatedKey;
    if (!startKey) break;
  }
  return { items: found.map(memberView), nextCursor: encodeCursor(startKey) };
}

/**
 * The acting member must still be an active member when the write commits: the authorizer's
 * check ran earlier, and a concurrent delete or disable of the actor must not let it act.
 */
export function actorUnchanged(
  deps: StoreDeps,
  state: TenantState,
  caller: Caller,
  targetUserId: string,
): TransactItem[] {
  const actor = state.actor;
  if (!actor) throw new NotFoundError(`Tenant '${state.tenantId}' not found`);
  if (actor.status !== 'active') throw new UnauthorizedError('Your membership is disabled');
  // The target's own Put already carries a version condition; one item cannot appear twice.
  if (caller.userId === targetUserId) return [];
  return [memberStillActive(deps, state.tenantId, actor)];
}

/**
 * Shared shape of member mutations: fresh state, a pure change, one conditional transaction
 * (conditioned on the target's, the actor's and the policy's versions), retried when raced.
 */
async function mutateMember(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  userId: string,
  change: (
    m: MemberRecord,
    state: TenantState,
  ) => Omit<MemberRecord, 'superuser' | 'version'> | undefined,
  audit: {
    action: string /** Rule 12: the act is against the target ("delete", ...). */;
    against?: string;
  },
  extraItems?: (m: MemberRecord) => Promise<TransactItem[]>,
): Promise<MemberRecord | undefined> {
  return withOptimisticRetry(
    async () => {
      const state = await loadTenantState(deps, tenantId, caller);
      const before = await loadMember(deps, tenantId, userId);
      // A caller who is no longer an active member is refused by actorUnchanged below (404/401).
      if (audit.against && userId !== caller.userId && state.actor?.status === 'active') {
        assertOutranks(
          state.actorPermissions,
          compilePrincipal(state.compiled, grantsOf(before)),
          audit.against,
        );
      }
      const next = change(before, state);
      const planned = planMemberChange(deps, state, before, next, {
        actor: caller.userId,
        action: audit.action,
        target: `member:${userId}`,
      });
      const actorCheck = actorUnchanged(deps, state, caller, userId);
      await commit(deps, planned, [...actorCheck, ...(extraItems ? await extraItems(before) : [])]);
      return planned.after;
    },
    { serializeOn: `member:${tenantId}:${userId}` },
  );
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
    async (m) => [
      ...(await pendingInviteDeletions(deps, tenantId, m.email)),
      ...(await personalTokenDeletions(deps, tenantId, userId)),
    ],
  );
}

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
  assertValidScope(scope);
  const binding: RoleBinding = scope ? { roleId, scope } : { roleId };
  const after = await mutateMember(
    deps,
    caller,
    tenantId,
    userId,
    (m, state) => {
      if (!state.policy.roles[roleId]) throw new NotFoundError(`Role '${roleId}' not found`);
      assertScopeAccepted(state.policy, binding);
      assertCanGrant(state.actorPermissions, state.compiled, state.policy, { roles: [binding] });
      const others = m.roles.filter((r) => !(r.roleId === roleId && r.scope === binding.scope));
      return { ...m, roles: [...others, binding] };
    },
    { action: 'member.role.bind' },
    async (m) =>
      m.roles.some((r) => r.roleId === roleId)
        ? []
        : holderBumps(deps, tenantId, { roles: [roleId] }),
  );
  if (!after) throw new Error('unreachable');
  return memberView(after);
}

/** Removes a role binding (every scope of it) from a member. */
export async function unbindMemberRole(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  userId: string,
  roleId: string,
) {
  await mutateMember(
    deps,
    caller,
    tenantId,
    userId,
    (m) => {
      if (!m.roles.some((r) => r.roleId === roleId)) {
        throw new NotFoundError(`Member '${userId}' does not have role '${roleId}'`);
      }
      return { ...m, roles: m.roles.filter((r) => r.roleId !== roleId) };
    },
    { action: 'member.role.unbind', against: 'take a role from' },
  );
}

/**
 * Puts a member in a group. Idempotent. The caller must hold what the group carries. Joining
 * also bumps the group item, so a concurrent delete of the group cannot miss the new member:
 * the join then re-plans and answers 404.
 */
export async function addToGroup(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  groupId: string,
  userId: string,
) {
  await mutateMember(
    deps,
    caller,
    tenantId,
    userId,
    (m, state) => {
      if (!state.policy.groups[groupId]) throw new NotFoundError(`Group '${groupId}' not found`);
      assertCanGrant(state.actorPermissions, state.compiled, state.policy, { groups: [groupId] });
      return m.groups.includes(groupId) ? m : { ...m, groups: [...m.groups, groupId] };
    },
    { action: 'group.member.add' },
    async (m) =>
      m.groups.includes(groupId) ? [] : holderBumps(deps, tenantId, { groups: [groupId] }),
  );
}

/** Takes a member out of a group; nobody leaves `everyone`. */
export async function removeFromGroup(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  groupId: string,
  userId: string,
) {
  if (groupId === EVERYONE_GROUP)
    throw new ConflictError('Every member is in everyone; nobody can be removed from it');
  await mutateMember(
    deps,
    caller,
    tenantId,
    userId,
    (m) => {
      if (!m.groups.includes(groupId))
        throw new NotFoundError(`Member '${userId}' is not in group '${groupId}'`);
      return { ...m, groups: m.groups.filter((g) => g !== groupId) };
    },
    { action: 'group.member.remove', against: 'remove from a group' },
  );
}

/** Grants a direct rule to a member (ACL API). Idempotent. */
export async function grantMemberRule(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  userId: string,
  rule: Rule,
) {
  await mutateMember(
    deps,
    caller,
    tenantId,
    userId,
    (m, state) => {
      assertCanGrant(state.actorPermissions, state.compiled, state.policy, { rules: [rule] });
      const has = m.rules.some((r) => r.resource === rule.resource && r.action === rule.action);
      return has ? m : { ...m, rules: [...m.rules, rule] };
    },
    { action: 'acl.grant' },
  );
}

/** Revokes a direct rule from a member (ACL API). */
export async function revokeMemberRule(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  userId: string,
  rule: Rule,
) {
  await mutateMember(
    deps,
    caller,
    tenantId,
    userId,
    (m) => {
      const rest = m.rules.filter(
        (r) => !(r.resource === rule.resource && r.action === rule.action),
      );
      if (rest.length === m.rules.length) throw new NotFoundError('No such rule on this member');
      return { ...m, rules: rest };
    },
    { action: 'acl.revoke', against: 'revoke a rule of' },
  );
}

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
  const set = compilePrincipal(state.compiled, grantsOf(m));
  const all = effectiveRules(set);
  return { userId, superuser: isSuperuser(set), total: all.length, ...offsetPage(all, query) };
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
    await commit(deps, planned, [
      ...(await pendingInviteDeletions(deps, tenantId, me.email)),
      ...(await personalTokenDeletions(deps, tenantId, caller.userId)),
    ]);
  });
}
