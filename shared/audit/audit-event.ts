/** Audit events: written in the same transaction as the change they record. */
import { ulid } from 'ulid';
import type { AuditAction } from '#shared/audit/audit-actions.js';
import { requestCredential } from '#shared/audit/request-credential.js';
import { auditEventPut } from '#shared/store/records/audit-record.js';
import type { TxItem } from '#shared/store/table.js';

export interface AuditInput {
  tenantId: string;
  /** Who: a userId, `system`, or `service-account:<id>`. */
  actor: string;
  /** What, as `<noun>.<verb>`: `tenant.create`, `invite.accept`, `member.delete`... */
  action: AuditAction;
  /** The thing changed, e.g. `member:<userId>`, `invite:<id>`. */
  target: string;
  before?: unknown;
  after?: unknown;
}

export interface AuditEvent extends AuditInput {
  eventId: string;
  at: string;
  /** How the actor authenticated (session, personal-token, api-token), when a request did it. */
  credential?: string;
  /** The token's id when the actor used an API or personal token. */
  tokenId?: string;
}

/** The put of one audit event, to add to the change's transaction. */
export function auditPut(input: AuditInput, now: Date): TxItem {
  const eventId = ulid(now.getTime());
  const at = now.toISOString();
  const via = requestCredential();
  return auditEventPut(input.tenantId, at, eventId, {
    ...(via ? { credential: via.credential } : {}),
    ...(via?.tokenId ? { tokenId: via.tokenId } : {}),
    ...input,
  });
}
