/** The audit listing: a tenant's events newest first, filtered by actor, target and time. */
import * as z from 'zod/mini';
import type { StoreDeps } from '#shared/app/context.js';
import { InvalidError } from '#shared/errors/domain-errors.js';
import { keys } from '#shared/store/keys.js';
import { decodeCursor, encodeCursor, type Page, PageQuery } from '#shared/store/pagination.js';
import { queryAudit } from '#shared/store/records/audit-record.js';

export const ListAuditQuery = z.strictObject({
  ...PageQuery,
  actor: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  target: z.optional(z.string().check(z.minLength(1), z.maxLength(300))),
  since: z.optional(
    z.iso.datetime({ message: 'must be an ISO 8601 date-time (UTC), e.g. 2026-01-31T00:00:00Z' }),
  ),
});
export type ListAuditInput = z.infer<typeof ListAuditQuery>;

export const AuditView = z.object({
  eventId: z.string(),
  at: z.string(),
  actor: z.string(),
  /** How the actor authenticated: `session`, `personal-token` or `api-token` (absent: system). */
  credential: z.optional(z.enum(['session', 'personal-token', 'api-token'])),
  /** The id of the token the actor used, for `personal-token` and `api-token`. */
  tokenId: z.optional(z.string()),
  action: z.string(),
  target: z.string(),
  before: z.optional(z.unknown()),
  after: z.optional(z.unknown()),
});
export type AuditView = z.infer<typeof AuditView>;

export const AuditPage = z.object({
  items: z.array(AuditView),
  nextCursor: z.nullable(z.string()),
});

function auditView(item: Record<string, unknown>): AuditView {
  return {
    eventId: String(item.eventId),
    at: String(item.at),
    actor: String(item.actor),
    ...(typeof item.credential === 'string'
      ? { credential: item.credential as NonNullable<AuditView['credential']> }
      : {}),
    ...(typeof item.tokenId === 'string' ? { tokenId: item.tokenId } : {}),
    action: String(item.action),
    target: String(item.target),
    ...(item.before !== undefined ? { before: item.before } : {}),
    ...(item.after !== undefined ? { after: item.after } : {}),
  };
}

/**
 * Lists audit events newest first (sort key `<iso time>#<ulid>`, read backwards), optionally
 * only those at or after `since` and by one actor or on one target. Filtered pages are filled
 * (up to ten reads); follow `nextCursor` until it is null.
 */
export async function listAudit(
  deps: StoreDeps,
  tenantId: string,
  query: ListAuditInput,
): Promise<Page<AuditView>> {
  const since = query.since ? new Date(query.since).toISOString() : undefined;
  const startKey = decodeCursor(query.cursor, { pk: keys.auditPartition(tenantId) });
  // A cursor of a listing without `since` (or an earlier one) can point before `since`:
  // DynamoDB refuses a start key outside the key condition, which must be a 400, not a 500.
  if (startKey && since !== undefined && String(startKey.sk) < since) {
    throw new InvalidError('The cursor is before `since`: it belongs to another listing', [
      {
        path: 'query.cursor',
        message: 'invalid cursor for this since: pass back a nextCursor of the same listing',
      },
    ]);
  }
  const page = await queryAudit(deps.table, tenantId, {
    since,
    actor: query.actor,
    target: query.target,
    limit: query.limit,
    startKey,
  });
  return { items: page.items.map(auditView), nextCursor: encodeCursor(page.lastKey) };
}
