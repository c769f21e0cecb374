/**
 * Resending an invite: a new token (the old link dies), a new expiry and a new mail, within the
 * tenant's resend and mail limits.
 */
import type { Caller, StoreDeps } from '#shared/app/context.js';
import { withOptimisticRetry } from '#shared/common/optimistic-retry.js';
import { ConflictError, TooManyError } from '#shared/errors/domain-errors.js';
import { assertNotSuppressed } from '#shared/invites/invite-suppression.js';
import {
  HOUR_MS,
  inviteAudit,
  inviteChanged,
  loadInvite,
  newSend,
  sendWrites,
} from '#shared/invites/invite-writes.js';
import { mailCounterWrites } from '#shared/limits/mail-limits.js';
import { loadTenantState } from '#shared/policy/tenant-state.js';
import {
  type InviteRecord,
  inviteEmailLockPut,
  invitePut,
  inviteUnchanged,
} from '#shared/store/records/invite-record.js';

/**
 * Resends a pending or expired invite: a new token (the old link dies), a new expiry and a new
 * mail. 409 for accepted or revoked invites, when another open invite now holds the address,
 * or when the address is suppressed (an earlier mail to it bounced or drew a complaint);
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

/** The sends of the last hour; 429 when they already reach `limit`. */
function recentSendsWithin(before: InviteRecord, limit: number, now: Date): string[] {
  const recent = before.recentSends.filter((t) => now.getTime() - Date.parse(t) < HOUR_MS);
  if (recent.length >= limit) {
    const oldest = Math.min(...recent.map((t) => Date.parse(t)));
    const retryAfterSeconds = Math.max(1, Math.ceil((oldest + HOUR_MS - now.getTime()) / 1000));
    throw new TooManyError(`At most ${limit} resends per hour`, {
      extra: { limit: 'maxResendsPerHour', max: limit, retryAfterSeconds },
    });
  }
  return recent;
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
  await assertNotSuppressed(deps, tenantId, before.email, 'path.inviteId');
  const now = deps.clock.now();
  const at = now.toISOString();
  const recent = recentSendsWithin(before, state.settings.maxResendsPerHour, now);
  const send = newSend(deps, state, now);
  const after: InviteRecord = {
    ...before,
    tenantName: state.name,
    expiresAt: send.expiresAt,
    tokenHash: send.tokenHash,
    sendCount: before.sendCount + 1,
    lastSentAt: at,
    recentSends: [...recent, at],
    deliveryStatus: 'queued',
    // A new send starts its delivery afresh.
    deliveryAttempts: undefined,
    lastDeliveryError: undefined,
    deliveryProblem: undefined,
    deliveryProblemAt: undefined,
    deliveryProblemDetail: undefined,
  };
  const otherInvite = () =>
    new ConflictError(`Another open invite for ${before.email} exists; resend that one`);
  // First failed condition decides: the mail limits, then the lock, then the invite itself.
  await deps.table.transact([
    ...mailCounterWrites(deps, tenantId, state.mailLimits),
    inviteEmailLockPut(after, at, otherInvite, true),
    invitePut(after, inviteUnchanged(before.sendCount, inviteChanged)),
    // The old token item stays until its TTL: it now points at an invite with another hash (410).
    ...sendWrites(after, send.token, now),
    inviteAudit(deps, caller, 'invite.resend', { before, after }, now),
  ]);
  return { expiresAt: after.expiresAt };
}
