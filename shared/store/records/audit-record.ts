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
  actor?: string;
  target?: string;
  limit: number;
  startKey?: Record<string, unknown>;
}

/** One filled page of a tenant's audit events, newest first. */
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
  return table.queryFilled(
    {
      partition: keys.auditPartition(tenantId),
      ...(q.since !== undefined ? { from: q.since } : {}),
      ...(filters.length ? { filter: { if: filters.join(' AND '), values } } : {}),
      newestFirst: true,
      limit: q.limit,
      startKey: q.startKey,
      consistent: false,
    },
    auditCursorKey,
  );
}
