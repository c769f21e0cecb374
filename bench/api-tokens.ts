/**
 * Authorizer benchmark for API tokens: a service account's token (`Bearer ghs_...`, one grant)
 * and a member's personal token (`Bearer ghm_...`), minted over HTTP in tenant `demo`, decided by
 * the real authorizer in-process against DynamoDB Local, with every DynamoDB request counted
 * (decision reads apart from the not-awaited last-used write).
 */
import { randomBytes } from 'node:crypto';
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { identityFromEnv } from '#shared/app/identity-deps.js';
import { findRoute } from '#shared/routes/route-table.js';
import { keys } from '#shared/store/keys.js';
import { authorizerEvent } from './authorizer.js';
import { authorizerBench, callApi, expectStatus } from './harness.js';
import type { BenchStack, RequestCounter } from './stack.js';
import { percentile, round } from './stats.js';

/** Decisions of one kind of token on one route. */
export interface TokenDecisionResult {
  /** Decisions timed (steady state, after warm-up). */
  decisions: number;
  /** DynamoDB reads per decision in the steady state (the goal is exactly 1: one BatchGetItem). */
  dynamoRequestsPerDecision: number;
  /** DynamoDB reads of the first decision of a fresh authorizer (cold policy cache). */
  coldDynamoRequests: number;
  /** The first decision of a fresh authorizer, milliseconds. */
  coldMs: number;
  /** One decision: parse, one BatchGetItem, hash and compare the secret, evaluate; milliseconds. */
  p50ms: number;
  p99ms: number;
  /** Last-used UpdateItems the authorizer sent over all its decisions (at most 1 per token per minute). */
  lastUsedWrites: number;
  /** Reads per SDK command over all the decisions, cold one included. */
  byCommand: Record<string, number>;
}

export interface ApiTokensBenchResult {
  routeKey: string;
  /** The service account's token (`ghs_...`). */
  serviceAccount: TokenDecisionResult & {
    /** The floor: the same BatchGetItem (token, account, policy) issued raw, interleaved. */
    batchGetP50ms: number;
    batchGetP99ms: number;
    /** The same token over HTTP through the local API (authorizer + handler): status seen. */
    httpStatus: number;
  };
  /** A member's personal token (`ghm_`, minted under the member); null while that route is missing. */
  personal: TokenDecisionResult | null;
  /** Why `personal` is null. */
  personalNote?: string;
}

const ROUTE_KEY = 'GET /v1/tenants/{tenantId}';
const PERSONAL_ROUTE_KEY = 'POST /v1/tenants/{tenantId}/members/{userId}/tokens';

const isWrite = (command: string) => /^(Update|Put|Delete)/.test(command);

/** Reads and writes counted so far, split by command name. */
function tally(counter: RequestCounter) {
  let reads = 0;
  let writes = 0;
  for (const [name, count] of Object.entries(counter.byCommand)) {
    if (isWrite(name)) writes += count;
    else reads += count;
  }
  return { reads, writes };
}

/**
 * Mints a service-account token over HTTP (account, grant of `gatehouse:tenant read`, token) and
 * times authorizer decisions for `GET /v1/tenants/{tenantId}` with it; a member's personal token
 * minted by a plain member under its own membership too.
 */
export async function benchApiTokens(
  stack: BenchStack,
  opts: { quick: boolean },
): Promise<ApiTokensBenchResult> {
  const { info, tenantId, tableName, newAuthorizer } = await authorizerBench(stack);
  const admin = await stack.signIn(info.bootstrap.email, info.bootstrap.password);
  const call = (method: string, path: string, token: string, body?: unknown) =>
    callApi(info, method, path, token, body);

  // The service account, its one grant and its token, as a tenant admin would make them.
  const serviceAccountId = `bench-sa-${randomBytes(3).toString('hex')}`;
  const base = `/v1/tenants/${tenantId}/service-accounts/${serviceAccountId}`;
  expectStatus(
    'create service account',
    await call('POST', `/v1/tenants/${tenantId}/service-accounts`, admin, {
      serviceAccountId,
      name: 'Bench service account',
    }),
    201,
  );
  const rid = encodeURIComponent('gatehouse:tenant');
  expectStatus(
    'grant gatehouse:tenant read',
    await call(
      'PUT',
      `/v1/tenants/${tenantId}/acls/${rid}/service-accounts/${serviceAccountId}/read`,
      admin,
    ),
    204,
  );
  const minted = await call('POST', `${base}/tokens`, admin, { name: 'bench' });
  expectStatus('mint token', minted, 201);
  const saToken = String(minted.json.token ?? '');
  const tokenId = String(minted.json.tokenId ?? '');
  if (!saToken.startsWith('ghs_')) throw new Error(`minted token is not ghs_: ${saToken}`);

  const warmup = opts.quick ? 50 : 100;
  const n = opts.quick ? 300 : 1000;
  const floor = stack.countingClient().db;
  const batchKeys = [
    keys.apiToken(tenantId, serviceAccountId, tokenId),
    keys.serviceAccount(tenantId, serviceAccountId),
    keys.policy(tenantId),
  ];
  const batchGetMs = async () => {
    const t0 = performance.now();
    await floor.send(
      new BatchGetCommand({
        RequestItems: { [tableName]: { Keys: batchKeys, ConsistentRead: true } },
      }),
    );
    return performance.now() - t0;
  };

  /** A fresh authorizer (cold caches, its own counting client) deciding `n` requests with `token`. */
  const measure = async (token: string, between?: () => Promise<number>) => {
    const { transport, counter } = stack.countingClient();
    const authorize = newAuthorizer(transport);
    const event = authorizerEvent(tenantId, token);
    const decide = async () => {
      const t0 = performance.now();
      const res = await authorize(event);
      const ms = performance.now() - t0;
      if (res.context.decision !== 'allow') {
        throw new Error(`authorizer did not allow the API token: ${res.context.reason}`);
      }
      return ms;
    };
    // The last-used write is sent after the decision and not awaited: reads are told apart from
    // writes by command, never by when the middleware happened to count them.
    const coldMs = await decide();
    await new Promise((r) => setTimeout(r, 50));
    const cold = tally(counter);
    for (let i = 0; i < warmup; i++) {
      await decide();
      await between?.();
    }
    const before = tally(counter);
    const decisionMs: number[] = [];
    const floorMs: number[] = [];
    for (let i = 0; i < n; i++) {
      decisionMs.push(await decide());
      const f = await between?.();
      if (f !== undefined) floorMs.push(f);
    }
    await new Promise((r) => setTimeout(r, 50));
    const after = tally(counter);
    const result: TokenDecisionResult = {
      decisions: n,
      dynamoRequestsPerDecision: round((after.reads - before.reads) / n, 3),
      coldDynamoRequests: cold.reads,
      coldMs: round(coldMs),
      p50ms: round(percentile(decisionMs, 50)),
      p99ms: round(percentile(decisionMs, 99)),
      lastUsedWrites: after.writes,
      byCommand: { ...counter.byCommand },
    };
    return { result, floorMs };
  };

  // Decided in-process first, so the fresh token's first use (and its one last-used write)
  // falls to this authorizer, then checked once over HTTP.
  const sa = await measure(saToken, batchGetMs);
  const http = await call('GET', `/v1/tenants/${tenantId}`, saToken);
  expectStatus('GET the tenant with the API token over HTTP', http, 200);

  // A personal token (`ghm_`) of a plain member (default roles, which read the tenant), minted
  // by that member with its own access token for tenant `demo`.
  let personal: TokenDecisionResult | null = null;
  let personalNote: string | undefined;
  if (!findRoute(PERSONAL_ROUTE_KEY)) {
    personalNote = `${PERSONAL_ROUTE_KEY} is not in the route table`;
  } else {
    const email = `personal-token-${randomBytes(3).toString('hex')}@bench.gatehouse.local`;
    const password = `Bench-${randomBytes(9).toString('base64url')}-Aa9!`;
    const user = await identityFromEnv().ensureUser(email, password);
    await stack.join(tenantId, admin, email, password);
    const memberToken = await stack.signIn(email, password);
    const res = await call(
      'POST',
      `/v1/tenants/${tenantId}/members/${user.userId}/tokens`,
      memberToken,
      { name: 'bench' },
    );
    expectStatus('mint personal token', res, 201);
    const token = String(res.json.token ?? '');
    if (!token.startsWith('ghm_')) throw new Error(`minted personal token is not ghm_: ${token}`);
    personal = (await measure(token)).result;
    const viaHttp = await call('GET', `/v1/tenants/${tenantId}`, token);
    expectStatus('GET the tenant with the personal token over HTTP', viaHttp, 200);
  }

  return {
    routeKey: ROUTE_KEY,
    serviceAccount: {
      ...sa.result,
      batchGetP50ms: round(percentile(sa.floorMs, 50)),
      batchGetP99ms: round(percentile(sa.floorMs, 99)),
      httpStatus: http.status,
    },
    personal,
    ...(personalNote ? { personalNote } : {}),
  };
}
