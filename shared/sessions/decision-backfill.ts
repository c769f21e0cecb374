/**
 * Operator backfill for data written before decisions read two small items
 * (ops/backfill-decision-items.ts): a tenant's policy-version shards, and member items of an
 * earlier format upgraded to the current one (format 1 does not fold the tenant floor and the
 * user's sign-out stamp: those decisions cost one more BatchGetItem; format 2 keeps its rules as
 * a list, a larger item: more read units per decision with many direct rules). Until it runs
 * those decisions stay correct; running it twice, or while the service runs, is harmless: every
 * write is conditioned on what it read and re-read when a concurrent change won.
 */
import type { StoreDeps } from '#shared/app/context.js';
import { withOptimisticRetry } from '#shared/common/optimistic-retry.js';
import { keys } from '#shared/store/keys.js';
import { FORMAT_ATTRIBUTE, knownFormat } from '#shared/store/records/item-format.js';
import {
  foldsStamps,
  MEMBER_FORMAT,
  memberFromItem,
  memberPut,
} from '#shared/store/records/member-record.js';
import { getPolicy, policyVersionShardBackfill } from '#shared/store/records/policy-record.js';
import { foldedStamp, joinGuards, readJoinStamps } from '#shared/store/records/session-record.js';

export interface BackfillReport {
  tenantId: string;
  /** Whether the tenant's shards were written (false: they were there, or no such tenant). */
  shards: boolean;
  /** Member items of format 1 folded (and their rules packed) now. */
  folded: number;
  /** Member items of format 2 whose rules were packed now. */
  packed: number;
  /** Member items that were of the current format already. */
  current: number;
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
 * Upgrades one member item to {@link MEMBER_FORMAT}, conditioned on the version read: a format-2
 * item is rewritten with its rules packed; a format-1 item is also folded (its stamp becomes the
 * latest of its own, its tenant floor and the user's), with the same guards as a new membership
 * (the floor and the user stamp still as read; the tenant joins the user's `tenants` set).
 * Undefined when it is current already or gone; throws for a format this version does not know.
 */
async function upgradeMember(
  deps: StoreDeps,
  tenantId: string,
  userId: string,
): Promise<'folded' | 'packed' | undefined> {
  return withOptimisticRetry(async () => {
    const item = await deps.table.get(keys.member(tenantId, userId));
    if (!item || knownFormat('member', item) === MEMBER_FORMAT) return undefined;
    const member = memberFromItem(item);
    const next = { ...member, format: MEMBER_FORMAT, version: member.version + 1 };
    if (foldsStamps(member)) {
      await deps.table.transact([memberPut(next, member)]);
      return 'packed';
    }
    const pending = member.status === 'pending';
    const read = pending ? undefined : await readJoinStamps(deps.table, tenantId, userId);
    const stamp = Math.max(member.sessionsValidAfter, read ? foldedStamp(read) : 0);
    await deps.table.transact([
      memberPut({ ...next, sessionsValidAfter: stamp }, member),
      ...(read ? joinGuards(tenantId, userId, read) : []),
    ]);
    return 'folded';
  });
}

/** Backfills one tenant: its shards, then each of its member items, one at a time. */
export async function backfillTenant(deps: StoreDeps, tenantId: string): Promise<BackfillReport> {
  const shards = await backfillShards(deps, tenantId);
  const members = await deps.table.queryAll({
    partition: keys.tenantPartition(tenantId),
    prefix: keys.memberPrefix,
    attributes: ['userId', FORMAT_ATTRIBUTE],
  });
  const report: BackfillReport = { tenantId, shards, folded: 0, packed: 0, current: 0 };
  for (const m of members) {
    if (knownFormat('member', m) === MEMBER_FORMAT) report.current++;
    else {
      const done = await upgradeMember(deps, tenantId, String(m.userId));
      if (done) report[done]++;
    }
  }
  return report;
}
