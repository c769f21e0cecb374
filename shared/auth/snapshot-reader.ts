/**
 * Loads what one authorization decision needs in ONE DynamoDB request: a BatchGetItem of the
 * member item (status, sessionsValidAfter, groups, roles, rules) and the tenant policy item,
 * projected down to its version. The compiled policy is cached in memory by version, so only
 * the first request after a policy change pays one extra GetItem for the new policy.
 *
 * API tokens take the same shape: one BatchGetItem of the token item, its owner (service account
 * or member) and the policy version, decided through the same compiled-policy cache.
 */
import { createHash } from 'node:crypto';
import { BatchGetCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  type CompiledPolicy,
  compiledPolicyWeight,
  compilePolicy,
  compilePrincipal,
  type PermissionSet,
} from '#shared/acl/engine.js';
import type { RoleBinding, Rule } from '#shared/acl/types.js';
import { logger } from '#shared/observability/logger.js';
import { BoundedCache } from '#shared/platform/bounded-cache.js';
import { incarnationOf } from '#shared/platform/incarnation.js';
import type { DocumentClient } from '#shared/store/dynamo-client.js';
import { keys } from '#shared/store/keys.js';
import { SNAPSHOT_ATTRIBUTES } from '#shared/store/records/member-record.js';
import { policyFromItem } from '#shared/store/records/policy-record.js';

export interface MemberSnapshot {
  userId: string;
  email: string;
  status: 'active' | 'disabled';
  /**
   * Epoch ms: credentials from before it are dead. The latest of the membership's forced-logout
   * stamp, the tenant's session floor for this user (set when a membership is deleted, so it
   * outlives the membership: rule 11) and the user's sign-out-everywhere stamp.
   */
  sessionsValidAfter: number;
  /** Random id of this membership's life: a deleted and re-created member gets a new one. */
  incarnation: string;
  permissions: PermissionSet;
}

/** What the authorizer needs to decide for an API token: the token item and its account. */
export interface ApiTokenSnapshot {
  tenantId: string;
  serviceAccountId: string;
  secretHash: string;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms. */
  expiresAt: number;
  revoked: boolean;
  /** Epoch ms of the last recorded use, 0 when never used. */
  lastUsedAt: number;
  accountStatus: 'active' | 'disabled';
  /** The account's incarnation now, and the one the token was minted for. */
  accountIncarnation: string;
  tokenAccountIncarnation: string;
  /** Who minted the token (a member's userId) and the membership's incarnation then. */
  mintedBy: string;
  minterIncarnation: string;
  /** The minter's membership now; undefined when it is gone (the token dies with it). */
  minter: MemberSnapshot | undefined;
  permissions: PermissionSet;
}

/** A member's personal token with the member's snapshot, read together. */
export interface PersonalTokenSnapshot {
  tenantId: string;
  userId: string;
  secretHash: string;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms. */
  expiresAt: number;
  revoked: boolean;
  /** Epoch ms of the last recorded use, 0 when never used. */
  lastUsedAt: number;
  /** The membership incarnation the token was minted under. */
  memberIncarnation: string;
  member: MemberSnapshot;
}

/** Where a token item lives and when it was last used, for the once-a-minute last-used write. */
export interface TokenUse {
  key: { pk: string; sk: string };
  lastUsedAt: number;
}

export interface SnapshotReader {
  /**
   * The member's snapshot, or undefined when the tenant or the membership does not exist, or the
   * membership is not (yet) an active or disabled one (a pending member is not a member).
   */
  read(tenantId: string, userId: string): Promise<MemberSnapshot | undefined>;
  /**
   * The token item with its service account's permissions and its minter's membership, in one
   * BatchGetItem (plus one GetItem of the policy right after a policy change); undefined when
   * the token, the account or the tenant does not exist in this tenant.
   */
  readApiToken(
    tenantId: string,
    serviceAccountId: string,
    tokenId: string,
    minterUserId: string,
  ): Promise<ApiTokenSnapshot | undefined>;
  /**
   * A member's personal token with the member's snapshot, in one BatchGetItem (plus one GetItem
   * of the policy right after a policy change); undefined when the token, the membership or the
   * tenant does not exist in this tenant.
   */
  readPersonalToken(
    tenantId: string,
    userId: string,
    tokenId: string,
  ): Promise<PersonalTokenSnapshot | undefined>;
  /**
   * When the user last signed out everywhere (epoch ms, 0 if never): decides routes outside a
   * tenant (`/v1/me`, creating a tenant), where no membership stamp applies. One GetItem.
   */
  userSessionsValidAfter(userId: string): Promise<number>;
  /**
   * Records a token's last use at most once a minute, without waiting: a conditional
   * UpdateItem sent after the decision, skipped when the read showed a use within the minute.
   */
  touchToken(use: TokenUse, now: Date): void;
}

/** How often the last-used time of one token is written at most. */
export const LAST_USED_INTERVAL_MS = 60_000;

/** Every attribute any decision reads, from any of the items of its one batch. */
const DECISION_ATTRIBUTES = [
  ...new Set([
    ...SNAPSHOT_ATTRIBUTES,
    'tenantId',
    'serviceAccountId',
    'secretHash',
    'createdAt',
    'expiresAt',
    'revoked',
    'lastUsedAt',
    'mintedBy',
    'minterIncarnation',
    'accountIncarnation',
    'memberIncarnation',
  ]),
];

type Key = { pk: string; sk: string };

/** One strongly consistent BatchGetItem of `keyList`, projected down to `attributes` (+ keys). */
async function batchRead(
  db: DocumentClient,
  tableName: string,
  keyList: Key[],
  attributes: readonly string[],
) {
  const names = Object.fromEntries(attributes.map((a, i) => [`#a${i}`, a]));
  const res = await db.send(
    new BatchGetCommand({
      RequestItems: {
        [tableName]: {
          Keys: keyList,
          ConsistentRead: true,
          ProjectionExpression: [...Object.keys(names), '#pk', '#sk'].join(', '),
          ExpressionAttributeNames: { ...names, '#pk': 'pk', '#sk': 'sk' },
        },
      },
    }),
  );
  if (Object.keys(res.UnprocessedKeys ?? {}).length > 0) throw new Error('snapshot read throttled');
  const items = res.Responses?.[tableName] ?? [];
  return keyList.map((k) => items.find((i) => i.pk === k.pk && i.sk === k.sk));
}

/** The keys that decide a member's sessions: the membership, its tenant floor, the user stamp. */
function sessionKeys(tenantId: string, userId: string): Key[] {
  return [
    keys.member(tenantId, userId),
    keys.memberSessionFloor(tenantId, userId),
    keys.userSessions(userId),
  ];
}

/** Bounds of the compiled-principal cache: entries, and their total weight in mask entries. */
const MAX_CACHED_PRINCIPALS = 5000;
const MAX_CACHED_PRINCIPAL_WEIGHT = 500_000;

/**
 * Bounds of the compiled-policy cache: tenants kept, and their total weight in rules (see
 * `compiledPolicyWeight`; a tenant at every limit weighs about 70,000, a small one under 100).
 */
export const MAX_CACHED_POLICIES = 500;
export const MAX_CACHED_POLICY_WEIGHT = 300_000;

export function createSnapshotReader(db: DocumentClient, tableName: string): SnapshotReader {
  const policies = new BoundedCache<string, { version: number; compiled: CompiledPolicy }>(
    MAX_CACHED_POLICIES,
    MAX_CACHED_POLICY_WEIGHT,
    (entry) => compiledPolicyWeight(entry.compiled),
  );
  const principals = new BoundedCache<string, PermissionSet>(
    MAX_CACHED_PRINCIPALS,
    MAX_CACHED_PRINCIPAL_WEIGHT,
    (set) => set.masks.size + 1,
  );

  async function policyAt(
    tenantId: string,
    version: number,
  ): Promise<{ version: number; compiled: CompiledPolicy }> {
    const cached = policies.get(tenantId);
    if (cached && cached.version === version) return cached;
    const res = await db.send(
      new GetCommand({ TableName: tableName, Key: keys.policy(tenantId), ConsistentRead: true }),
    );
    if (!res.Item) throw new Error('policy item vanished');
    const policy = policyFromItem(res.Item);
    const fresh = { version: policy.version, compiled: compilePolicy(policy) };
    policies.set(tenantId, fresh);
    return fresh;
  }

  /**
   * The compiled permissions of a principal, cached by content: the key is the tenant, the policy
   * version and a hash of the principal's own grants. Nothing about who the principal is takes
   * part, so a deleted and re-created principal (rule 11) can never meet an entry of its former
   * self: equal grants under an equal policy compile to equal permissions, whoever holds them.
   */
  function permissionsOf(
    tenantId: string,
    principal: Record<string, unknown>,
    policy: { version: number; compiled: CompiledPolicy },
    everyone: boolean,
  ): PermissionSet {
    const grants = {
      groups: (principal.groups as string[] | undefined) ?? [],
      roles: (principal.roles as RoleBinding[] | undefined) ?? [],
      rules: (principal.rules as Rule[] | undefined) ?? [],
    };
    const digest = createHash('sha256')
      .update(JSON.stringify([grants.groups, grants.roles, grants.rules]))
      .digest('base64url');
    const cacheKey = `${tenantId}#${policy.version}#${everyone ? 'e' : '-'}#${digest}`;
    let set = principals.get(cacheKey);
    if (!set) {
      set = compilePrincipal(policy.compiled, { ...grants, everyone });
      principals.set(cacheKey, set);
    }
    return set;
  }

  /** A membership's snapshot from its item, floor and user stamp; undefined if not a member. */
  function memberSnapshot(
    tenantId: string,
    userId: string,
    [member, floor, userStamp]: (Record<string, unknown> | undefined)[],
    policy: { version: number; compiled: CompiledPolicy },
  ): MemberSnapshot | undefined {
    if (!member) return undefined;
    // Fail closed on any status this version does not know (a pending member is not a member).
    if (member.status !== 'active' && member.status !== 'disabled') return undefined;
    return {
      userId,
      email: String(member.email ?? ''),
      status: member.status,
      sessionsValidAfter: Math.max(
        Number(member.sessionsValidAfter ?? 0),
        Number(floor?.sessionsValidAfter ?? 0),
        Number(userStamp?.sessionsValidAfter ?? 0),
      ),
      incarnation: incarnationOf(member),
      permissions: permissionsOf(tenantId, member, policy, true),
    };
  }

  const touched = new Map<string, number>();

  return {
    async readApiToken(tenantId, serviceAccountId, tokenId, minterUserId) {
      const [token, account, policyRow, ...minterRows] = await batchRead(
        db,
        tableName,
        [
          keys.apiToken(tenantId, serviceAccountId, tokenId),
          keys.serviceAccount(tenantId, serviceAccountId),
          keys.policy(tenantId),
          ...sessionKeys(tenantId, minterUserId),
        ],
        DECISION_ATTRIBUTES,
      );
      if (!token || !account || !policyRow) return undefined;
      const policy = await policyAt(tenantId, Number(policyRow.policyVersion));
      return {
        tenantId: String(token.tenantId ?? ''),
        serviceAccountId: String(token.serviceAccountId ?? ''),
        secretHash: String(token.secretHash ?? ''),
        createdAt: Date.parse(String(token.createdAt ?? '')) || 0,
        expiresAt: Date.parse(String(token.expiresAt ?? '')) || 0,
        revoked: token.revoked !== false,
        lastUsedAt: Date.parse(String(token.lastUsedAt ?? '')) || 0,
        accountStatus: account.status === 'active' ? 'active' : 'disabled',
        accountIncarnation: incarnationOf(account),
        tokenAccountIncarnation: String(token.accountIncarnation ?? ''),
        mintedBy: String(token.mintedBy ?? ''),
        minterIncarnation: String(token.minterIncarnation ?? ''),
        minter: memberSnapshot(tenantId, minterUserId, minterRows, policy),
        // Service accounts are not members: `everyone` never reaches them.
        permissions: permissionsOf(tenantId, account, policy, false),
      };
    },

    touchToken(use, now) {
      const cacheKey = `${use.key.pk}#${use.key.sk}`;
      const cutoff = now.getTime() - LAST_USED_INTERVAL_MS;
      if (use.lastUsedAt > cutoff || (touched.get(cacheKey) ?? 0) > cutoff) return;
      if (touched.size >= MAX_CACHED_PRINCIPALS) touched.clear();
      touched.set(cacheKey, now.getTime());
      db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: use.key,
          UpdateExpression: 'SET lastUsedAt = :now',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :cutoff)',
          ExpressionAttributeValues: {
            ':now': now.toISOString(),
            ':cutoff': new Date(cutoff).toISOString(),
          },
        }),
      ).catch((error: Error) => {
        if (error.name !== 'ConditionalCheckFailedException')
          logger.warn('Could not record API token use', { error });
      });
    },

    async userSessionsValidAfter(userId) {
      const res = await db.send(
        new GetCommand({
          TableName: tableName,
          Key: keys.userSessions(userId),
          ConsistentRead: true,
          ProjectionExpression: 'sessionsValidAfter',
        }),
      );
      return Number(res.Item?.sessionsValidAfter ?? 0);
    },

    async readPersonalToken(tenantId, userId, tokenId) {
      const [token, policyRow, ...memberRows] = await batchRead(
        db,
        tableName,
        [
          keys.personalToken(tenantId, userId, tokenId),
          keys.policy(tenantId),
          ...sessionKeys(tenantId, userId),
        ],
        DECISION_ATTRIBUTES,
      );
      if (!token || !policyRow) return undefined;
      const policy = await policyAt(tenantId, Number(policyRow.policyVersion));
      const member = memberSnapshot(tenantId, userId, memberRows, policy);
      if (!member) return undefined;
      return {
        tenantId: String(token.tenantId ?? ''),
        userId: String(token.userId ?? ''),
        secretHash: String(token.secretHash ?? ''),
        createdAt: Date.parse(String(token.createdAt ?? '')) || 0,
        expiresAt: Date.parse(String(token.expiresAt ?? '')) || 0,
        revoked: token.revoked !== false,
        lastUsedAt: Date.parse(String(token.lastUsedAt ?? '')) || 0,
        memberIncarnation: String(token.memberIncarnation ?? ''),
        member,
      };
    },

    async read(tenantId, userId) {
      const [policyRow, ...memberRows] = await batchRead(
        db,
        tableName,
        [keys.policy(tenantId), ...sessionKeys(tenantId, userId)],
        DECISION_ATTRIBUTES,
      );
      if (!policyRow) return undefined;
      const policy = await policyAt(tenantId, Number(policyRow.policyVersion));
      return memberSnapshot(tenantId, userId, memberRows, policy);
    },
  };
}
