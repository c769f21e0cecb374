/**
 * Members of a tenant: add directly, read, list, enable/disable, delete one at a time,
 * bind/unbind roles, and join/leave groups, always keeping at least one active superuser.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { compilePrincipal, effectiveRules, isSuperuser, validateResourceId } from '#shared/acl/engine.js';
import { assertCanGrant, assertKnown } from '#shared/acl/grant-guard.js';
import { EVERYONE_GROUP, type RoleBinding, type Rule } from '#shared/acl/types.js';
import type { Caller, StoreDeps } from '#shared/app/context.js';
import { ConflictError, InvalidError, NotFoundError } from '#shared/errors/domain-errors.js';
import type { IdentityProvider } from '#shared/identity/identity-provider.js';
import { pendingInviteDeletions } from '#shared/invites/invite-cleanup.js';
import { grantsOf, memberFromItem, memberView, type MemberRecord } from '#shared/members/member-record.js';
import { planMemberChange, raceLost, withOptimisticRetry, type MemberChange } from '#shared/members/member-writes.js';
import { keys } from '#shared/store/keys.js';
import { decodeCursor, encodeCursor, type Page } from '#shared/store/pagination.js';
import { transactWrite, type TransactItem } from '#shared/store/transact.js';
import { loadTenantState, type TenantState } from '#shared/tenants/tenant-state.js';

/** Reads one member, strongly consistent, or throws 404. */
export async function loadMember(deps: StoreDeps, tenantId: string, userId: string): Promise<MemberRecord> {
  const res = await deps.db.send(
    new GetCommand({ TableName: deps.tableName, Key: keys.member(tenantId, userId), ConsistentRead: true }),
  );
  if (!res.Item) throw new NotFoundError(`Member '${userId}' not found`);
  return memberFromItem(res.Item);
}

/** Finds a member by (normalized) email through the byEmail index. */
export async function findMemberByEmail(
  deps: StoreDeps,
  tenantId: string,
  email: string,
): Promise<MemberRecord | undefined> {
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

async function commit(deps: StoreDeps, change: MemberChange, extra: TransactItem[] = []): Promise<void> {
  await transactWrite(deps.db, [...change.items, ...extra], () => raceLost());
}

/** Roles and groups a new member starts with: the tenant defaults plus what was granted. */
export function initialGrants(state: TenantState, grants: { roles?: string[]; groups?: string[] }) {
  const roleIds = [...new Set([...state.settings.defaultRoles, ...(grants.roles ?? [])])].filter(
    (r) => state.policy.roles[r],
  );
  const groups = [...new Set([EVERYONE_GROUP, ...state.settings.defaultGroups, ...(grants.groups ?? [])])].filter(
    (g) => state.policy.groups[g],
  );
  return { roles: roleIds.map((roleId) => ({ roleId })), groups };
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
      status: 'active',
      joinedAt: deps.clock.now().toISOString(),
      groups,
      roles,
      rules: [],
      sessionsValidAfter: 0,
    },
    { actor, action, target: `member:${user.userId}` },
  );
  change.items.push({
    Put: {
      TableName: deps.tableName,
      Item: { ...keys.user(user.userId), type: 'user', userId: user.userId, email: user.email },
    },
  });
  return change;
}

/**
 * Adds a user directly by email (the operator path, no invite mail). The Cognito user is
 * created when missing; the caller must hold every role and group granted.
 */
export async function addMember(
  deps: StoreDeps,
  identity: IdentityProvider,
  caller: Caller,
  tenantId: string,
  input: { email: string; roles?: string[]; groups?: string[] },
) {
  const state = await loadTenantState(deps, tenantId, caller);
  assertKnown(state.policy, { roles: input.roles?.map((roleId) => ({ roleId })), groups: input.groups });
  const { roles, groups } = initialGrants(state, input);
  assertCanGrant(state.actorPermissions, state.compiled, state.policy, {
    roles: roles.filter((r) => input.roles?.includes(r.roleId)),
    groups: groups.filter((g) => input.groups?.includes(g)),
  });
  const user = await identity.ensureUser(input.email);
  const change = planNewMember(deps, state, user, input, caller.userId, 'member.add');
  await transactWrite(deps.db, change.items, (codes) =>
    codes[0] === 'ConditionalCheckFailed'
      ? new ConflictError(`${input.email} is already a member`, { extra: { field: 'email' } })
      : raceLost(),
  );
  if (!change.after) throw new Error('unreachable');
  return memberView(change.after);
}

export async function getMember(deps: StoreDeps, tenantId: string, userId: string) {
  const m = await loadMember(deps, tenantId, userId);
  return { ...memberView(m), rules: m.rules };
}

/** Lists members, optionally by group, role or email prefix, with cursor pagination. */
export async function listMembers(
  deps: StoreDeps,
  tenantId: string,
  query: { limit: number; cursor?: string; group?: string; role?: string; email?: string },
): Promise<Page<ReturnType<typeof memberView>>> {
  const filters: string[] = [];
  const values: Record<string, unknown> = {};
  if (query.group) {
    filters.push('contains(groups, :g)');
    values[':g'] = query.group;
  }
  if (query.role) {
    filters.push('(contains(roles, :r) OR contains(roles, :rs))');
    values[':r'] = { roleId: query.role };
    values[':rs'] = query.role;
  }
  const byEmail = query.email !== undefined;
  const partition: Record<string, string> = byEmail
    ? { gsi2pk: keys.memberByEmailPartition(tenantId) }
    : { pk: keys.tenantPartition(tenantId) };
  const res = await deps.db.send(
    new QueryCommand({
      TableName: deps.tableName,
      ...(byEmail
        ? {
            IndexName: 'byEmail',
            KeyConditionExpression: 'gsi2pk = :p AND begins_with(gsi2sk, :e)',
            ExpressionAttributeValues: { ':p': partition.gsi2pk, ':e': query.email, ...values },
          }
        : {
            KeyConditionExpression: 'pk = :p AND begins_with(sk, :m)',
            ExpressionAttributeValues: { ':p': partition.pk, ':m': keys.memberPrefix, ...values },
          }),
      ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
      Limit: query.limit,
      ExclusiveStartKey: decodeCursor(query.cursor, partition),
    }),
  );
  let items = (res.Items ?? []).map(memberFromItem);
  if (query.role) items = items.filter((m) => m.roles.some((r) => r.roleId === query.role));
  return { items: items.map(memberView), nextCursor: encodeCursor(res.LastEvaluatedKey) };
}

/** Shared shape of member mutations: fresh state, a pure change, one conditional transaction. */
async function mutateMember(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  userId: string,
  change: (m: MemberRecord, state: TenantState) => Omit<MemberRecord, 'superuser' | 'version'> | undefined,
  audit: { action: string },
  extraItems?: (m: MemberRecord) => Promise<TransactItem[]>,
): Promise<MemberRecord | undefined> {
  return withOptimisticRetry(async () => {
    const state = await loadTenantState(deps, tenantId, caller);
    const before = await loadMember(deps, tenantId, userId);
    const next = change(before, state);
    const planned = planMemberChange(deps, state, before, next, {
      actor: caller.userId,
      action: audit.action,
      target: `member:${userId}`,
    });
    await commit(deps, planned, extraItems ? await extraItems(before) : []);
    return planned.after;
  });
}

/** Enables or disables a member; disabling ends their sessions at once. Never yourself. */
export async function setMemberStatus(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  userId: string,
  status: 'active' | 'disabled',
) {
  if (userId === caller.userId && status === 'disabled') throw new ConflictError('You cannot disable yourself');
  const after = await mutateMember(
    deps,
    caller,
    tenantId,
    userId,
    (m) => ({
      ...m,
      status,
      sessionsValidAfter: status === 'disabled' ? deps.clock.now().getTime() : m.sessionsValidAfter,
    }),
    { action: status === 'disabled' ? 'member.disable' : 'member.enable' },
  );
  if (!after) throw new Error('unreachable');
  return memberView(after);
}

/**
 * Deletes one member: their grants and group memberships (held on the member item) and their
 * pending invites go in the same transaction. Never yourself; never the last superuser.
 */
export async function deleteMember(deps: StoreDeps, caller: Caller, tenantId: string, userId: string) {
  if (userId === caller.userId) throw new ConflictError('You cannot delete yourself');
  await mutateMember(deps, caller, tenantId, userId, () => undefined, { action: 'member.delete' }, (m) =>
    pendingInviteDeletions(deps, tenantId, m.email),
  );
}

function validScope(scope: string | undefined): void {
  if (scope === undefined) return;
  const problem = validateResourceId(scope);
  if (problem) throw new InvalidError(`Invalid scope: ${problem}`, [{ path: 'body.scope', message: problem }]);
}

/** Binds a role to a member, on everything or under `scope`. Idempotent. */
export async function bindMemberRole(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  userId: string,
  roleId: string,
  scope: string | undefined,
) {
  validScope(scope);
  const binding: RoleBinding = scope ? { roleId, scope } : { roleId };
  const after = await mutateMember(
    deps,
    caller,
    tenantId,
    userId,
    (m, state) => {
      if (!state.policy.roles[roleId]) throw new NotFoundError(`Role '${roleId}' not found`);
      assertCanGrant(state.actorPermissions, state.compiled, state.policy, { roles: [binding] });
      const others = m.roles.filter((r) => !(r.roleId === roleId && r.scope === binding.scope));
      return { ...m, roles: [...others, binding] };
    },
    { action: 'member.role.bind' },
  );
  if (!after) throw new Error('unreachable');
  return memberView(after);
}

/** Removes a role binding (every scope of it) from a member. */
export async function unbindMemberRole(deps: StoreDeps, caller: Caller, tenantId: string, userId: string, roleId: string) {
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
    { action: 'member.role.unbind' },
  );
}

/** Puts a member in a group. Idempotent. The caller must hold what the group carries. */
export async function addToGroup(deps: StoreDeps, caller: Caller, tenantId: string, groupId: string, userId: string) {
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
  );
}

/** Takes a member out of a group; nobody leaves `everyone`. */
export async function removeFromGroup(deps: StoreDeps, caller: Caller, tenantId: string, groupId: string, userId: string) {
  if (groupId === EVERYONE_GROUP) throw new ConflictError('Every member is in everyone; nobody can be removed from it');
  await mutateMember(
    deps,
    caller,
    tenantId,
    userId,
    (m) => {
      if (!m.groups.includes(groupId)) throw new NotFoundError(`Member '${userId}' is not in group '${groupId}'`);
      return { ...m, groups: m.groups.filter((g) => g !== groupId) };
    },
    { action: 'group.member.remove' },
  );
}

/** Grants a direct rule to a member (ACL API). Idempotent. */
export async function grantMemberRule(deps: StoreDeps, caller: Caller, tenantId: string, userId: string, rule: Rule) {
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
export async function revokeMemberRule(deps: StoreDeps, caller: Caller, tenantId: string, userId: string, rule: Rule) {
  await mutateMember(
    deps,
    caller,
    tenantId,
    userId,
    (m) => {
      const rest = m.rules.filter((r) => !(r.resource === rule.resource && r.action === rule.action));
      if (rest.length === m.rules.length) throw new NotFoundError('No such rule on this member');
      return { ...m, rules: rest };
    },
    { action: 'acl.revoke' },
  );
}

/** Ends a member's sessions in this tenant now (forced logout). */
export async function forceLogout(deps: StoreDeps, caller: Caller, tenantId: string, userId: string) {
  await mutateMember(
    deps,
    caller,
    tenantId,
    userId,
    (m) => ({ ...m, sessionsValidAfter: deps.clock.now().getTime() }),
    { action: 'session.logout' },
  );
}

/** A member's effective permissions, each with where it came from. */
export async function memberPermissions(deps: StoreDeps, tenantId: string, userId: string) {
  const state = await loadTenantState(deps, tenantId);
  const m = await loadMember(deps, tenantId, userId);
  const set = compilePrincipal(state.compiled, grantsOf(m));
  return { userId, superuser: isSuperuser(set), items: effectiveRules(set) };
}
