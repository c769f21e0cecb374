/**
 * Members of a tenant: add directly, read, list, enable/disable, delete one at a time,
 * bind/unbind roles, and join/leave groups, always keeping at least one active superuser.
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { compilePrincipal, effectiveRules, isSuperuser } from '#shared/acl/engine.js';
import { assertCanGrant, assertKnown, assertValidScope } from '#shared/acl/grant-guard.js';
import { holderBumps } from '#shared/acl/policy-writes.js';
import { EVERYONE_GROUP, type RoleBinding, type Rule } from '#shared/acl/types.js';
import { personalTokenDeletions } from '#shared/api-tokens/personal-token-service.js';
import type { Caller, StoreDeps } from '#shared/app/context.js';
import { ConflictError, NotFoundError, UnauthorizedError } from '#shared/errors/domain-errors.js';
import type { IdentityProvider } from '#shared/identity/identity-provider.js';
import { pendingInviteDeletions } from '#shared/invites/invite-cleanup.js';
import { accountOutboxPut } from '#shared/members/account-mail.js';
import {
  grantsOf,
  type MemberRecord,
  memberFromItem,
  memberView,
} from '#shared/members/member-record.js';
import {
  type MemberChange,
  planMemberChange,
  raceLost,
  withOptimisticRetry,
} from '#shared/members/member-writes.js';
import { temporaryPassword } from '#shared/platform/secret-tokens.js';
import { keys } from '#shared/store/keys.js';
import { decodeCursor, encodeCursor, type Page } from '#shared/store/pagination.js';
import { TTL_ATTRIBUTE } from '#shared/store/table-definition.js';
import { type TransactItem, transactWrite } from '#shared/store/transact.js';
import { loadTenantState, type TenantState } from '#shared/tenants/tenant-state.js';

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
  change.items.push(
    {
      Put: {
        TableName: deps.tableName,
        Item: { ...keys.user(user.userId), type: 'user', userId: user.userId, email: user.email },
      },
    },
    // A group or role deleted meanwhile fails this and the write re-plans without it.
    ...holderBumps(deps, state.tenantId, { groups, roles: roles.map((r) => r.roleId) }),
  );
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
  const check = (state: TenantState) => {
    assertKnown(state.policy, {
      roles: input.roles?.map((roleId) => ({ roleId })),
      groups: input.groups,
    });
    const { roles, groups } = initialGrants(state, input);
    assertCanGrant(state.actorPermissions, state.compiled, state.policy, {
      roles: roles.filter((r) => input.roles?.includes(r.roleId)),
      groups: groups.filter((g) => input.groups?.includes(g)),
    });
  };
  // Refuse before creating a Cognito user that nobody was allowed to add.
  check(await loadTenantState(deps, tenantId, caller));
  const lock = keys.memberAddLock(tenantId, input.email);
  await acquireAddLock(deps, lock, input.email);
  try {
    // A person new to the user pool gets a one-time password, mailed to them (never shown to the
    // operator, who could otherwise sign in as them); Cognito makes the first sign-in replace it.
    const password = temporaryPassword(deps.tokens);
    const user = await identity.ensureUser(input.email, password, { temporary: true });
    const after = await withOptimisticRetry(async () => {
      const state = await loadTenantState(deps, tenantId, caller);
      check(state);
      const change = planNewMember(deps, state, user, input, caller.userId, 'member.add');
      const items = [
        ...change.items,
        ...actorUnchanged(deps, state, caller, user.userId),
        { Delete: { TableName: deps.tableName, Key: lock } },
        ...(user.created
          ? [
              accountOutboxPut(
                deps,
                {
                  tenantId,
                  tenantName: state.name,
                  userId: user.userId,
                  email: user.email,
                  addedByEmail: state.actor?.email || caller.email,
                  temporaryPassword: password,
                },
                deps.clock.now(),
              ),
            ]
          : []),
      ];
      await transactWrite(deps.db, items, (codes) =>
        codes[0] === 'ConditionalCheckFailed'
          ? new ConflictError(`${input.email} is already a member`, { extra: { field: 'email' } })
          : raceLost(),
      );
      return change.after;
    });
    if (!after) throw new Error('unreachable');
    return { ...memberView(after), oneTimePasswordMailed: user.created };
  } catch (error) {
    await deps.db.send(new DeleteCommand({ TableName: deps.tableName, Key: lock }));
    throw error;
  }
}

/** How long an add may hold its lock before another add of the same address may take it over. */
const ADD_LOCK_MS = 30_000;

/**
 * Takes the per-(tenant, email) add lock, or answers 409: concurrent adds of one address would
 * otherwise let a request that did not create the Cognito user win the membership, and the
 * one-time password would reach nobody. A lock left by a crashed request expires.
 */
async function acquireAddLock(deps: StoreDeps, lock: { pk: string; sk: string }, email: string) {
  const now = deps.clock.now().getTime();
  try {
    await deps.db.send(
      new PutCommand({
        TableName: deps.tableName,
        Item: {
          ...lock,
          type: 'member-add-lock',
          lockedUntil: now + ADD_LOCK_MS,
          [TTL_ATTRIBUTE]: Math.floor((now + ADD_LOCK_MS) / 1000) + 3600,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR lockedUntil < :now',
        ExpressionAttributeValues: { ':now': now },
      }),
    );
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    throw new ConflictError(`${email} is being added by another request`, {
      extra: { field: 'email' },
    });
  }
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
function actorUnchanged(
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
  return [
    {
      ConditionCheck: {
        TableName: deps.tableName,
        Key: keys.member(state.tenantId, caller.userId),
        ConditionExpression: 'version = :v AND #s = :active',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':v': actor.version, ':active': 'active' },
      },
    },
  ];
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
  audit: { action: string },
  extraItems?: (m: MemberRecord) => Promise<TransactItem[]>,
): Promise<MemberRecord | undefined> {
  return withOptimisticRetry(
    async () => {
      const state = await loadTenantState(deps, tenantId, caller);
      const before = await loadMember(deps, tenantId, userId);
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
    { action: 'member.delete' },
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
    { action: 'member.role.unbind' },
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
    { action: 'group.member.remove' },
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
    { action: 'acl.revoke' },
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
