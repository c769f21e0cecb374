/**
 * What every invite change shares: reading an invite (or 404), a new send (fresh token and
 * expiry: the old link dies), the items a send writes (token and outbox) and the audit event.
 */

import type { Caller, StoreDeps } from '#shared/app/context.js';
import type { AuditAction } from '#shared/audit/audit-actions.js';
import { auditPut } from '#shared/audit/audit-event.js';
import { ConflictError, NotFoundError } from '#shared/errors/domain-errors.js';
import { hashSecret } from '#shared/platform/secret-tokens.js';
import type { TenantState } from '#shared/policy/tenant-state.js';
import {
  findInvite,
  type InviteRecord,
  inviteTokenPut,
  inviteView,
} from '#shared/store/records/invite-record.js';
import { inviteOutboxPut } from '#shared/store/records/outbox-record.js';
import type { TxItem } from '#shared/store/table.js';

export const HOUR_MS = 3_600_000;

/** Reads one invite, strongly consistent, or throws 404. */
export async function loadInvite(
  deps: StoreDeps,
  tenantId: string,
  inviteId: string,
): Promise<InviteRecord> {
  const invite = await findInvite(deps.table, tenantId, inviteId);
  if (!invite) throw new NotFoundError(`Invite '${inviteId}' not found`);
  return invite;
}

/** The 409 when an invite changed between reading and writing it. */
export function inviteChanged(): ConflictError {
  return new ConflictError('The invite changed meanwhile; read it and retry');
}

/** A new send at `now`: its raw token, the token's hash and the expiry the tenant sets. */
export function newSend(deps: StoreDeps, state: TenantState, now: Date) {
  const token = deps.tokens.newSecret();
  return {
    token,
    tokenHash: hashSecret(token),
    expiresAt: new Date(now.getTime() + state.settings.inviteTtlHours * HOUR_MS).toISOString(),
  };
}

/** The token item and the outbox item (the mail, with the raw token) of the invite's current send. */
export function sendWrites(invite: InviteRecord, token: string, now: Date): TxItem[] {
  return [
    inviteTokenPut(invite),
    inviteOutboxPut(
      {
        tenantId: invite.tenantId,
        inviteId: invite.inviteId,
        sendCount: invite.sendCount,
        email: invite.email,
        token,
        tenantName: invite.tenantName,
        invitedByEmail: invite.invitedByEmail,
        expiresAt: invite.expiresAt,
        ...(invite.message ? { message: invite.message } : {}),
      },
      now,
    ),
  ];
}

/** The audit event of an invite change by `caller` (`before` absent for a new invite). */
export function inviteAudit(
  _deps: StoreDeps,
  caller: Pick<Caller, 'userId'>,
  action: AuditAction,
  change: { before?: InviteRecord; after: InviteRecord },
  now: Date,
): TxItem {
  const { before, after } = change;
  return auditPut(
    {
      tenantId: after.tenantId,
      actor: caller.userId,
      action,
      target: `invite:${after.inviteId}`,
      ...(before ? { before: inviteView(before, now) } : {}),
      after: inviteView(after, now),
    },
    now,
  );
}
