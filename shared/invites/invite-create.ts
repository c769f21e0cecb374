/**
 * Creating invites: up to 100 addresses at once. What decides each address (its member
 * uniqueness item, its suppression, its email lock, and the mail counters) is read in the
 * batch that reads the tenant state; the new invites are then written a few transactions at a
 * time, each grouping up to 19 addresses (each conditioned as alone: email lock, invite, token,
 * outbox, audit) under one conditional ADD of the mail counters. An address whose condition
 * fails (another invite took it meanwhile) gets its own answer and the rest are written again,
 * so one address never fails the batch.
 */
import { ulid } from 'ulid';
import type { Caller, StoreDeps } from '#shared/app/context.js';
import { withOptimisticRetry } from '#shared/common/optimistic-retry.js';
import { ConflictError, type DomainError, raceLostError } from '#shared/errors/domain-errors.js';
import { parseAddresses } from '#shared/invites/invite-addresses.js';
import type { CreateInvitesInput, InviteResult } from '#shared/invites/invite-schemas.js';
import { inviteAudit, newSend, sendWrites } from '#shared/invites/invite-writes.js';
import { assertMailRoom, mailCounterKeys, mailCounterWrites } from '#shared/limits/mail-limits.js';
import { assertNewMemberWithinLimits } from '#shared/members/member-service.js';
import { assertCanGrant, assertKnown } from '#shared/policy/grant-guard.js';
import { loadTenantState, type TenantState } from '#shared/policy/tenant-state.js';
import { keys } from '#shared/store/keys.js';
import { indexedMemberEmails } from '#shared/store/records/invite-queries.js';
import {
  type InviteRecord,
  inviteEmailLockPut,
  inviteIsNew,
  invitePut,
  openInviteOf,
} from '#shared/store/records/invite-record.js';
import { mailCountsIn } from '#shared/store/records/limit-record.js';
import type { TxItem } from '#shared/store/table.js';

/** Actions in one TransactWriteItems: DynamoDB's limit. */
const MAX_TRANSACTION_ACTIONS = 100;
/** Bytes of items in one transaction: DynamoDB's limit is 4 MB; this leaves room for the rest. */
const MAX_TRANSACTION_BYTES = 3_500_000;

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

/** The items a bulk invite reads for one address, beside the tenant state. */
function addressKeys(tenantId: string, email: string) {
  return {
    member: keys.memberEmail(tenantId, email),
    suppression: keys.mailSuppression(tenantId, email),
    lock: keys.inviteEmail(tenantId, email),
  };
}

/**
 * Invites up to 100 addresses, one answer each in the order given: `invalid`, `already_member`,
 * `suppressed` (an earlier mail to it bounced or drew a complaint; not counted),
 * `already_invited` (naming the open invite) or `invited`. Grants are checked, and the
 * tenant's mail limits for the whole batch (429 naming the limit), before anything is written.
 */
export async function createInvites(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  input: CreateInvitesInput,
): Promise<{ results: InviteResult[] }> {
  const addresses = parseAddresses(input.emails);
  const emails = addresses.flatMap((a) => (a.valid ? [a.email] : []));
  const now = deps.clock.now();
  const at = now.toISOString();
  const counterKeys = mailCounterKeys(now, tenantId);
  const read = emails.map((email) => addressKeys(tenantId, email));
  const [state, indexed] = await Promise.all([
    loadTenantState(deps, tenantId, caller, [
      ...counterKeys,
      ...read.flatMap((k) => [k.member, k.suppression, k.lock]),
    ]),
    // Members from before the email uniqueness item are listed by the index only.
    indexedMemberEmails(deps.table, tenantId, emails),
  ]);
  assertGrantable(state, input);
  const grants = {
    roles: [...new Set(input.roles ?? [])],
    groups: [...new Set(input.groups ?? [])],
    message: input.message,
  };
  const found = (key: { pk: string; sk: string }) => deps.table.pick(state.extra, key);
  const answers = new Map<string, InviteResult>();
  const toSend: string[] = [];
  emails.forEach((email, i) => {
    const k = read[i] as ReturnType<typeof addressKeys>;
    const open = openInviteOf(found(k.lock), at);
    if (found(k.member) || indexed.has(email))
      answers.set(email, { email, status: 'already_member' });
    else if (found(k.suppression)) answers.set(email, { email, status: 'suppressed' });
    else if (open) answers.set(email, { email, status: 'already_invited', ...open });
    else toSend.push(email);
  });
  assertMailRoom(
    now,
    state.mailLimits,
    mailCountsIn(deps.table, state.extra, counterKeys),
    toSend.length,
  );
  // One after another: every group raises the same counters (DynamoDB would cancel all but
  // one of concurrent transactions on them as conflicts).
  for (const group of transactionGroups(deps, state, caller, toSend, grants)) {
    await inviteGroup(deps, state, caller, group, grants, answers);
  }
  return {
    results: addresses.map((a): InviteResult => {
      if (!a.valid) return { email: a.email, status: 'invalid' };
      const answer = answers.get(a.email);
      if (!answer) throw new Error(`bulk invite left ${a.email} unanswered`);
      return answer;
    }),
  };
}

/**
 * The new invites of `emails` split into transactions: each holds the mail counters and as
 * many addresses' writes as fit in DynamoDB's 100 actions and 4 MB (19 addresses by count; the
 * size only binds for huge grants or messages). Returns each group's first plans.
 */
function transactionGroups(
  deps: StoreDeps,
  state: TenantState,
  caller: Caller,
  emails: string[],
  grants: InviteGrants,
): PlannedInvite[][] {
  const groups: PlannedInvite[][] = [];
  let group: PlannedInvite[] = [];
  let actions = 0;
  let bytes = 0;
  const counters = mailCounterWrites(deps, state.tenantId, state.mailLimits).length;
  for (const email of emails) {
    const plan = planInvite(deps, state, caller, email, grants);
    const size = Buffer.byteLength(JSON.stringify(plan.writes));
    if (
      group.length > 0 &&
      (counters + actions + plan.writes.length > MAX_TRANSACTION_ACTIONS ||
        bytes + size > MAX_TRANSACTION_BYTES)
    ) {
      groups.push(group);
      group = [];
      actions = 0;
      bytes = 0;
    }
    group.push(plan);
    actions += plan.writes.length;
    bytes += size;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/**
 * Writes one group of new invites in one transaction with the mail counters raised by the
 * group's size. When addresses' email locks fail (another invite took them after the read),
 * those addresses are answered `already_invited` (their locks re-read, naming the open invite)
 * and the others are written again, re-planned; a lost race (a concurrent transaction on the
 * counters) is retried with backoff; a counter over its limit is the 429 naming it.
 */
async function inviteGroup(
  deps: StoreDeps,
  state: TenantState,
  caller: Caller,
  first: PlannedInvite[],
  grants: InviteGrants,
  answers: Map<string, InviteResult>,
): Promise<void> {
  let plans = first;
  await withOptimisticRetry(async () => {
    while (plans.length > 0) {
      const counters = mailCounterWrites(deps, state.tenantId, state.mailLimits, plans.length);
      const items: TxItem[] = [...counters];
      // Where each plan's email lock (its first write) sits in the transaction.
      const lockAt = plans.map((plan) => {
        items.push(...plan.writes);
        return items.length - plan.writes.length;
      });
      const { failed } = await deps.table.transactOrFailed(items);
      if (failed.length === 0) {
        for (const { invite } of plans) answers.set(invite.email, invited(invite));
        plans = [];
        return;
      }
      const counter = failed.find((i) => i < counters.length);
      if (counter !== undefined) throw items[counter]?.when?.else?.() ?? raceLostError();
      // Only a failed email lock names an outcome; any other failed condition is a race.
      const locked = plans.filter((_, i) => failed.includes(lockAt[i] as number));
      const lockKeys = locked.map((p) => keys.inviteEmail(state.tenantId, p.invite.email));
      const locks = lockKeys.length ? await deps.table.batchGet(lockKeys) : new Map();
      const at = deps.clock.now().toISOString();
      const settled = new Set<string>();
      locked.forEach((plan, i) => {
        const open = openInviteOf(
          deps.table.pick(locks, lockKeys[i] as (typeof lockKeys)[number]),
          at,
        );
        if (!open) return;
        const { email } = plan.invite;
        answers.set(email, { email, status: 'already_invited', ...open });
        settled.add(email);
      });
      const left = plans.filter((p) => !settled.has(p.invite.email));
      plans = left.map((p) => planInvite(deps, state, caller, p.invite.email, grants));
      // Nothing was settled (a lock freed again, or another item's race): retry after a backoff.
      if (settled.size === 0) throw raceLostError();
    }
  });
}

function invited(invite: InviteRecord): InviteResult {
  return {
    email: invite.email,
    status: 'invited',
    inviteId: invite.inviteId,
    expiresAt: invite.expiresAt,
  };
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
