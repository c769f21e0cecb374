/**
 * Read units per decision (issue 19), measured with ReturnConsumedCapacity on DynamoDB Local:
 * DynamoDB bills a strongly consistent read of an item by its whole size (4 KB a unit), whatever
 * the projection. For tenants whose policy is about 1 KB, 50 KB and the largest allowed, and for
 * members with 0, 50 and the most direct rules allowed: the read of a steady-state decision now
 * (a version shard and the member item, through the real snapshot reader) and before (the
 * policy item, the member item, the tenant floor and the user stamp, read side by side), and the
 * per-tenant decision ceiling the capacity model gives (docs/data-model.md).
 */
import type { Rule } from '#shared/acl/types.js';
import type { Caller } from '#shared/app/context.js';
import { createStoreDeps } from '#shared/app/store-deps.js';
import { createSnapshotReader } from '#shared/auth/snapshot-reader.js';
import { DECISION_ATTRIBUTES } from '#shared/auth/snapshot-steps.js';
import { itemSizeBytes } from '#shared/limits/item-size.js';
import { setUserTenantCap } from '#shared/limits/mail-limits.js';
import { DEFAULT_LIMITS } from '#shared/limits/tenant-limits.js';
import { planNewMember } from '#shared/members/member-service.js';
import { loadTenantState } from '#shared/policy/tenant-state.js';
import {
  createDocumentClient,
  type DocumentClient,
  sdkTransport,
} from '#shared/store/dynamo-client.js';
import { keys } from '#shared/store/keys.js';
import { memberPut, readMember } from '#shared/store/records/member-record.js';
import { PACKED_RULES_ATTRIBUTE, unpackRules } from '#shared/store/records/packed-rules.js';
import {
  getPolicy,
  POLICY_VERSION_SHARDS,
  policyItem,
  policyPut,
  policyVersionShardPuts,
} from '#shared/store/records/policy-record.js';
import { memberSessionKeys, raiseUserSessionsStamp } from '#shared/store/records/session-record.js';
import { createTenant } from '#shared/tenants/tenant-service.js';
import type { BenchStack } from './stack.js';
import { percentile, round } from './stats.js';

/** What one partition serves a second (DynamoDB's documented per-partition limits). */
export const PARTITION_READ_UNITS = 3000;

export interface ReadUnitsRow {
  /** Read units of one steady-state decision's read, before this design and now. */
  before: number;
  after: number;
}

export interface ReadUnitsResult {
  readUnits: {
    method: string;
    byPolicy: (ReadUnitsRow & { policyBytes: number; decisionsPerSecBefore: number })[];
    byMember: (ReadUnitsRow & {
      directRules: number;
      rules: string;
      memberItemBytes: number;
      /** The packed rules attribute (member format 3), bytes; 0 without rules. */
      packedRulesBytes: number;
      /**
       * Median microseconds to unpack them: paid when the authorizer compiles the member (once
       * per item content and policy version, cached), not on every decision.
       */
      unpackUs: number;
    })[];
    /** Size of a member item with 50 realistic direct rules (goal: at most 4 KB, one unit). */
    member50RulesBytes: number;
  };
  /** Per-tenant decision ceiling of the design: shards x 3,000 / units per shard read. */
  tenantCeilingPerSec: number;
  tenantCeilingModel: string;
}

/** A document client that asks every read for its consumed capacity and adds it up. */
function capacityClient(stack: BenchStack): { db: DocumentClient; units: () => number } {
  const db = createDocumentClient({
    AWS_REGION: stack.info.dynamodb.region,
    DYNAMODB_ENDPOINT: stack.info.dynamodb.endpoint,
  });
  let total = 0;
  db.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { ReturnConsumedCapacity?: string };
      input.ReturnConsumedCapacity = 'TOTAL';
      const out = await next(args);
      const consumed = (out.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
      for (const c of list) total += Number((c as { CapacityUnits?: number }).CapacityUnits ?? 0);
      return out;
    },
    { step: 'initialize', name: 'benchConsumedCapacity' },
  );
  return { db, units: () => total };
}

/**
 * `count` direct rules as DC/OS people write them, a mix of its documented resource kinds:
 * Admin Router services and ops endpoints, Marathon service groups, Mesos task ids (36 to 52
 * characters, 42 on average).
 */
export function realisticRules(count: number): Rule[] {
  const actions = ['read', 'update', 'create', 'delete', 'full'] as const;
  const kinds = [
    (i: number) => `dcos:adminrouter:service:team-${i % 12}-app-${i}`,
    (i: number) => `dcos:service:marathon:marathon:services/team-${i % 12}/app-${i}`,
    (i: number) => `dcos:mesos:master:task:app_id:/team-${i % 12}/app-${i}`,
    (i: number) => `dcos:adminrouter:ops:metadata/app-${i}`,
  ];
  return Array.from({ length: count }, (_, i) => ({
    resource: (kinds[i % kinds.length] ?? String)(i),
    action: actions[i % actions.length] ?? 'read',
  }));
}

/** `count` rules on the longest of those: Marathon service paths (about 52 characters). */
export function longPathRules(count: number): Rule[] {
  return Array.from({ length: count }, (_, i) => ({
    resource: `dcos:service:marathon:marathon:services/team-${i % 12}/app-${i}`,
    action: 'read',
  }));
}

/** Median microseconds of unpacking `packed` (after a warm-up), over 200 runs. */
function unpackMicros(packed: Uint8Array): number {
  for (let i = 0; i < 50; i++) unpackRules(packed);
  const us: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    unpackRules(packed);
    us.push((performance.now() - t0) * 1000);
  }
  return round(percentile(us, 50), 1);
}

/** A policy of about `bytes` (as DynamoDB measures the item): custom roles of 100 permissions. */
function policyOfAbout(
  tenantId: string,
  base: Awaited<ReturnType<typeof getPolicy>>,
  bytes: number,
) {
  if (!base) throw new Error('no policy');
  const policy = structuredClone(base);
  let r = 0;
  while (itemSizeBytes(policyItem(tenantId, policy)) < bytes) {
    const role: Rule[] = realisticRules(100).map((rule) => ({
      ...rule,
      resource: `${rule.resource}/role-${r}`,
    }));
    policy.roles[`bench-role-${r++}`] = role;
    while (itemSizeBytes(policyItem(tenantId, policy)) > bytes && role.length > 0) role.pop();
  }
  return policy;
}

export async function benchReadUnits(stack: BenchStack): Promise<ReadUnitsResult> {
  const tableName = stack.info.dynamodb.tableName;
  const plain = createDocumentClient({
    AWS_REGION: stack.info.dynamodb.region,
    DYNAMODB_ENDPOINT: stack.info.dynamodb.endpoint,
  });
  const deps = createStoreDeps(plain, tableName);
  const { db, units } = capacityClient(stack);
  const measured = createStoreDeps(db, tableName).table;
  const founder: Caller = { userId: `bench-ru-${Date.now()}`, email: 'read-units@bench.local' };
  await setUserTenantCap(deps, founder.userId, 100);

  /** A member (folded, as every new membership is) with `rules` direct rules. */
  const addMember = async (tenantId: string, n: number, rules: Rule[]) => {
    const user = { userId: `${founder.userId}-m${n}`, email: `m${n}@bench.local` };
    const joined = await planNewMember(
      deps,
      await loadTenantState(deps, tenantId),
      user,
      {},
      founder.userId,
      'invite.accept',
    );
    await deps.table.transact(joined.items);
    // The rules as a grant writes them (the member item's current format), version bumped.
    const member = await readMember(deps.table, tenantId, user.userId);
    if (!member) throw new Error('the new member is missing');
    await deps.table.transact([
      memberPut({ ...member, rules, version: member.version + 1 }, member),
    ]);
    // As after a sign-out everywhere: the user's stamp item exists (the old read paid for it).
    await raiseUserSessionsStamp(deps.table, user.userId, 1);
    return user.userId;
  };

  /** Units of one steady-state decision now (mean over decisions spread on the shards), and before. */
  const decisionUnits = async (tenantId: string, userId: string): Promise<ReadUnitsRow> => {
    const reader = createSnapshotReader(sdkTransport(db), tableName);
    await reader.read(tenantId, userId); // warm: the policy is cached by version
    const n = POLICY_VERSION_SHARDS * 2;
    const start = units();
    for (let i = 0; i < n; i++) {
      if (!(await reader.read(tenantId, userId))) throw new Error('the member is not a member');
    }
    const after = round((units() - start) / n, 2);
    const oldKeys = [keys.policy(tenantId), ...memberSessionKeys(tenantId, userId)];
    const before = await measured.batchGetReadUnits(oldKeys, { attributes: DECISION_ATTRIBUTES });
    return { before, after };
  };

  const byPolicy: ReadUnitsResult['readUnits']['byPolicy'] = [];
  const sizes = [1024, 50 * 1024, DEFAULT_LIMITS.policyBytes];
  for (const [i, target] of sizes.entries()) {
    const tenantId = `bench-ru-${i}-${Date.now().toString(36)}`;
    await createTenant(deps, founder, { tenantId, name: 'Read units' });
    const base = await getPolicy(deps.table, tenantId);
    const next = { ...policyOfAbout(tenantId, base, target), version: (base?.version ?? 1) + 1 };
    await deps.table.transact([
      policyPut(tenantId, next, base?.version),
      ...policyVersionShardPuts(tenantId, next.version),
    ]);
    const userId = await addMember(tenantId, i, []);
    const row = await decisionUnits(tenantId, userId);
    // Before, every decision of the tenant read this one item: its partition's ceiling.
    const policyUnits = await measured.batchGetReadUnits([keys.policy(tenantId)], {
      attributes: DECISION_ATTRIBUTES,
    });
    byPolicy.push({
      policyBytes: itemSizeBytes(policyItem(tenantId, next)),
      ...row,
      decisionsPerSecBefore: Math.floor(PARTITION_READ_UNITS / policyUnits),
    });
  }

  const byMember: ReadUnitsResult['readUnits']['byMember'] = [];
  const small = `bench-ru-m-${Date.now().toString(36)}`;
  await createTenant(deps, founder, { tenantId: small, name: 'Read units, members' });
  const members: [string, Rule[]][] = [
    ['none', []],
    ['mixed DC/OS resources', realisticRules(50)],
    ['Marathon service paths only', longPathRules(50)],
    ['mixed DC/OS resources', realisticRules(DEFAULT_LIMITS.rulesPerPrincipal)],
  ];
  for (const [i, [kind, rules]] of members.entries()) {
    const userId = await addMember(small, 10 + i, rules);
    const item = await deps.table.get(keys.member(small, userId));
    const packed = item?.[PACKED_RULES_ATTRIBUTE];
    byMember.push({
      directRules: rules.length,
      rules: kind,
      memberItemBytes: item ? itemSizeBytes(item) : 0,
      packedRulesBytes: packed instanceof Uint8Array ? packed.byteLength : 0,
      unpackUs: packed instanceof Uint8Array ? unpackMicros(packed) : 0,
      ...(await decisionUnits(small, userId)),
    });
  }

  const shardUnits = await measured.batchGetReadUnits([keys.policyVersionShard(small, 0)]);
  return {
    readUnits: {
      method:
        'ReturnConsumedCapacity on DynamoDB Local; strongly consistent BatchGetItem, projected as decisions read; after: the snapshot reader itself, mean over decisions spread on the shards; before: the old key set (policy, member, tenant floor, user stamp) read side by side',
      byPolicy,
      byMember,
      member50RulesBytes: byMember.find((m) => m.directRules === 50)?.memberItemBytes ?? 0,
    },
    tenantCeilingPerSec: Math.floor((POLICY_VERSION_SHARDS * PARTITION_READ_UNITS) / shardUnits),
    tenantCeilingModel: `${POLICY_VERSION_SHARDS} version shards x ${PARTITION_READ_UNITS} read units/s per partition / ${shardUnits} unit per shard read (member items: docs/data-model.md)`,
  };
}
