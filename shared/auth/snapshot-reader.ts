/**
 * Loads what one authorization decision needs in ONE DynamoDB request: a BatchGetItem of the
 * member item (status, sessionsValidAfter, groups, roles, rules) and the tenant policy item,
 * projected down to its version. The compiled policy is cached in memory by version, so only
 * the first request after a policy change pays one extra GetItem for the new policy.
 */
import { BatchGetCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  type CompiledPolicy,
  compilePolicy,
  compilePrincipal,
  type PermissionSet,
} from '#shared/acl/engine.js';
import { policyFromItem } from '#shared/acl/policy-record.js';
import type { RoleBinding, Rule } from '#shared/acl/types.js';
import { type MemberStatus, SNAPSHOT_ATTRIBUTES } from '#shared/members/member-record.js';
import type { DocumentClient } from '#shared/store/dynamo-client.js';
import { keys } from '#shared/store/keys.js';

export interface MemberSnapshot {
  userId: string;
  email: string;
  status: MemberStatus;
  sessionsValidAfter: number;
  permissions: PermissionSet;
}

export interface SnapshotReader {
  /** The member's snapshot, or undefined when the tenant or the membership does not exist. */
  read(tenantId: string, userId: string): Promise<MemberSnapshot | undefined>;
}

const MAX_CACHED_PRINCIPALS = 5000;

export function createSnapshotReader(db: DocumentClient, tableName: string): SnapshotReader {
  const policies = new Map<string, { version: number; compiled: CompiledPolicy }>();
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

  return {
    async read(tenantId, userId) {
      const memberKey = keys.member(tenantId, userId);
      const policyKey = keys.policy(tenantId);
      const names = Object.fromEntries(SNAPSHOT_ATTRIBUTES.map((a, i) => [`#a${i}`, a]));
      const res = await db.send(
        new BatchGetCommand({
          RequestItems: {
            [tableName]: {
              Keys: [memberKey, policyKey],
              ConsistentRead: true,
              ProjectionExpression: [...Object.keys(names), '#sk'].join(', '),
              ExpressionAttributeNames: { ...names, '#sk': 'sk' },
            },
          },
        }),
      );
      if (Object.keys(res.UnprocessedKeys ?? {}).length > 0)
        throw new Error('snapshot read throttled');
      const items = res.Responses?.[tableName] ?? [];
      const member = items.find((i) => i.sk === memberKey.sk);
      const policyRow = items.find((i) => i.sk === policyKey.sk);
      if (!member || !policyRow) return undefined;
      const policy = await policyAt(tenantId, Number(policyRow.policyVersion));
      const cacheKey = `${tenantId}#${userId}`;
      const versionKey = `${member.version}#${policy.version}`;
      let entry = principals.get(cacheKey);
      if (!entry || entry.key !== versionKey) {
        const set = compilePrincipal(policy.compiled, {
          groups: (member.groups as string[] | undefined) ?? [],
          roles: (member.roles as RoleBinding[] | undefined) ?? [],
          rules: (member.rules as Rule[] | undefined) ?? [],
        });
        if (principals.size >= MAX_CACHED_PRINCIPALS) principals.clear();
        entry = { key: versionKey, set };
        principals.set(cacheKey, entry);
      }
      return {
        userId,
        email: String(member.email ?? ''),
        status: member.status === 'disabled' ? 'disabled' : 'active',
        sessionsValidAfter: Number(member.sessionsValidAfter ?? 0),
        permissions: entry.set,
      };
    },
  };
}
