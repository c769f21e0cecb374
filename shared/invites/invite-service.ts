/**
 * Invites of a tenant: create many at once, list, read, resend, revoke, look up by token and
 * accept. Every change is one conditional transaction with its audit event; the raw token only
 * ever sits in the invite's outbox item, which the mailer deletes once the mail is sent.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { isAllowed } from '#shared/acl/engine.js';
import { MANAGED } from '#shared/acl/management-permissions.js';
import type { Caller, StoreDeps } from '#shared/app/context.js';
import { auditPut } from '#shared/audit/audit-event.js';
import { raceLost, withOptimisticRetry } from '#shared/common/optimistic-retry.js';
import {
  ConflictError,
  ForbiddenError,
  GoneError,
  InvalidError,
  NotFoundError,
  TooManyError,
} from '#shared/errors/domain-errors.js';
import type { IdentityProvider } from '#shared/identity/identity-provider.js';
import { normalizeEmail } from '#shared/identity/identity-provider.js';
import { parseAddresses } from '#shared/invites/invite-addresses.js';
import type {
  CreateInvitesInput,
  InviteResult,
  InviteStatus,
  InviteView,
} from '#shared/invites/invite-schemas.js';
import { assertMailQuota, mailCounterWrites, mailLimitError } from '#shared/limits/mail-limits.js';
import {
  assertNewMemberWithinLimits,
  loadMember,
  planActivation,
  planNewMember,
} from '#shared/members/member-service.js';
import { memberStillActive, planMemberChange } from '#shared/members/member-writes.js';
import { hashSecret } from '#shared/platform/secret-tokens.js';
import { assertCanGrant, assertKnown } from '#shared/policy/grant-guard.js';
import { loadTenantState, type TenantState } from '#shared/policy/tenant-state.js';
import { queryFilledPage } from '#shared/store/filled-page.js';
import { keys } from '#shared/store/keys.js';
import { decodeCursor, type Page } from '#shared/store/pagination.js';
import {
  derivedStatus,
  type InviteRecord,
  inviteFromItem,
  inviteItem,
  inviteTtl,
  inviteView,
  outboxItem,
} from '#shared/store/records/invite-record.js';
import { type TransactItem, transactWrite } from '#shared/store/transact.js';

/** Resends allowed per invite in any rolling hour (the first send does not count). */
const HOUR_MS = 3_600_000;
/** Parallel per-address transactions of one bulk invite. */
const INVITE_CONCURRENCY = 10;
/** One detail for every unusable token, so the answer leaks nothing about which case it was. */
const UNUSABLE = 'This invite link is not valid: it is unknown, used, revoked or expired';

/** Who is accepting: a verified bearer's user, or a new account to create with a password. */
export type Accepter =
  | { kind: 'bearer'; userId: string; email: string }
  | { kind: 'password'; password: string };

function lockItem(invite: Pick<InviteRecord, 'tenantId' | 'email' | 'inviteId' | 'expiresAt'>) {
  return {
    ...keys.inviteEmail(invite.tenantId, invite.email),
    type: 'invite-email',
    inviteId: invite.inviteId,
    expiresAt: invite.expiresAt,
    ttl: inviteTtl(invite.expiresAt),
  };
}

function tokenItem(
  invite: Pick<InviteRecord, 'tenantId' | 'inviteId' | 'expiresAt'>,
  tokenHash: string,
) {
  return {
    ...keys.inviteToken(tokenHash),
    type: 'invite-token',
    tenantId: invite.tenantId,
    inviteId: invite.inviteId,
    ttl: inviteTtl(invite.expiresAt),
  };
}

async function isMember(deps: StoreDeps, tenantId: string, email: string): Promise<boolean> {
  const res = await deps.db.send(
    new QueryCommand({
      TableName: deps.tableName,
      IndexName: 'byEmail',
      KeyConditionExpression: 'gsi2pk = :p AND gsi2sk = :e',
      ExpressionAttributeValues: { ':p': keys.memberByEmailPartition(tenantId), ':e': email },
      Limit: 1,
    }),
  );
  return (res.Items?.length ?? 0) > 0;
}

async function mapLimited<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(workers);
  return out;
}

/** Checks the grants of an invite against the tenant and the inviter: 400 unknown, 403 escalation. */
function assertGrantable(
  state: TenantState,
  grants: { roles?: string[]; groups?: string[] },
): void {
  const request = { roles: grants.roles?.map((roleId) => ({ roleId })), groups: grants.groups };
  assertKnown(state.policy, request);
  assertCanGrant(state.actorPermissions, state.compiled, state.policy, request);
  assertNewMemberWithinLimits(state, grants);
}

/**
 * Invites up to 100 addresses. Each valid, new address is its own conditional transaction
 * (email lock, invite, token, outbox, mail counters, audit), so one bad address never fails the
 * batch. Grants are checked, and the tenant's mail limits for the whole batch (429 naming the
 * limit), before anything is written.
 */
export async function createInvites(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  input: CreateInvitesInput,
): Promise<{ results: InviteResult[] }> {
  const addresses = parseAddresses(input.emails);
  const state = await loadTenantState(deps, tenantId, caller);
  assertGrantable(state, input);
  const roles = [...new Set(input.roles ?? [])];
  const groups = [...new Set(input.groups ?? [])];
  const members = await mapLimited(addresses, INVITE_CONCURRENCY, async (a) =>
    a.valid ? isMember(deps, tenantId, a.email) : false,
  );
  const toSend = addresses.filter((a, i) => a.valid && !members[i]).length;
  await assertMailQuota(deps, tenantId, state.mailLimits, toSend);
  const results = await mapLimited(
    addresses.map((a, i) => ({ a, member: members[i] })),
    INVITE_CONCURRENCY,
    async ({ a, member }): Promise<InviteResult> => {
      if (!a.valid) return { email: a.email, status: 'invalid' };
      if (member) return { email: a.email, status: 'already_member' };
      return inviteOne(deps, state, caller, a.email, { roles, groups, message: input.message });
    },
  );
  return { results };
}

/**
 * Plans one new invite of `email`: the email lock, the invite, its token and outbox items, the
 * mail counters and the audit event. `pendingMemberId` ties it to a pending member (direct add).
 */
export function planInvite(
  deps: StoreDeps,
  state: TenantState,
  caller: Caller,
  email: string,
  grants: { roles: string[]; groups: string[]; message?: string | undefined },
  pendingMemberId?: string,
): { invite: InviteRecord; items: TransactItem[]; counterIndex: number } {
  const now = deps.clock.now();
  const at = now.toISOString();
  const token = deps.tokens.newSecret();
  const invite: InviteRecord = {
    tenantId: state.tenantId,
    inviteId: ulid(now.getTime()),
    email,
    roles: grants.roles,
    groups: grants.groups,
    ...(grants.message ? { message: grants.message } : {}),
    tenantName: state.name,
    invitedBy: caller.userId,
    invitedByIncarnation: state.actor?.incarnation ?? '',
    invitedByEmail: state.actor?.email || caller.email,
    createdAt: at,
    expiresAt: new Date(now.getTime() + state.settings.inviteTtlHours * HOUR_MS).toISOString(),
    status: 'pending',
    tokenHash: hashSecret(token),
    sendCount: 1,
    lastSentAt: at,
    recentSends: [],
    deliveryStatus: 'queued',
    ...(pendingMemberId ? { pendingMemberId } : {}),
  };
  const T = deps.tableName;
  const items: TransactItem[] = [
    {
      Put: {
        TableName: T,
        Item: lockItem(invite),
        // A lock of an expired invite may be taken over; accepted and revoked invites drop theirs.
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
        ExpressionAttributeValues: { ':now': at },
      },
    },
    {
      Put: {
        TableName: T,
        Item: inviteItem(invite),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    { Put: { TableName: T, Item: tokenItem(invite, invite.tokenHash) } },
    { Put: { TableName: T, Item: outboxItem(outboxOf(invite, token), now) } },
  ];
  const counterIndex = items.length;
  items.push(
    ...mailCounterWrites(deps, state.tenantId, state.mailLimits),
    auditPut(
      T,
      {
        tenantId: state.tenantId,
        actor: caller.userId,
        action: 'invite.create',
        target: `invite:${invite.inviteId}`,
        after: inviteView(invite, now),
      },
      now,
    ),
  );
  return { invite, items, counterIndex };
}

async function inviteOne(
  deps: StoreDeps,
  state: TenantState,
  caller: Caller,
  email: string,
  grants: { roles: string[]; groups: string[]; message: string | undefined },
): Promise<InviteResult> {
  const T = deps.tableName;
  let invite: InviteRecord | undefined;
  try {
    await withOptimisticRetry(async () => {
      const planned = planInvite(deps, state, caller, email, grants);
      invite = planned.invite;
      await transactWrite(
        deps.db,
        planned.items,
        (codes) =>
          mailLimitError(codes, planned.counterIndex, state.mailLimits, deps.clock.now()) ??
          (codes[0] === 'ConditionalCheckFailed'
            ? new ConflictError('already invited')
            : raceLost()),
      );
    });
  } catch (error) {
    if (error instanceof ConflictError && !error.retryable) {
      const lock = await deps.db.send(
        new GetCommand({
          TableName: T,
          Key: keys.inviteEmail(state.tenantId, email),
          ConsistentRead: true,
        }),
      );
      return {
        email,
        status: 'already_invited',
        ...(lock.Item
          ? { inviteId: String(lock.Item.inviteId), expiresAt: String(lock.Item.expiresAt) }
          : {}),
      };
    }
    throw error;
  }
  if (!invite) throw new Error('unreachable');
  return { email, status: 'invited', inviteId: invite.inviteId, expiresAt: invite.expiresAt };
}

function outboxOf(invite: InviteRecord, token: string) {
  return {
    tenantId: invite.tenantId,
    inviteId: invite.inviteId,
    sendCount: invite.sendCount,
    email: invite.email,
    token,
    tenantName: invite.tenantName,
    invitedByEmail: invite.invitedByEmail,
    expiresAt: invite.expiresAt,
    ...(invite.message ? { message: invite.message } : {}),
  };
}

async function loadInvite(
  deps: StoreDeps,
  tenantId: string,
  inviteId: string,
): Promise<InviteRecord> {
  const res = await deps.db.send(
    new GetCommand({
      TableName: deps.tableName,
      Key: keys.invite(tenantId, inviteId),
      ConsistentRead: true,
    }),
  );
  if (!res.Item) throw new NotFoundError(`Invite '${inviteId}' not found`);
  return inviteFromItem(res.Item);
}

/** Reads one invite with its derived status. */
export async function getInvite(
  deps: StoreDeps,
  tenantId: string,
  inviteId: string,
): Promise<InviteView> {
  return inviteView(await loadInvite(deps, tenantId, inviteId), deps.clock.now());
}

/** Lists a tenant's invites, newest first, optionally by (derived) status, with cursor pagination. */
export async function listInvites(
  deps: StoreDeps,
  tenantId: string,
  query: { limit: number; cursor?: string; status?: InviteStatus },
): Promise<Page<InviteView>> {
  const now = deps.clock.now().toISOString();
  const values: Record<string, unknown> = {
    ':p': keys.tenantPartition(tenantId),
    ':i': keys.invitePrefix,
  };
  let filter: string | undefined;
  if (query.status === 'pending' || query.status === 'expired') {
    filter = `#s = :pending AND expiresAt ${query.status === 'pending' ? '>' : '<='} :now`;
    values[':pending'] = 'pending';
    values[':now'] = now;
  } else if (query.status) {
    filter = '#s = :s';
    values[':s'] = query.status;
  }
  const res = await queryFilledPage(
    deps.db,
    {
      TableName: deps.tableName,
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :i)',
      ExpressionAttributeValues: values,
      ...(filter ? { FilterExpression: filter, ExpressionAttributeNames: { '#s': 'status' } } : {}),
      ScanIndexForward: false,
    },
    {
      limit: query.limit,
      startKey: decodeCursor(
        query.cursor,
        { pk: keys.tenantPartition(tenantId) },
        { sk: keys.invitePrefix },
      ),
    },
    (item) => ({ pk: item.pk, sk: item.sk }),
  );
  const at = deps.clock.now();
  return {
    items: res.items.map((i) => inviteView(inviteFromItem(i), at)),
    nextCursor: res.nextCursor,
  };
}

/**
 * Resends a pending or expired invite: a new token (the old link dies), a new expiry and a new
 * mail. 409 for accepted or revoked invites, or when another open invite now holds the address;
 * 429 with `retryAfterSeconds` after the tenant's `maxResendsPerHour` resends within an hour.
 */
export async function resendInvite(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  inviteId: string,
): Promise<{ expiresAt: string }> {
  // Resends of other invites share the tenant's mail counters: a transaction that only lost
  // that race (no condition failed) is re-planned from fresh reads.
  return withOptimisticRetry(() => resendOnce(deps, caller, tenantId, inviteId));
}

async function resendOnce(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  inviteId: string,
): Promise<{ expiresAt: string }> {
  const state = await loadTenantState(deps, tenantId, caller);
  const before = await loadInvite(deps, tenantId, inviteId);
  if (before.status !== 'pending')
    throw new ConflictError(`The invite is ${before.status}; it cannot be resent`);
  const now = deps.clock.now();
  const at = now.toISOString();
  const recent = before.recentSends.filter((t) => now.getTime() - Date.parse(t) < HOUR_MS);
  const limit = state.settings.maxResendsPerHour;
  if (recent.length >= limit) {
    const oldest = Math.min(...recent.map((t) => Date.parse(t)));
    const retryAfterSeconds = Math.max(1, Math.ceil((oldest + HOUR_MS - now.getTime()) / 1000));
    throw new TooManyError(`At most ${limit} resends per hour`, {
      extra: { limit: 'maxResendsPerHour', max: limit, retryAfterSeconds },
    });
  }
  const token = deps.tokens.newSecret();
  const after: InviteRecord = {
    ...before,
    tenantName: state.name,
    expiresAt: new Date(now.getTime() + state.settings.inviteTtlHours * HOUR_MS).toISOString(),
    tokenHash: hashSecret(token),
    sendCount: before.sendCount + 1,
    lastSentAt: at,
    recentSends: [...recent, at],
    deliveryStatus: 'queued',
    // A new send starts its delivery afresh.
    deliveryAttempts: undefined,
    lastDeliveryError: undefined,
  };
  const T = deps.tableName;
  await transactWrite(
    deps.db,
    [
      {
        Put: {
          TableName: T,
          Item: inviteItem(after),
          ConditionExpression: '#s = :pending AND sendCount = :n',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':pending': 'pending', ':n': before.sendCount },
        },
      },
      {
        Put: {
          TableName: T,
          Item: lockItem(after),
          ConditionExpression: 'attribute_not_exists(pk) OR inviteId = :id OR expiresAt <= :now',
          ExpressionAttributeValues: { ':id': inviteId, ':now': at },
        },
      },
      // The old token item stays until its TTL: it now points at an invite with another hash (410).
      { Put: { TableName: T, Item: tokenItem(after, after.tokenHash) } },
      { Put: { TableName: T, Item: outboxItem(outboxOf(after, token), now) } },
      ...mailCounterWrites(deps, tenantId, state.mailLimits),
      auditPut(
        T,
        {
          tenantId,
          actor: caller.userId,
          action: 'invite.resend',
          target: `invite:${inviteId}`,
          before: inviteView(before, now),
          after: inviteView(after, now),
        },
        now,
      ),
    ],
    (codes) =>
      mailLimitError(codes, 4, state.mailLimits, now) ??
      (!codes.includes('ConditionalCheckFailed')
        ? raceLost()
        : codes[1] === 'ConditionalCheckFailed'
          ? new ConflictError(`Another open invite for ${before.email} exists; resend that one`)
          : new ConflictError('The invite changed meanwhile; read it and retry')),
  );
  return { expiresAt: after.expiresAt };
}

/** Revokes an invite (soft state `revoked`, audited); revoking twice is a no-op, an accepted invite 409. */
export async function revokeInvite(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  inviteId: string,
): Promise<void> {
  const before = await loadInvite(deps, tenantId, inviteId);
  if (before.status === 'revoked') return;
  if (before.status === 'accepted')
    throw new ConflictError('The invite was accepted; delete the member instead');
  const now = deps.clock.now();
  const after: InviteRecord = { ...before, status: 'revoked', revokedAt: now.toISOString() };
  const T = deps.tableName;
  await transactWrite(
    deps.db,
    [
      ...(await pendingMemberDeletion(deps, caller, before)),
      {
        Put: {
          TableName: T,
          Item: inviteItem(after),
          ConditionExpression: '#s = :pending AND sendCount = :n',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':pending': 'pending', ':n': before.sendCount },
        },
      },
      ...(await ownLockDeletion(deps, before)),
      { Delete: { TableName: T, Key: keys.inviteOutbox(inviteId) } },
      auditPut(
        T,
        {
          tenantId,
          actor: caller.userId,
          action: 'invite.revoke',
          target: `invite:${inviteId}`,
          before: inviteView(before, now),
          after: inviteView(after, now),
        },
        now,
      ),
    ],
    () => new ConflictError('The invite changed meanwhile; read it and retry'),
  );
}

/**
 * Revoking the invite of a member added directly also deletes that pending member (audited):
 * without the invite nobody could ever activate it.
 */
async function pendingMemberDeletion(
  deps: StoreDeps,
  caller: Caller,
  invite: InviteRecord,
): Promise<TransactItem[]> {
  if (!invite.pendingMemberId) return [];
  const state = await loadTenantState(deps, invite.tenantId, caller);
  const pending = await loadMember(deps, invite.tenantId, invite.pendingMemberId).catch(
    (e: unknown) => {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    },
  );
  if (pending?.status !== 'pending') return [];
  return planMemberChange(deps, state, pending, undefined, {
    actor: caller.userId,
    action: 'member.delete',
    target: `member:${pending.userId}`,
  }).items;
}

/** Deleting the invite's email lock, unless a newer invite took it over after this one expired. */
async function ownLockDeletion(deps: StoreDeps, invite: InviteRecord): Promise<TransactItem[]> {
  const Key = keys.inviteEmail(invite.tenantId, invite.email);
  const lock = await deps.db.send(
    new GetCommand({ TableName: deps.tableName, Key, ConsistentRead: true }),
  );
  if (lock.Item?.inviteId !== invite.inviteId) return [];
  return [
    {
      Delete: {
        TableName: deps.tableName,
        Key,
        ConditionExpression: 'inviteId = :id',
        ExpressionAttributeValues: { ':id': invite.inviteId },
      },
    },
  ];
}

/** Resolves a raw token to its invite if it is usable now; 404 unknown, 410 used/revoked/expired/replaced. */
async function usableInvite(deps: StoreDeps, token: string): Promise<InviteRecord> {
  const tokenHash = hashSecret(token);
  const ref = await deps.db.send(
    new GetCommand({
      TableName: deps.tableName,
      Key: keys.inviteToken(tokenHash),
      ConsistentRead: true,
    }),
  );
  if (!ref.Item) throw new NotFoundError(UNUSABLE);
  const res = await deps.db.send(
    new GetCommand({
      TableName: deps.tableName,
      Key: keys.invite(String(ref.Item.tenantId), String(ref.Item.inviteId)),
      ConsistentRead: true,
    }),
  );
  if (!res.Item) throw new GoneError(UNUSABLE);
  const invite = inviteFromItem(res.Item);
  if (invite.tokenHash !== tokenHash || derivedStatus(invite, deps.clock.now()) !== 'pending') {
    throw new GoneError(UNUSABLE);
  }
  return invite;
}

/** What the accept page shows about a token (no auth): the tenant, the invited email, the inviter, the expiry. */
export async function lookupInvite(deps: StoreDeps, token: string) {
  const invite = await usableInvite(deps, token);
  return {
    tenantId: invite.tenantId,
    tenantName: invite.tenantName,
    email: invite.email,
    invitedBy: invite.invitedByEmail,
    expiresAt: invite.expiresAt,
  };
}

/**
 * Accepts an invite. With a verified bearer the caller's email must equal the invite's (403
 * otherwise, invite untouched); with a password a new Cognito user is created for the invited
 * email (409 if one exists: sign in and accept with the token). Joining is one transaction:
 * the invite pending -> accepted conditioned on status, hash and expiry, the membership and its
 * audit event, so concurrent accepts produce exactly one membership.
 */
export async function acceptInvite(
  deps: StoreDeps,
  identity: IdentityProvider,
  token: string,
  accepter: Accepter,
): Promise<{ status: 200 | 201; body: { tenantId: string; userId: string } }> {
  const invite = await usableInvite(deps, token);
  let user: { userId: string; email: string };
  if (accepter.kind === 'bearer') {
    if (normalizeEmail(accepter.email) !== invite.email) {
      throw new ForbiddenError('This invite was sent to another email address');
    }
    user = { userId: accepter.userId, email: invite.email };
  } else {
    // Checked before an account is created for the invitee (and again in the transaction below).
    inviterStillAuthorizes(deps, await loadInviterState(deps, invite), invite);
    if (await identity.findUser(invite.email)) throw accountExists();
    const created = await identity.ensureUser(invite.email, accepter.password);
    if (!created.created) throw accountExists();
    user = { userId: created.userId, email: invite.email };
  }
  await withOptimisticRetry(async () => {
    const state = await loadInviterState(deps, invite);
    const inviterCheck = inviterStillAuthorizes(deps, state, invite);
    const now = deps.clock.now();
    const change = invite.pendingMemberId
      ? await planActivation(deps, state, invite.pendingMemberId, user)
      : planNewMember(
          deps,
          state,
          user,
          { roles: invite.roles, groups: invite.groups },
          user.userId,
          'invite.accept',
        );
    const accepted: InviteRecord = {
      ...invite,
      status: 'accepted',
      acceptedAt: now.toISOString(),
      acceptedBy: user.userId,
    };
    const T = deps.tableName;
    const inviteIndex = change.items.length;
    const items: TransactItem[] = [
      ...change.items,
      {
        Put: {
          TableName: T,
          Item: inviteItem(accepted),
          ConditionExpression: '#s = :pending AND tokenHash = :h AND expiresAt > :now',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':pending': 'pending',
            ':h': invite.tokenHash,
            ':now': now.toISOString(),
          },
        },
      },
      {
        Delete: {
          TableName: T,
          Key: keys.inviteEmail(invite.tenantId, invite.email),
          ConditionExpression: 'attribute_not_exists(pk) OR inviteId = :id',
          ExpressionAttributeValues: { ':id': invite.inviteId },
        },
      },
      inviterCheck,
    ];
    await transactWrite(deps.db, items, (codes) => {
      if (codes[inviteIndex] === 'ConditionalCheckFailed') return new GoneError(UNUSABLE);
      // The member item, or (for a new member) the email's uniqueness item.
      if (codes[0] === 'ConditionalCheckFailed' || codes[1] === 'ConditionalCheckFailed')
        return new ConflictError(`${invite.email} is already a member`);
      return raceLost();
    });
  });
  return {
    status: accepter.kind === 'bearer' ? 200 : 201,
    body: { tenantId: invite.tenantId, userId: user.userId },
  };
}

/** The tenant with the inviter as the acting member (their authority decides the accept). */
function loadInviterState(deps: StoreDeps, invite: InviteRecord): Promise<TenantState> {
  return loadTenantState(deps, invite.tenantId, { userId: invite.invitedBy, email: '' });
}

/**
 * Rule 14: an invite carries its inviter's authority only while the inviter has it. The inviter
 * must still be the same active membership (not deleted, re-created or disabled), still allowed
 * to invite, and still hold every role and group the invite grants (rule 4, at this moment).
 * Otherwise the invite is gone (410). Returns the check that the inviter is unchanged when the
 * accept commits.
 */
function inviterStillAuthorizes(
  deps: StoreDeps,
  state: TenantState,
  invite: InviteRecord,
): TransactItem {
  const inviter = state.actor;
  const gone = (why: string) => new GoneError(`This invite is no longer valid: ${why}`);
  if (!inviter || inviter.incarnation !== invite.invitedByIncarnation) {
    throw gone('the person who sent it is no longer a member');
  }
  if (inviter.status !== 'active') throw gone('the person who sent it is disabled');
  const rights = state.actorPermissions;
  if (!rights || !isAllowed(rights, MANAGED.invites, 'create')) {
    throw gone('the person who sent it may no longer invite');
  }
  try {
    assertCanGrant(rights, state.compiled, state.policy, {
      roles: invite.roles.map((roleId) => ({ roleId })),
      groups: invite.groups,
    });
  } catch (error) {
    if (error instanceof ForbiddenError) {
      throw gone('the person who sent it no longer holds what it grants');
    }
    throw error;
  }
  return memberStillActive(deps, invite.tenantId, inviter);
}

function accountExists(): ConflictError {
  return new ConflictError(
    'An account with this email exists: sign in and accept the invite with your access token',
  );
}

/** The validation error of an accept without a bearer token and without a password. */
export function passwordRequired(): InvalidError {
  return new InvalidError(
    'Give a password to create your account, or sign in and send your access token',
    [{ path: 'body.password', message: 'required without a bearer token' }],
  );
}
