/**
 * Loads what one authorization decision needs in ONE DynamoDB request: a BatchGetItem of the
 * member item (status, sessionsValidAfter, groups, roles, rules), its tenant session floor, the
 * user's sign-out stamp and the tenant policy item, projected down to its version. The compiled
 * policy is cached in memory by version, so only the first request after a policy change pays
 * one extra GetItem for the new policy.
 *
 * API tokens take the same shape: one BatchGetItem of the token item, its owner (service account
 * or member) and the policy version, decided through the same compiled-policy cache.
 */
import {
  createPolicyCache,
  createPrincipalCache,
  MAX_CACHED_PRINCIPALS,
} from '#shared/auth/decision-caches.js';
import {
  apiTokenDecisionKeys,
  apiTokenSnapshotFrom,
  DECISION_ATTRIBUTES,
  LAST_USED_INTERVAL_MS,
  lastUseIsDue,
  memberDecisionKeys,
  memberSnapshotFrom,
  personalTokenDecisionKeys,
  personalTokenSnapshotFrom,
  policyVersionOf,
  type Row,
} from '#shared/auth/snapshot-steps.js';
import type { SnapshotReader, TokenUse } from '#shared/auth/snapshot-types.js';
import { isRaceLost } from '#shared/errors/domain-errors.js';
import { logger } from '#shared/observability/logger.js';
import type { DocumentClient } from '#shared/store/dynamo-client.js';
import { keys } from '#shared/store/keys.js';
import { policyFromItem } from '#shared/store/records/policy-record.js';
import { getUserSessionsValidAfter } from '#shared/store/records/session-record.js';
import { createTable, type Item, type Key, type Table } from '#shared/store/table.js';

/**
 * The items of `keyList`, in its order (undefined where absent): one strongly consistent
 * BatchGetItem projected down to what decisions read; unprocessed keys are asked again, never
 * read as absent.
 */
async function readBatch(table: Table, keyList: Key[]): Promise<Row[]> {
  const found = await table.batchGet(keyList, { attributes: DECISION_ATTRIBUTES });
  return keyList.map((key) => table.pick(found, key));
}

/** The tenant's whole policy item (read after a version change), strongly consistent. */
async function loadPolicy(table: Table, tenantId: string) {
  const item = await table.get(keys.policy(tenantId));
  if (!item) throw new Error('policy item vanished');
  return policyFromItem(item);
}

/**
 * Records a token's last use unless a later one is there: a conditional UpdateItem. A failed
 * condition (another instance recorded it, or the token is gone) is not an error.
 */
async function recordLastUse(table: Table, use: TokenUse, now: Date) {
  const cutoff = new Date(now.getTime() - LAST_USED_INTERVAL_MS).toISOString();
  try {
    await table.update(use.key, 'SET lastUsedAt = :now', {
      values: { ':now': now.toISOString() },
      when: {
        if: 'attribute_exists(pk) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :cutoff)',
        values: { ':cutoff': cutoff },
      },
    });
  } catch (error) {
    if (!isRaceLost(error))
      logger.warn('Could not record API token use', { error: error as Error });
  }
}

export function createSnapshotReader(db: DocumentClient, tableName: string): SnapshotReader {
  const table = createTable(db, tableName);
  const policyAt = createPolicyCache((tenantId) => loadPolicy(table, tenantId));
  const permissionsOf = createPrincipalCache();
  /** When this instance last recorded each token's use (epoch ms), bounded like the principals. */
  const touched = new Map<string, number>();

  /** The compiled policy at the version the batch's policy item names. */
  const policyOf = (tenantId: string, policyRow: Item) =>
    policyAt(tenantId, policyVersionOf(policyRow));

  return {
    async read(tenantId, userId) {
      const [policyRow, ...memberRows] = await readBatch(
        table,
        memberDecisionKeys(tenantId, userId),
      );
      if (!policyRow) return undefined;
      const policy = await policyOf(tenantId, policyRow);
      return memberSnapshotFrom(userId, memberRows, (m) =>
        permissionsOf(tenantId, m, policy, true),
      );
    },

    async readApiToken(tenantId, serviceAccountId, tokenId, minterUserId) {
      const batch = apiTokenDecisionKeys(tenantId, serviceAccountId, tokenId, minterUserId);
      const [token, account, policyRow, ...minterRows] = await readBatch(table, batch);
      if (!token || !account || !policyRow) return undefined;
      const policy = await policyOf(tenantId, policyRow);
      const minter = memberSnapshotFrom(minterUserId, minterRows, (m) =>
        permissionsOf(tenantId, m, policy, true),
      );
      // Service accounts are not members: `everyone` never reaches them.
      const permissions = permissionsOf(tenantId, account, policy, false);
      return apiTokenSnapshotFrom(token, account, minter, permissions);
    },

    async readPersonalToken(tenantId, userId, tokenId) {
      const batch = personalTokenDecisionKeys(tenantId, userId, tokenId);
      const [token, policyRow, ...memberRows] = await readBatch(table, batch);
      if (!token || !policyRow) return undefined;
      const policy = await policyOf(tenantId, policyRow);
      const member = memberSnapshotFrom(userId, memberRows, (m) =>
        permissionsOf(tenantId, m, policy, true),
      );
      return member && personalTokenSnapshotFrom(token, member);
    },

    userSessionsValidAfter: (userId) => getUserSessionsValidAfter(table, userId),

    touchToken(use, now) {
      const cacheKey = `${use.key.pk}#${use.key.sk}`;
      if (!lastUseIsDue(use, touched.get(cacheKey) ?? 0, now)) return;
      if (touched.size >= MAX_CACHED_PRINCIPALS) touched.clear();
      touched.set(cacheKey, now.getTime());
      void recordLastUse(table, use, now);
    },
  };
}
