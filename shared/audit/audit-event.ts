/** Audit events: written in the same transaction as the change they record. */
import { ulid } from 'ulid';
import { requestCredential } from '#shared/audit/request-credential.js';
import { keys } from '#shared/store/keys.js';
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

/** The Put for one audit event, to add to the change's transaction. */
export function auditPut(tableName: string, input: AuditInput, now: Date): TransactItem {
  const eventId = ulid(now.getTime());
  const at = now.toISOString();
  const via = requestCredential();
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...keys.audit(input.tenantId, `${at}#${eventId}`),
        type: 'audit',
        eventId,
        at,
        ...(via ? { credential: via.credential } : {}),
        ...(via?.tokenId ? { tokenId: via.tokenId } : {}),
        ...input,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}
