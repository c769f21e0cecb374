/**
 * Creating invites: up to 100 addresses at once, each its own conditional transaction (email
 * lock, invite, token, outbox, mail counters, audit), so one bad address never fails the batch.
 */
import { ulid } from 'ulid';
import type { Caller, StoreDeps } from '#shared/app/context.js';
import { withOptimisticRetry } from '#shared/common/optimistic-retry.js';
import { ConflictError, type DomainError } from '#shared/errors/domain-errors.js';
import { parseAddresses } from '#shared/invites/invite-addresses.js';
import type { CreateInvitesInput, InviteResult } from '#shared/invites/invite-schemas.js';
import { inviteAudit, newSend, sendWrites } from '#shared/invites/invite-writes.js';
import { assertMailQuota, mailCounterWrites } from '#shared/limits/mail-limits.js';
import { assertNewMemberWithinLimits } from '#shared/members/member-service.js';
import { assertCanGrant, assertKnown } from '#shared/policy/grant-guard.js';
import { loadTenantState, type TenantState } from '#shared/policy/tenant-state.js';
import { emailHasMember } from '#shared/store/records/invite-queries.js';
import {
  findInviteEmailLock,
  type InviteRecord,
  inviteEmailLockPut,
  inviteIsNew,
  invitePut,
} from '#shared/store/records/invite-record.js';
import { suppressedAmong } from '#shared/store/records/mail-suppression-record.js';
import type { TxItem } from '#shared/store/table.js';

/** Parallel per-address transactions of one bulk invite. */
const INVITE_CONCURRENCY = 10;

export interface InviteGrants {
  roles: string[];
  groups: string[];
  message?: string | undefined;
}

/** A planned new invite: the mail counters (first: a 429 wins) and the invite's own writes. */
export interface PlannedInvite {
  invite: InviteRecord;
  counters: TxItem[];
  writes: TxItem[];
}

/** The 409 of an address whose email lock another open invite holds. */
export function alreadyInvited(): ConflictError {
  return new ConflictError('already invited');
}

/** Runs `fn` over `items`, at most `limit` at a time, keeping their order. */
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
 * Invites up to 100 addresses. Each valid, new address is its own conditional transaction, so
 * one bad address never fails the batch. Grants are checked, and the tenant's mail limits for
 * the whole batch (429 naming the limit), before anything is written. A suppressed address (an
 * earlier mail to it bounced or drew a complaint) is answered `suppressed` and not counted.
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
  const grants = {
    roles: [...new Set(input.roles ?? [])],
    groups: [...new Set(input.groups ?? [])],
    message: input.message,
  };
  const members = await mapLimited(addresses, INVITE_CONCURRENCY, async (a) =>
    a.valid ? emailHasMember(deps.table, tenantId, a.email) : false,
  );
  const suppressed = await suppressedAmong(
    deps.table,
    tenantId,
    addresses.filter((a) => a.valid).map((a) => a.email),
  );
  const toSend = addresses.filter(
    (a, i) => a.valid && !members[i] && !suppressed.has(a.email),
  ).length;
  await assertMailQuota(deps, tenantId, state.mailLimits, toSend);
  const results = await mapLimited(
    addresses.map((a, i) => ({ a, member: members[i] })),
    INVITE_CONCURRENCY,
    async ({ a, member }): Promise<InviteResult> => {
      if (!a.valid) return { email: a.email, status: 'invalid' };
      if (member) return { email: a.email, status: 'already_member' };
      if (suppressed.has(a.email)) return { email: a.email, status: 'suppressed' };
      return inviteOne(deps, state, caller, a.email, grants);
    },
  );
  return { results };
}

/**
 * Plans one new invite of `email`: the mail counters, then the email lock, the invite, its
 * token and outbox items and the audit event. `direct` ties it to a pending member (direct
 * add), with that use case's answer when the email has an open invite.
 */
export function planInvite(
  deps: StoreDeps,
  state: TenantState,
  caller: Caller,
  email: string,
  grants: InviteGrants,
  direct: { pendingMemberId: string; openInvite: () => DomainError } | undefined = undefined,
): PlannedInvite {
  const pendingMemberId = direct?.pendingMemberId;
  const now = deps.clock.now();
  const at = now.toISOString();
  const send = newSend(deps, state, now);
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
    expiresAt: send.expiresAt,
    status: 'pending',
    tokenHash: send.tokenHash,
    sendCount: 1,
    lastSentAt: at,
    recentSends: [],
    deliveryStatus: 'queued',
    ...(pendingMemberId ? { pendingMemberId } : {}),
  };
  return {
    invite,
    counters: mailCounterWrites(deps, state.tenantId, state.mailLimits),
    writes: [
      inviteEmailLockPut(invite, at, direct?.openInvite ?? alreadyInvited),
      invitePut(invite, inviteIsNew()),
      ...sendWrites(invite, send.token, now),
      inviteAudit(deps, caller, 'invite.create', { after: invite }, now),
    ],
  };
}

/** Invites one address; another open invite of it is `already_invited` (naming that invite). */
async function inviteOne(
  deps: StoreDeps,
  state: TenantState,
  caller: Caller,
  email: string,
  grants: InviteGrants,
): Promise<InviteResult> {
  try {
    const invite = await withOptimisticRetry(async () => {
      const planned = planInvite(deps, state, caller, email, grants);
      await deps.table.transact([...planned.counters, ...planned.writes]);
      return planned.invite;
    });
    return { email, status: 'invited', inviteId: invite.inviteId, expiresAt: invite.expiresAt };
  } catch (error) {
    if (!(error instanceof ConflictError) || error.retryable) throw error;
    const lock = await findInviteEmailLock(deps.table, state.tenantId, email);
    return { email, status: 'already_invited', ...lock };
  }
}
