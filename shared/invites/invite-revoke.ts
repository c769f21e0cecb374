/** Revoking an invite: soft state `revoked`, audited; a member added directly goes with it. */
import type { Caller, StoreDeps } from '#shared/app/context.js';
import { ConflictError, isRaceLost, NotFoundError } from '#shared/errors/domain-errors.js';
import { inviteAudit, inviteChanged, loadInvite } from '#shared/invites/invite-writes.js';
import { loadMember } from '#shared/members/member-service.js';
import { planMemberChange } from '#shared/members/member-writes.js';
import { loadTenantState } from '#shared/policy/tenant-state.js';
import {
  findInviteEmailLock,
  type InviteRecord,
  inviteEmailLockDelete,
  invitePut,
  inviteUnchanged,
} from '#shared/store/records/invite-record.js';
import { inviteOutboxDelete } from '#shared/store/records/outbox-record.js';
import type { TxItem } from '#shared/store/table.js';
import { withError } from '#shared/store/table.js';

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
  const items: TxItem[] = [
    ...(await pendingMemberDeletion(deps, caller, before)),
    invitePut(after, inviteUnchanged(before.sendCount, inviteChanged)),
    ...(await ownLockDeletion(deps, before)),
    inviteOutboxDelete(inviteId),
    inviteAudit(deps, caller, 'invite.revoke', { before, after }, now),
  ];
  await deps.table.transact(items).catch((error: unknown) => {
    // Not retried: whatever changed meanwhile (the invite, its lock, its pending member) is news.
    throw isRaceLost(error) ? inviteChanged() : error;
  });
}

/**
 * Revoking the invite of a member added directly also deletes that pending member (audited):
 * without the invite nobody could ever activate it.
 */
async function pendingMemberDeletion(
  deps: StoreDeps,
  caller: Caller,
  invite: InviteRecord,
): Promise<TxItem[]> {
  if (!invite.pendingMemberId) return [];
  const state = await loadTenantState(deps, invite.tenantId, caller);
  const pending = await loadMember(deps, invite.tenantId, invite.pendingMemberId).catch(
    (e: unknown) => {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    },
  );
  if (pending?.status !== 'pending') return [];
  const change = planMemberChange(deps, state, pending, undefined, {
    actor: caller.userId,
    action: 'member.delete',
    target: `member:${pending.userId}`,
  });
  return withError(change.items, inviteChanged);
}

/** Deleting the invite's email lock, unless a newer invite took it over after this one expired. */
async function ownLockDeletion(deps: StoreDeps, invite: InviteRecord): Promise<TxItem[]> {
  const lock = await findInviteEmailLock(deps.table, invite.tenantId, invite.email);
  if (lock?.inviteId !== invite.inviteId) return [];
  return [inviteEmailLockDelete(invite, inviteChanged)];
}
