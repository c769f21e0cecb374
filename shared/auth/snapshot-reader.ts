/**
 * Loads what one authorization decision needs in ONE DynamoDB request: a BatchGetItem of one of
 * the tenant's policy-version shards (picked at random) and the member item (status,
 * sessionsValidAfter with the tenant floor and the user's sign-out stamp folded in, groups,
 * roles, rules): two small items, 2 read units, whatever the size of the policy. The compiled
 * policy is cached in memory by version, so only the first request after a policy change pays
 * one extra GetItem for the new policy.
 *
 * Data from before shards and folded stamps costs one more BatchGetItem, never a wrong answer:
 * a tenant without shards has its policy item read (projected to its version), and a member item
 * of format 1 has its tenant floor and user stamp read (see `followUpKeys`).
 *
 * API tokens take the same shape: one BatchGetItem of the token item, its owner (service account
 * or member), a version shard and the member item, decided through the same compiled-policy cache.
 */
import {
  createPolicyCache,
  createPrincipalCache,
  MAX_CACHED_PRINCIPALS,
} from '#shared/auth/decision-caches.js';
import {
  apiTokenDecisionKeys,
  apiTokenSnapshotFrom,
  assertKnownFormats,
  DECISION_ATTRIBUTES,
  followUpKeys,
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
import type { DocumentTransport } from '#shared/store/document-transport.js';
import { keys } from '#shared/store/keys.js';
import { policyFromItem, randomPolicyShard } from '#shared/store/records/policy-record.js';
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

/** What a decision read beyond its own items: the policy version, and the member's stamps. */
interface DecisionRead {
  /** The items of the keys asked for besides the shard and the member, in order. */
  head: Row[];
  /** The shard (or, for a tenant without shards, the policy item); undefined: no such tenant. */
  version: Row;
  /** The member item, then its tenant floor and user stamp when it does not fold them. */
  memberRows: Row[];
}

/**
 * Reads `head` (the token's items), one policy-version shard and `userId`'s member item in one
 * BatchGetItem, then what data from before shards and folded stamps still needs (see
 * `followUpKeys`) in a second one. Undefined when an item of `head` is absent.
 */
async function readDecision(
  table: Table,
  tenantId: string,
  userId: string,
  head: (shard: number) => Key[],
): Promise<DecisionRead | undefined> {
  const keyList = head(randomPolicyShard());
  const rows = await readBatch(table, keyList);
  const member = rows.at(-1);
  const shard = rows.at(-2);
  const headRows = rows.slice(0, -2);
  if (headRows.some((row) => !row)) return undefined;
  const more = followUpKeys(tenantId, userId, shard, member);
  const extra = more.length > 0 ? await readBatch(table, more) : [];
  // Without a shard, the policy item is the first key read after (followUpKeys).
  const version = shard ?? extra.shift();
  return { head: headRows, version, memberRows: [member, ...extra] };
}

/** The tenant's whole policy item (read after a version change), strongly consistent. */
async function loadPolicy(table: Table, tenantId: string) {
  const item = await table.get(keys.policy(tenantId));
  if (!item) throw new Error('policy item vanished');
  return policyFromItem(item); // refuses a format this version does not know
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

/**
 * The authorizer's reads over `transport`: the signed HTTP transport when deployed
 * (shared/app/authorizer-deps.ts), the SDK's client in tests that count or fail its requests.
 */
export function createSnapshotReader(
  transport: DocumentTransport,
  tableName: string,
): SnapshotReader {
  const table = createTable(transport, tableName);
  const policyAt = createPolicyCache((tenantId) => loadPolicy(table, tenantId));
  const permissionsOf = createPrincipalCache();
  /** When this instance last recorded each token's use (epoch ms), bounded like the principals. */
  const touched = new Map<string, number>();

  /** The compiled policy at the version the batch's policy item names. */
  const policyOf = (tenantId: string, policyRow: Item) =>
    policyAt(tenantId, policyVersionOf(policyRow));

  return {
    async read(tenantId, userId) {
      const read = await readDecision(table, tenantId, userId, (shard) =>
        memberDecisionKeys(tenantId, userId, shard),
      );
      if (!read?.version) return undefined;
      const policy = await policyOf(tenantId, read.version);
      const snapshot = memberSnapshotFrom(userId, read.memberRows, (m) =>
        permissionsOf(tenantId, m, policy, true),
      );
      return snapshot && { ...snapshot, policyVersion: policy.version };
    },

    async readApiToken(tenantId, serviceAccountId, tokenId, minterUserId) {
      const read = await readDecision(table, tenantId, minterUserId, (shard) =>
        apiTokenDecisionKeys(tenantId, serviceAccountId, tokenId, minterUserId, shard),
      );
      const [token, account] = read?.head ?? [];
      assertKnownFormats([
        ['api-token', token],
        ['service-account', account],
      ]);
      if (!read?.version || !token || !account) return undefined;
      const policy = await policyOf(tenantId, read.version);
      const minter = memberSnapshotFrom(minterUserId, read.memberRows, (m) =>
        permissionsOf(tenantId, m, policy, true),
      );
      // Service accounts are not members: `everyone` never reaches them.
      const permissions = permissionsOf(tenantId, account, policy, false);
      return apiTokenSnapshotFrom(token, account, minter, permissions);
    },

    async readPersonalToken(tenantId, userId, tokenId) {
      const read = await readDecision(table, tenantId, userId, (shard) =>
        personalTokenDecisionKeys(tenantId, userId, tokenId, shard),
      );
      const [token] = read?.head ?? [];
      assertKnownFormats([['personal-token', token]]);
      if (!read?.version || !token) return undefined;
      const policy = await policyOf(tenantId, read.version);
      const member = memberSnapshotFrom(userId, read.memberRows, (m) =>
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
