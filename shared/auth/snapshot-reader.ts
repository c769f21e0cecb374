/**
 * Loads what one authorization decision needs in ONE DynamoDB request: a BatchGetItem of the
 * member item (status, sessionsValidAfter, groups, roles, rules) and the tenant policy item,
 * projected down to its version. The compiled policy is cached in memory by version, so only
 * the first request after a policy change pays one extra GetItem for the new policy.
 *
 * API tokens take the same shape: one BatchGetItem of the token item, its owner (service account
 * or member) and the policy version, decided through the same compiled-policy cache.
 */
import { BatchGetCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  type CompiledPolicy,
  compiledPolicyWeight,
  compilePolicy,
  compilePrincipal,
  type PermissionSet,
} from '#shared/acl/engine.js';
import { policyFromItem } from '#shared/acl/policy-record.js';
import type { RoleBinding, Rule } from '#shared/acl/types.js';
import { type MemberStatus, SNAPSHOT_ATTRIBUTES } from '#shared/members/member-record.js';
import { logger } from '#shared/observability/logger.js';
import { BoundedCache } from '#shared/platform/bounded-cache.js';
import type { DocumentClient } from '#shared/store/dynamo-client.js';
import { keys } from '#shared/store/keys.js';

export interface MemberSnapshot {
  userId: string;
  email: string;
  status: MemberStatus;
  sessionsValidAfter: number;
  permissions: PermissionSet;
}

/** What the authorizer needs to decide for an API token: the token item and its account. */
export interface ApiTokenSnapshot {
  tenantId: string;
  serviceAccountId: string;
  secretHash: string;
  /** Epoch ms. */
  expiresAt: number;
  revoked: boolean;
  /** Epoch ms of the last recorded use, 0 when never used. */
  lastUsedAt: number;
  accountStatus: 'active' | 'disabled';
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
  member: MemberSnapshot;
}

/** Where a token item lives and when it was last used, for the once-a-minute last-used write. */
export interface TokenUse {
  key: { pk: string; sk: string };
  lastUsedAt: number;
}

export interface SnapshotReader {
  /** The member's snapshot, or undefined when the tenant or the membership does not exist. */
  read(tenantId: string, userId: string): Promise<MemberSnapshot | undefined>;
  /**
   * The token item with its service account's permissions, in one BatchGetItem (plus one GetItem
   * of the policy right after a policy change); undefined when the token, the account or the
   * tenant does not exist in this tenant.
   */
  readApiToken(
    tenantId: string,
    serviceAccountId: string,
    tokenId: string,
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

const TOKEN_ATTRIBUTES = [
  'tenantId',
  'serviceAccountId',
  'secretHash',
  'expiresAt',
  'revoked',
  'lastUsedAt',
  'status',
  'groups',
  'roles',
  'rules',
  'version',
  'policyVersion',
] as const;

const PERSONAL_TOKEN_ATTRIBUTES = [
  ...new Set([
    ...SNAPSHOT_ATTRIBUTES,
    'tenantId',
    'userId',
    'secretHash',
    'createdAt',
    'expiresAt',
    'revoked',
    'lastUsedAt',
  ]),
];

/** One strongly consistent BatchGetItem of `keys`, projected down to `attributes` (+ sk). */
async function batchRead(
  db: DocumentClient,
  tableName: string,
  keyList: { pk: string; sk: string }[],
  attributes: readonly string[],
) {
  const names = Object.fromEntries(attributes.map((a, i) => [`#a${i}`, a]));
  const res = await db.send(
    new BatchGetCommand({
      RequestItems: {
        [tableName]: {
          Keys: keyList,
          ConsistentRead: true,
          ProjectionExpression: [...Object.keys(names), '#sk'].join(', '),
          ExpressionAttributeNames: { ...names, '#sk': 'sk' },
        },
      },
    }),
  );
  if (Object.keys(res.UnprocessedKeys ?? {}).length > 0) throw new Error('snapshot read throttled');
  const items = res.Responses?.[tableName] ?? [];
  return keyList.map((k) => items.find((i) => i.sk === k.sk));
}

const MAX_CACHED_PRINCIPALS = 5000;

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
  const principals = new Map<string, { key: string; set: PermissionSet }>();

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

  function permissionsOf(
    cacheKey: string,
    principal: Record<string, unknown>,
    policy: { version: number; compiled: CompiledPolicy },
    everyone = true,
  ): PermissionSet {
    const versionKey = `${principal.version}#${policy.version}`;
    let entry = principals.get(cacheKey);
    if (!entry || entry.key !== versionKey) {
      const set = compilePrincipal(policy.compiled, {
        groups: (principal.groups as string[] | undefined) ?? [],
        roles: (principal.roles as RoleBinding[] | undefined) ?? [],
        rules: (principal.rules as Rule[] | undefined) ?? [],
        everyone,
      });
      if (principals.size >= MAX_CACHED_PRINCIPALS) principals.clear();
      entry = { key: versionKey, set };
      principals.set(cacheKey, entry);
    }
    return entry.set;
  }

  function memberSnapshot(
    tenantId: string,
    userId: string,
    member: Record<string, unknown>,
    policy: { version: number; compiled: CompiledPolicy },
  ): MemberSnapshot {
    return {
      userId,
      email: String(member.email ?? ''),
      status: member.status === 'disabled' ? 'disabled' : 'active',
      sessionsValidAfter: Number(member.sessionsValidAfter ?? 0),
      permissions: permissionsOf(`${tenantId}#${userId}`, member, policy),
    };
  }

  const touched = new Map<string, number>();

  return {
    async readApiToken(tenantId, serviceAccountId, tokenId) {
      const tokenKey = keys.apiToken(tenantId, serviceAccountId, tokenId);
      const accountKey = keys.serviceAccount(tenantId, serviceAccountId);
      const policyKey = keys.policy(tenantId);
      const [token, account, policyRow] = await batchRead(
        db,
        tableName,
        [tokenKey, accountKey, policyKey],
        TOKEN_ATTRIBUTES,
      );
      if (!token || !account || !policyRow) return undefined;
      const policy = await policyAt(tenantId, Number(policyRow.policyVersion));
      return {
        tenantId: String(token.tenantId ?? ''),
        serviceAccountId: String(token.serviceAccountId ?? ''),
        secretHash: String(token.secretHash ?? ''),
        expiresAt: Date.parse(String(token.expiresAt ?? '')) || 0,
        revoked: token.revoked !== false,
        lastUsedAt: Date.parse(String(token.lastUsedAt ?? '')) || 0,
        accountStatus: account.status === 'active' ? 'active' : 'disabled',
        // Service accounts are not members: `everyone` never reaches them.
        permissions: permissionsOf(`${tenantId}#sa#${serviceAccountId}`, account, policy, false),
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
      const tokenKey = keys.personalToken(tenantId, userId, tokenId);
      const memberKey = keys.member(tenantId, userId);
      const policyKey = keys.policy(tenantId);
      const [token, member, policyRow] = await batchRead(
        db,
        tableName,
        [tokenKey, memberKey, policyKey],
        PERSONAL_TOKEN_ATTRIBUTES,
      );
      if (!token || !member || !policyRow) return undefined;
      const policy = await policyAt(tenantId, Number(policyRow.policyVersion));
      return {
        tenantId: String(token.tenantId ?? ''),
        userId: String(token.userId ?? ''),
        secretHash: String(token.secretHash ?? ''),
        createdAt: Date.parse(String(token.createdAt ?? '')) || 0,
        expiresAt: Date.parse(String(token.expiresAt ?? '')) || 0,
        revoked: token.revoked !== false,
        lastUsedAt: Date.parse(String(token.lastUsedAt ?? '')) || 0,
        member: memberSnapshot(tenantId, userId, member, policy),
      };
    },

    async read(tenantId, userId) {
      const memberKey = keys.member(tenantId, userId);
      const policyKey = keys.policy(tenantId);
      const [member, policyRow] = await batchRead(
        db,
        tableName,
        [memberKey, policyKey],
        SNAPSHOT_ATTRIBUTES,
      );
      if (!member || !policyRow) return undefined;
      const policy = await policyAt(tenantId, Number(policyRow.policyVersion));
      return memberSnapshot(tenantId, userId, member, policy);
    },
  };
}
