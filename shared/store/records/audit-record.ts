/** The audit event item: one per change, in its tenant's audit partition, sorted by time. */
import { keys } from '#shared/store/keys.js';
import type { Item, QueryPage, Table, TxItem } from '#shared/store/table.js';

/** The put of one audit event (sort key `<iso time>#<eventId>`); never overwrites another. */
export function auditEventPut(
  tenantId: string,
  at: string,
  eventId: string,
  fields: Record<string, unknown>,
): TxItem {
  return {
    put: { ...keys.audit(tenantId, `${at}#${eventId}`), type: 'audit', eventId, at, ...fields },
    when: { if: 'attribute_not_exists(pk)' },
  };
}

/** The cursor of an audit listing: the item's table key. */
export const auditCursorKey = (item: Item) => ({ pk: item.pk, sk: item.sk });

export interface AuditQuery {
  /** Only events at or after this ISO time. */
  since?: string;
  /** Only events before this ISO time (sort keys `<time>#<ulid>` sort after their time). */
  until?: string;
  actor?: string;
  target?: string;
  /** Only events with one of these actions (a filter: no index holds events by action). */
  actions?: readonly string[];
  limit: number;
  startKey?: Record<string, unknown>;
}

/**
 * The key condition of a time range: `since` inclusive, `until` exclusive. No sort key equals a
 * bare time (each is `<time>#<ulid>`), so `sk <= until` keeps exactly the events before `until`.
 */
function timeRange(since: string | undefined, until: string | undefined) {
  if (since !== undefined && until !== undefined)
    return { between: [since, until] as [string, string] };
  if (since !== undefined) return { from: since };
  if (until !== undefined) return { to: until };
  return {};
}

/** One filled page of a tenant's audit events, newest first, read only inside the time range. */
export function queryAudit(table: Table, tenantId: string, q: AuditQuery): Promise<QueryPage> {
  const filters: string[] = [];
  const values: Record<string, unknown> = {};
  if (q.actor) {
    filters.push('actor = :actor');
    values[':actor'] = q.actor;
  }
  if (q.target) {
    filters.push('target = :target');
    values[':target'] = q.target;
  }
  const names: Record<string, string> = {};
  if (q.actions?.length) {
    // `action` is a DynamoDB reserved word.
    names['#action'] = 'action';
    const list = q.actions.map((action, i) => {
      values[`:action${i}`] = action;
      return `:action${i}`;
    });
    filters.push(`#action IN (${list.join(', ')})`);
  }
  return table.queryFilled(
    {
      partition: keys.auditPartition(tenantId),
      ...timeRange(q.since, q.until),
      ...(filters.length
        ? { filter: { if: filters.join(' AND '), values, ...(q.actions?.length ? { names } : {}) } }
        : {}),
      newestFirst: true,
      limit: q.limit,
      startKey: q.startKey,
      consistent: false,
    },
    auditCursorKey,
  );
}
