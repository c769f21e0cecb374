/** The audit listing: a tenant's events newest first, filtered by actor, target, action and time. */
import * as z from 'zod/mini';
import type { StoreDeps } from '#shared/app/context.js';
import { AUDIT_ACTIONS, isAuditAction } from '#shared/audit/audit-actions.js';
import { InvalidError } from '#shared/errors/domain-errors.js';
import { keys } from '#shared/store/keys.js';
import { decodeCursor, encodeCursor, type Page, PageQuery } from '#shared/store/pagination.js';
import { queryAudit } from '#shared/store/records/audit-record.js';

const ISO_TIME = { message: 'must be an ISO 8601 date-time (UTC), e.g. 2026-01-31T00:00:00Z' };

export const ListAuditQuery = z.strictObject({
  ...PageQuery,
  actor: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  target: z.optional(z.string().check(z.minLength(1), z.maxLength(300))),
  since: z.optional(z.iso.datetime(ISO_TIME)),
  until: z.optional(
    z.iso.datetime(ISO_TIME).check(z.describe('Only events before this time (exclusive)')),
  ),
  action: z.optional(
    z
      .string()
      .check(
        z.minLength(1),
        z.maxLength(2000),
        z.describe(`One action or several, comma separated: ${AUDIT_ACTIONS.join(', ')}`),
      ),
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

/** The actions of an `action` filter (comma separated); an unknown name is a 400 listing the valid ones. */
function actionFilter(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const names = [...new Set(value.split(',').map((name) => name.trim()))].filter(Boolean);
  const unknown = names.filter((name) => !isAuditAction(name));
  if (names.length > 0 && unknown.length === 0) return names;
  const what = unknown.length
    ? `unknown action ${unknown.map((name) => `'${name}'`).join(', ')}`
    : 'no action named';
  const message = `${what}; the actions are ${AUDIT_ACTIONS.join(', ')}`;
  throw new InvalidError(`query.action: ${message}`, [{ path: 'query.action', message }]);
}

const isoOf = (value: string | undefined) =>
  value === undefined ? undefined : new Date(value).toISOString();

/**
 * Lists audit events newest first (sort key `<iso time>#<ulid>`, read backwards), optionally
 * only those at or after `since` and before `until` (the Query's key condition: only that
 * range is read), and by one actor, on one target or with one of several actions (filters
 * applied to what the range reads). Filtered pages are filled (up to ten reads of `limit`
 * events); a page can hold fewer than `limit` events and still have a `nextCursor`: follow it
 * until it is null, passing the same filters. A cursor outside the time range is a 400.
 */
export async function listAudit(
  deps: StoreDeps,
  tenantId: string,
  query: ListAuditInput,
): Promise<Page<AuditView>> {
  const since = isoOf(query.since);
  const until = isoOf(query.until);
  if (since !== undefined && until !== undefined && since > until) {
    throw new InvalidError('`until` is before `since`', [
      { path: 'query.until', message: 'must be at or after since' },
    ]);
  }
  const actions = actionFilter(query.action);
  const startKey = decodeCursor(query.cursor, { pk: keys.auditPartition(tenantId) });
  // A cursor of a listing without `since` or `until` (or another range) can point outside
  // this one: DynamoDB refuses a start key outside the key condition, which must be a 400.
  const sk = startKey ? String(startKey.sk) : undefined;
  if (
    sk !== undefined &&
    ((since !== undefined && sk < since) || (until !== undefined && sk > until))
  ) {
    throw new InvalidError(
      'The cursor is outside `since` and `until`: it belongs to another listing',
      [
        {
          path: 'query.cursor',
          message: 'invalid cursor for this time range: pass back a nextCursor of the same listing',
        },
      ],
    );
  }
  const page = await queryAudit(deps.table, tenantId, {
    since,
    until,
    actor: query.actor,
    target: query.target,
    actions,
    limit: query.limit,
    startKey,
  });
  return { items: page.items.map(auditView), nextCursor: encodeCursor(page.lastKey) };
}
