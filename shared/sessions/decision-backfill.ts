/**
 * Operator backfill for data written before decisions read two items (ops/backfill-decision-items.ts):
 * a tenant's policy-version shards, and member items that do not fold the tenant floor and the
 * user's sign-out stamp (format 1). Until it runs those decisions stay correct and cost one more
 * BatchGetItem; running it twice, or while the service runs, is harmless: every write is
 * conditioned on what it read and re-read when a concurrent change won.
 */
import type { StoreDeps } from '#shared/app/context.js';
import { withOptimisticRetry } from '#shared/common/optimistic-retry.js';
import { keys } from '#shared/store/keys.js';
import { FOLDED_MEMBER_FORMAT, memberFromItem } from '#shared/store/records/member-record.js';
import { getPolicy, policyVersionShardBackfill } from '#shared/store/records/policy-record.js';
import { foldedStamp, joinGuards, readJoinStamps } from '#shared/store/records/session-record.js';
import { atVersion } from '#shared/store/records/versioned-item.js';

export interface BackfillReport {
  tenantId: string;
  /** Whether the tenant's shards were written (false: they were there, or no such tenant). */
  shards: boolean;
  /** Member items folded now. */
  folded: number;
  /** Member items that were folded already. */
  alreadyFolded: number;
}

/** Every tenant id of the table (one filtered Scan, every page): tenants are never deleted. */
export async function allTenantIds(deps: StoreDeps): Promise<string[]> {
  const ids: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await deps.table.scan({
      filter: {
        if: 'sk = :meta AND #t = :tenant',
        names: { '#t': 'type' },
        values: { ':meta': 'META', ':tenant': 'tenant' },
      },
      attributes: ['tenantId'],
      startKey,
    });
    ids.push(...page.items.map((i) => String(i.tenantId)));
    startKey = page.lastKey;
  } while (startKey);
  return ids;
}

/** Writes a tenant's shards at its policy version unless they are there. */
async function backfillShards(deps: StoreDeps, tenantId: string): Promise<boolean> {
  return withOptimisticRetry(async () => {
    const shard = await deps.table.get(keys.policyVersionShard(tenantId, 0));
    if (shard) return false;
    const policy = await getPolicy(deps.table, tenantId);
    if (!policy) return false;
    await deps.table.transact(policyVersionShardBackfill(tenantId, policy.version));
    return true;
  });
}

/**
 * Folds one member item: its stamp becomes the latest of its own, its tenant floor and the
 * user's, and its format the folded one, conditioned on the version read, with the same guards
 * as a new membership (the floor and the user stamp still as read; the tenant joins the user's
 * `tenants` set). False when it was folded already or is gone.
 */
async function foldMember(deps: StoreDeps, tenantId: string, userId: string): Promise<boolean> {
  return withOptimisticRetry(async () => {
    const item = await deps.table.get(keys.member(tenantId, userId));
    if (!item || item.format !== undefined) return false;
    const member = memberFromItem(item);
    const pending = member.status === 'pending';
    const read = pending ? undefined : await readJoinStamps(deps.table, tenantId, userId);
    const stamp = Math.max(member.sessionsValidAfter, read ? foldedStamp(read) : 0);
    await deps.table.transact([
      {
        update: keys.member(tenantId, userId),
        set: 'SET sessionsValidAfter = :stamp, #format = :format, version = :next',
        names: { '#format': 'format' },
        values: { ':stamp': stamp, ':format': FOLDED_MEMBER_FORMAT, ':next': member.version + 1 },
        when: atVersion(member.version),
      },
      ...(read ? joinGuards(tenantId, userId, read) : []),
    ]);
    return true;
  });
}

/** Backfills one tenant: its shards, then each of its member items, one at a time. */
export async function backfillTenant(deps: StoreDeps, tenantId: string): Promise<BackfillReport> {
  const shards = await backfillShards(deps, tenantId);
  const members = await deps.table.queryAll({
    partition: keys.tenantPartition(tenantId),
    prefix: keys.memberPrefix,
    attributes: ['userId', 'format'],
  });
  let folded = 0;
  let alreadyFolded = 0;
  for (const m of members) {
    if (m.format !== undefined) alreadyFolded++;
    else if (await foldMember(deps, tenantId, String(m.userId))) folded++;
  }
  return { tenantId, shards, folded, alreadyFolded };
}
