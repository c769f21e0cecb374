/** Audit events: written in the same transaction as the change they record. */
import { ulid } from 'ulid';
import { requestCredential } from '#shared/audit/request-credential.js';
import { auditEventPut } from '#shared/store/records/audit-record.js';
import { type TxItem, transactItemOf } from '#shared/store/table.js';
import type { TransactItem } from '#shared/store/transact.js';

export interface AuditInput {
  tenantId: string;
  /** Who: a userId, `system`, or `service-account:<id>`. */
  actor: string;
  /** What, as `<noun>.<verb>`: `tenant.create`, `invite.accept`, `member.delete`... */
  action: string;
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
export function auditPut(input: AuditInput, now: Date): TxItem;
/** @deprecated The raw DynamoDB shape, for callers not yet on the storage port. */
export function auditPut(tableName: string, input: AuditInput, now: Date): TransactItem;
export function auditPut(
  ...args: [AuditInput, Date] | [string, AuditInput, Date]
): TxItem | TransactItem {
  if (typeof args[0] === 'string') {
    const [tableName, input, now] = args as [string, AuditInput, Date];
    return transactItemOf(tableName, auditPut(input, now));
  }
  const [input, now] = args as [AuditInput, Date];
  const eventId = ulid(now.getTime());
  const at = now.toISOString();
  const via = requestCredential();
  return auditEventPut(input.tenantId, at, eventId, {
    ...(via ? { credential: via.credential } : {}),
    ...(via?.tokenId ? { tokenId: via.tokenId } : {}),
    ...input,
  });
}
