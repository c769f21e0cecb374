/** Authorizer benchmark: real decisions against DynamoDB Local and cognito-local, DynamoDB requests counted, a raw GetItem as the floor. */
import { BatchGetCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { compilePolicy, compilePrincipal } from '#shared/acl/engine.js';
import type { Action, Rule } from '#shared/acl/types.js';
import { appDeps } from '#shared/app/deps.js';
import { identityFromEnv } from '#shared/app/identity-deps.js';
import { withVerifiedTokenCache } from '#shared/auth/token-verifier.js';
import { itemSizeBytes } from '#shared/limits/item-size.js';
import { planNewMember } from '#shared/members/member-service.js';
import { loadTenantState } from '#shared/policy/tenant-state.js';
import type { DocumentClient } from '#shared/store/dynamo-client.js';
import { keys } from '#shared/store/keys.js';
import {
  grantsOf,
  memberFromItem,
  SNAPSHOT_ATTRIBUTES,
} from '#shared/store/records/member-record.js';
import { PACKED_RULES_ATTRIBUTE, packRules } from '#shared/store/records/packed-rules.js';
import { policyFromItem } from '#shared/store/records/policy-record.js';
import { authorizerBench } from './harness.js';
import type { BenchStack } from './stack.js';
import { percentile, round } from './stats.js';

export interface AuthorizerBenchResult {
  routeKey: string;
  /** Decisions timed (steady state, after warm-up). */
  decisions: number;
  /** DynamoDB requests per decision in the steady state (the goal is exactly 1). */
  dynamoRequestsPerDecision: number;
  /** DynamoDB requests of the first decision of a fresh authorizer (cold policy cache). */
  coldDynamoRequests: number;
  /** One decision: verify the token, one BatchGetItem, evaluate; milliseconds. */
  p50ms: number;
  p99ms: number;
  /** The floor: one raw GetItem of the same member item, timed interleaved with the decisions. */
  getItemP50ms: number;
  getItemP99ms: number;
  /** The authorizer's own request issued raw (BatchGetItem of member + policy, projected). */
  batchGetP50ms: number;
  /** Token verification alone (signature, claims), in memory; microseconds. */
  verifyP50us: number;
  /**
   * The same token through the deployed verifier's verified-token cache (a hit: SHA-256 of the
   * token and a lookup), timed interleaved with `verifyP50us`: what a repeated token costs.
   */
  verifyCachedP50us: number;
  /** A member with thousands of direct rules: compile caching at work. */
  heavy: {
    rules: number;
    /** Size of the member item as JSON, KiB (the read brings it all every time). */
    itemKb: number;
    /** First decision after the member item changed: read + compile the permission set. */
    firstDecisionMs: number;
    /** compilePrincipal of those rules on its own, milliseconds (median of a few). */
    compileMs: number;
    /** Decisions while the compiled set is cached by member version. */
    p50ms: number;
    p99ms: number;
    getItemP50ms: number;
    dynamoRequestsPerDecision: number;
  };
}

const ROUTE_KEY = 'GET /v1/tenants/{tenantId}';
const HEAVY_ACTIONS: readonly Action[] = ['read', 'create', 'update', 'delete', 'full'];

/** The authorizer's event for `GET /v1/tenants/{tenantId}` with a bearer token (any kind). */
export function authorizerEvent(
  tenantId: string,
  token: string,
): APIGatewayRequestAuthorizerEventV2 {
  const path = `/v1/tenants/${tenantId}`;
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:us-east-1:000000000000:bench/$default/GET${path}`,
    identitySource: [`Bearer ${token}`],
    routeKey: ROUTE_KEY,
    rawPath: path,
    rawQueryString: '',
    cookies: [],
    headers: { authorization: `Bearer ${token}` },
    pathParameters: { tenantId },
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: 'bench.local',
      domainPrefix: 'bench',
      http: {
        method: 'GET',
        path,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'gatehouse-bench',
      },
      requestId: 'bench',
      routeKey: ROUTE_KEY,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
  } as APIGatewayRequestAuthorizerEventV2;
}

/** Direct rules spread over a resource tree; the last one grants what the benched route needs. */
function manyRules(count: number): Rule[] {
  const rules: Rule[] = [];
  for (let i = 0; i < count - 1; i++) {
    rules.push({
      resource: `app:team-${i % 40}/service-${i % 400}/instance-${i}`,
      action: HEAVY_ACTIONS[i % HEAVY_ACTIONS.length] ?? 'read',
    });
  }
  rules.push({ resource: 'gatehouse:tenant', action: 'read' });
  return rules;
}

function subOf(token: string): string {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
  return String(payload.sub);
}

/**
 * Times authorizer decisions for `GET /v1/tenants/{tenantId}` as the bootstrap superuser and as a
 * member with thousands of direct rules, reading through the deployed authorizer's signed HTTP
 * transport and counting its DynamoDB requests.
 */
export async function benchAuthorizer(
  stack: BenchStack,
  opts: { quick: boolean },
): Promise<AuthorizerBenchResult> {
  const { info, tenantId, tableName, verifier, newAuthorizer } = await authorizerBench(stack);
  const { db, transport, counter } = stack.countingClient();

  const token = await stack.signIn(info.bootstrap.email, info.bootstrap.password);
  const event = authorizerEvent(tenantId, token);
  const authorize = newAuthorizer(transport);

  const decideCounted = async (ev: APIGatewayRequestAuthorizerEventV2) => {
    const before = counter.total;
    const t0 = performance.now();
    const res = await authorize(ev);
    const ms = performance.now() - t0;
    if (res.context.decision !== 'allow') {
      throw new Error(`authorizer did not allow the bench request: ${res.context.reason}`);
    }
    return { ms, requests: counter.total - before };
  };
  const getItemMs = async (userId: string) => {
    const t0 = performance.now();
    const res = await db.send(
      new GetCommand({
        TableName: tableName,
        Key: keys.member(tenantId, userId),
        ConsistentRead: true,
      }),
    );
    if (!res.Item) throw new Error('member item missing');
    return performance.now() - t0;
  };

  const names = Object.fromEntries(SNAPSHOT_ATTRIBUTES.map((a, i) => [`#a${i}`, a]));
  const batchGetMs = async (userId: string) => {
    const t0 = performance.now();
    await db.send(
      new BatchGetCommand({
        RequestItems: {
          [tableName]: {
            Keys: [keys.member(tenantId, userId), keys.policy(tenantId)],
            ConsistentRead: true,
            ProjectionExpression: [...Object.keys(names), '#sk'].join(', '),
            ExpressionAttributeNames: { ...names, '#sk': 'sk' },
          },
        },
      }),
    );
    return performance.now() - t0;
  };

  const cold = await decideCounted(event);
  const warmup = opts.quick ? 50 : 100;
  const n = opts.quick ? 300 : 1000;
  const superSub = subOf(token);
  for (let i = 0; i < warmup; i++) {
    await decideCounted(event);
    await getItemMs(superSub);
  }
  const decisionMs: number[] = [];
  const floorMs: number[] = [];
  const batchMs: number[] = [];
  let steadyRequests = 0;
  for (let i = 0; i < n; i++) {
    const d = await decideCounted(event);
    decisionMs.push(d.ms);
    steadyRequests += d.requests;
    floorMs.push(await getItemMs(superSub));
    batchMs.push(await batchGetMs(superSub));
  }

  const verifyUs: number[] = [];
  const verifyCachedUs: number[] = [];
  const cachedVerifier = withVerifiedTokenCache(verifier);
  for (let i = 0; i < (opts.quick ? 500 : 2000); i++) {
    const t0 = performance.now();
    await verifier.verify(token);
    const t1 = performance.now();
    await cachedVerifier.verify(token);
    verifyUs.push((t1 - t0) * 1000);
    verifyCachedUs.push((performance.now() - t1) * 1000);
  }

  // A member with thousands of direct rules, written straight into the member item.
  const heavyCount = opts.quick ? 1000 : 3000;
  const heavyEmail = 'heavy-member@bench.gatehouse.local';
  const heavyPassword = `Bench-${Date.now()}-Aa9!`;
  const identity = identityFromEnv();
  const heavyUser = await identity.ensureUser(heavyEmail, heavyPassword);
  // Joined as an invite acceptance would write it (the bench has no mailbox to accept from).
  const benchDeps = appDeps();
  const joined = await planNewMember(
    benchDeps,
    await loadTenantState(benchDeps, tenantId),
    { userId: heavyUser.userId, email: heavyEmail },
    {},
    heavyUser.userId,
    'invite.accept',
  );
  await benchDeps.table.transact(joined.items);
  const rules = manyRules(heavyCount);
  await writeRules(db, tableName, tenantId, heavyUser.userId, rules);
  const heavyToken = await stack.signIn(heavyEmail, heavyPassword);
  const heavyEvent = authorizerEvent(tenantId, heavyToken);
  const heavyFirst = await decideCounted(heavyEvent);
  const heavyMs: number[] = [];
  const heavyFloor: number[] = [];
  let heavyRequests = 0;
  const heavyN = Math.max(50, Math.floor(n / 4));
  for (let i = 0; i < heavyN + warmup / 4; i++) {
    const d = await decideCounted(heavyEvent);
    const f = await getItemMs(heavyUser.userId);
    if (i < warmup / 4) continue;
    heavyMs.push(d.ms);
    heavyFloor.push(f);
    heavyRequests += d.requests;
  }
  const memberItem = await db.send(
    new GetCommand({ TableName: tableName, Key: keys.member(tenantId, heavyUser.userId) }),
  );
  const policyItem = await db.send(
    new GetCommand({ TableName: tableName, Key: keys.policy(tenantId), ConsistentRead: true }),
  );
  if (!policyItem.Item || !memberItem.Item) throw new Error('policy or member item missing');
  const member = memberFromItem(memberItem.Item);
  const compiled = compilePolicy(policyFromItem(policyItem.Item));
  const compileMs: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    compilePrincipal(compiled, grantsOf(member));
    compileMs.push(performance.now() - t0);
  }

  return {
    routeKey: ROUTE_KEY,
    decisions: n,
    dynamoRequestsPerDecision: round(steadyRequests / n, 3),
    coldDynamoRequests: cold.requests,
    p50ms: round(percentile(decisionMs, 50)),
    p99ms: round(percentile(decisionMs, 99)),
    getItemP50ms: round(percentile(floorMs, 50)),
    getItemP99ms: round(percentile(floorMs, 99)),
    batchGetP50ms: round(percentile(batchMs, 50)),
    verifyP50us: round(percentile(verifyUs, 50), 1),
    verifyCachedP50us: round(percentile(verifyCachedUs, 50), 1),
    heavy: {
      rules: heavyCount,
      itemKb: round(itemSizeBytes(memberItem.Item) / 1024, 1),
      firstDecisionMs: round(heavyFirst.ms),
      compileMs: round(percentile(compileMs, 50)),
      p50ms: round(percentile(heavyMs, 50)),
      p99ms: round(percentile(heavyMs, 99)),
      getItemP50ms: round(percentile(heavyFloor, 50)),
      dynamoRequestsPerDecision: round(heavyRequests / heavyMs.length, 3),
    },
  };
}

/** Replaces a member's direct rules and bumps its version, as a rule change would. */
async function writeRules(
  db: DocumentClient,
  tableName: string,
  tenantId: string,
  userId: string,
  rules: Rule[],
): Promise<void> {
  await db.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.member(tenantId, userId),
      // Packed, as the member item's current format holds them (packed-rules.ts).
      UpdateExpression: 'SET #packed = :packed, #version = #version + :one REMOVE #rules',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: {
        '#packed': PACKED_RULES_ATTRIBUTE,
        '#rules': 'rules',
        '#version': 'version',
      },
      ExpressionAttributeValues: { ':packed': packRules(rules), ':one': 1 },
    }),
  );
}
