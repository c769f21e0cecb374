/**
 * Audit events written straight into a tenant's audit partition at chosen times (the item
 * format of `auditEventPut`, so the listing reads them as its own), for tests of time ranges
 * that must not wait for the clock.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import type { AuditAction } from '#shared/audit/audit-actions.js';
import { auditEventPut } from '#shared/store/records/audit-record.js';
import { ddb, stack } from './stack-client.js';

export interface SeededEvent {
  eventId: string;
  at: string;
  action: AuditAction;
}

/** The actions the seeded events take in turn (after the first). */
export const SEED_CYCLE: readonly AuditAction[] = [
  'member.role.bind',
  'group.role.bind',
  'group.create',
  'acl.grant',
];

/** When seeded event `n` happened: `n` minutes after 10:00 UTC on 2026-03-02. */
export const seedMinute = (n: number) =>
  new Date(Date.parse('2026-03-02T10:00:00.000Z') + n * 60_000).toISOString();

/**
 * `count` events by actor `seed`, one minute apart from {@link seedMinute}(0), oldest first:
 * event `n` has action `SEED_CYCLE[n % 4]`, except the oldest, the tenant's one `tenant.limits`.
 */
export async function seedAuditEvents(tenantId: string, count: number): Promise<SeededEvent[]> {
  const events = Array.from({ length: count }, (_, n): SeededEvent => {
    const at = seedMinute(n);
    const action = n === 0 ? 'tenant.limits' : (SEED_CYCLE[n % SEED_CYCLE.length] ?? 'acl.grant');
    return { eventId: ulid(Date.parse(at)), at, action };
  });
  for (let i = 0; i < events.length; i += 25) {
    const puts = events.slice(i, i + 25).map((e) => {
      const write = auditEventPut(tenantId, e.at, e.eventId, {
        tenantId,
        actor: 'seed',
        action: e.action,
        target: `seed:${e.eventId}`,
      });
      return { PutRequest: { Item: 'put' in write ? write.put : {} } };
    });
    await ddb.send(new BatchWriteCommand({ RequestItems: { [stack.dynamodb.tableName]: puts } }));
  }
  return events;
}
