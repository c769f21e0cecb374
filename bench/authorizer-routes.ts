/**
 * The external authorizer's route maps and its two API Gateway forms: decisions with a 5-route
 * map against a 500-route map, and the HTTP API form (payload 2.0, simple response) against the
 * REST API form (REQUEST event, IAM policy) on the same 500-route map. Real in-process
 * decisions against DynamoDB Local and a cognito-local token, interleaved so all see the same
 * conditions; DynamoDB requests counted. The route lookup alone is timed in memory too.
 */
import type {
  APIGatewayRequestAuthorizerEvent,
  APIGatewayRequestAuthorizerEventV2,
} from 'aws-lambda';
import { type AuthorizerDeps, createAuthorizer } from '#shared/auth/authorizer.js';
import { createRestAuthorizer } from '#shared/auth/rest-authorizer.js';
import { externalRoutes } from '#shared/auth/route-requirements.js';
import { createSnapshotReader } from '#shared/auth/snapshot-reader.js';
import { systemClock } from '#shared/platform/clock.js';
import { pathMatcher } from '#shared/routes/path-matcher.js';
import type { RequiredPermission } from '#shared/routes/route-types.js';
import { authorizerBench } from './harness.js';
import type { BenchStack } from './stack.js';
import { percentile, round } from './stats.js';

export interface DecisionTimes {
  p50ms: number;
  p99ms: number;
  /** DynamoDB requests per decision (steady state; the goal is 1). */
  dynamoRequestsPerDecision: number;
}

export interface AuthorizerRoutesResult {
  /** Decisions timed per row (after warm-up). */
  decisions: number;
  /** HTTP form: the same decisions with a 5-route and a 500-route map. */
  mapSize: {
    routes5: DecisionTimes;
    routes500: DecisionTimes;
    /** 500-route p50 / 5-route p50 (1.00 = no difference). */
    ratioP50: number;
    ratioP99: number;
  };
  /** The same 500-route map, the same requests, in each form. */
  forms: { http: DecisionTimes; rest: DecisionTimes; ratioP50: number; ratioP99: number };
  /** The route lookup alone, in memory, by map size: ns per lookup, hashed and by path scan. */
  lookupNs: Record<string, { hashed: number; scan: number }>;
}

const routeKey = (i: number) => `GET /t/{tenantId}/svc-${i}/items/{itemId+}`;

function routeMap(size: number): Record<string, RequiredPermission[]> {
  const routes: Record<string, RequiredPermission[]> = {};
  for (let i = 0; i < size; i++) {
    routes[routeKey(i)] = [{ resource: `apps:svc-${i}/{itemId}`, action: 'read' }];
  }
  return routes;
}

/** The HTTP API event for route `i` (payload 2.0). */
function httpEvent(i: number, tenantId: string, token: string) {
  const path = `/t/${tenantId}/svc-${i}/items/web`;
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:us-east-1:000000000000:bench/$default/GET${path}`,
    identitySource: [`Bearer ${token}`],
    routeKey: routeKey(i),
    rawPath: path,
    rawQueryString: '',
    cookies: [],
    headers: { authorization: `Bearer ${token}` },
    pathParameters: { tenantId, itemId: 'web' },
    requestContext: { requestId: 'bench' },
  } as unknown as APIGatewayRequestAuthorizerEventV2;
}

/** The REST API event for route `i` (REQUEST authorizer, client header spelling). */
function restEvent(i: number, tenantId: string, token: string) {
  const path = `/t/${tenantId}/svc-${i}/items/web`;
  return {
    type: 'REQUEST',
    methodArn: `arn:aws:execute-api:us-east-1:000000000000:bench/prod/GET${path}`,
    resource: routeKey(i).slice('GET '.length),
    path,
    httpMethod: 'GET',
    headers: { Authorization: `Bearer ${token}` },
    multiValueHeaders: { Authorization: [`Bearer ${token}`] },
    pathParameters: { tenantId, itemId: 'web' },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: { requestId: 'bench' },
  } as unknown as APIGatewayRequestAuthorizerEvent;
}

/** One map size's lookups: `hashed` and `scan` each time `n` lookups and return ns per lookup. */
function lookupRunners(size: number) {
  const resolve = externalRoutes('tenantId', routeMap(size));
  const resources = Array.from({ length: size }, (_, i) => routeKey(i).slice('GET '.length));
  const paths = Array.from({ length: size }, (_, i) => `/t/demo/svc-${i}/items/web`);
  const match = pathMatcher(resources.map((path) => ({ method: 'GET', path })));
  // A prime stride visits the routes spread over the whole map, not only the first few.
  const at = (k: number) => (k * 7919) % size;
  const nsPer = (lookup: (k: number) => boolean) => (n: number) => {
    let found = 0;
    const t0 = performance.now();
    for (let k = 0; k < n; k++) if (lookup(k)) found++;
    if (found !== n) throw new Error('a generated route was not found');
    return ((performance.now() - t0) * 1e6) / n;
  };
  return {
    hashed: nsPer((k) => resolve(`GET ${resources[at(k)]}`) !== undefined),
    scan: nsPer((k) => match(paths[at(k)] as string, 'GET').kind === 'route'),
  };
}

/**
 * Nanoseconds per route lookup for maps of 5, 500 and 5,000 routes, the key built per lookup as
 * the REST form builds it (`${httpMethod} ${resource}`, a fresh string to hash): `hashed` is the
 * authorizer's resolver, `scan` what matching the request path against each route template
 * would cost instead (the local gateway's matcher, compiled once). Sizes take turns over 7
 * rounds, the first a warm-up; the fastest round counts (on a busy machine the others measure
 * the machine). A scan costs in proportion to the map, so it gets fewer lookups as it grows.
 */
function lookupNs(lookups: number): AuthorizerRoutesResult['lookupNs'] {
  const sizes = [5, 500, 5000];
  const runners = sizes.map(lookupRunners);
  const best = sizes.map(() => ({ hashed: Infinity, scan: Infinity }));
  for (let pass = 0; pass < 7; pass++) {
    runners.forEach((r, i) => {
      const size = sizes[i] as number;
      const hashed = r.hashed(lookups);
      const scan = r.scan(Math.max(20, Math.ceil((lookups * 5) / size)));
      const b = best[i] as { hashed: number; scan: number };
      if (pass === 0) return;
      b.hashed = Math.min(b.hashed, hashed);
      b.scan = Math.min(b.scan, scan);
    });
  }
  return Object.fromEntries(
    sizes.map((size, i) => {
      const b = best[i] as { hashed: number; scan: number };
      return [size, { hashed: round(b.hashed, 1), scan: round(b.scan, 1) }];
    }),
  );
}

const times = (ms: number[], requests: number): DecisionTimes => ({
  p50ms: round(percentile(ms, 50)),
  p99ms: round(percentile(ms, 99)),
  dynamoRequestsPerDecision: round(requests / ms.length, 3),
});

/**
 * Decides, as the bootstrap superuser of tenant `demo`, a route spread over the whole map in
 * turn: with the 5-route map (HTTP), the 500-route map (HTTP) and the 500-route map (REST),
 * interleaved. Every decision must allow, or the run fails.
 */
export async function benchAuthorizerRoutes(
  stack: BenchStack,
  opts: { quick: boolean },
): Promise<AuthorizerRoutesResult> {
  const { info, tenantId, tableName, verifier } = await authorizerBench(stack);
  const token = await stack.signIn(info.bootstrap.email, info.bootstrap.password);
  const { transport, counter } = stack.countingClient();
  const deps = (size: number): AuthorizerDeps => ({
    verifier,
    snapshots: createSnapshotReader(transport, tableName),
    requirements: externalRoutes('tenantId', routeMap(size)),
    clock: systemClock,
    mode: 'external',
  });
  const small = createAuthorizer(deps(5));
  const largeDeps = deps(500);
  const large = createAuthorizer(largeDeps);
  const rest = createRestAuthorizer(largeDeps);

  const timed = async (decide: () => Promise<boolean>) => {
    const before = counter.total;
    const t0 = performance.now();
    const allowed = await decide();
    const ms = performance.now() - t0;
    if (!allowed) throw new Error('the bench request was not allowed');
    return { ms, requests: counter.total - before };
  };
  // Route i of each map in turn: the whole 500-route map is walked, not one hot key.
  const rows = {
    small: (i: number) => small(httpEvent(i % 5, tenantId, token)).then((r) => r.isAuthorized),
    large: (i: number) => large(httpEvent(i % 500, tenantId, token)).then((r) => r.isAuthorized),
    rest: (i: number) =>
      rest(restEvent(i % 500, tenantId, token)).then(
        (r) => r.policyDocument.Statement[0]?.Effect === 'Allow',
      ),
  };
  const names = Object.keys(rows) as (keyof typeof rows)[];
  const samples = Object.fromEntries(names.map((n) => [n, { ms: [] as number[], requests: 0 }]));
  const warmup = opts.quick ? 50 : 100;
  const n = opts.quick ? 300 : 1000;
  for (let i = 0; i < warmup + n; i++) {
    // Rotate which row goes first, so none always follows the same one.
    for (let k = 0; k < names.length; k++) {
      const name = names[(i + k) % names.length] as keyof typeof rows;
      const d = await timed(() => rows[name](i));
      const s = samples[name] as { ms: number[]; requests: number };
      if (i < warmup) continue;
      s.ms.push(d.ms);
      s.requests += d.requests;
    }
  }
  const row = (name: keyof typeof rows) => {
    const s = samples[name] as { ms: number[]; requests: number };
    return times(s.ms, s.requests);
  };
  const routes5 = row('small');
  const routes500 = row('large');
  const restTimes = row('rest');
  const lookups = opts.quick ? 20_000 : 100_000;
  return {
    decisions: n,
    mapSize: {
      routes5,
      routes500,
      ratioP50: round(routes500.p50ms / routes5.p50ms, 2),
      ratioP99: round(routes500.p99ms / routes5.p99ms, 2),
    },
    forms: {
      http: routes500,
      rest: restTimes,
      ratioP50: round(restTimes.p50ms / routes500.p50ms, 2),
      ratioP99: round(restTimes.p99ms / routes500.p99ms, 2),
    },
    lookupNs: lookupNs(lookups),
  };
}

/** The printed table of the result. */
export function formatAuthorizerRoutes(r: AuthorizerRoutesResult): string[] {
  const line = (label: string, t: DecisionTimes) =>
    `${label.padEnd(34)}  ${t.p50ms.toFixed(3).padStart(8)}  ${t.p99ms.toFixed(3).padStart(8)}  ${String(t.dynamoRequestsPerDecision).padStart(5)}`;
  return [
    `External authorizer: route maps and API Gateway forms (${r.decisions} decisions each, interleaved, superuser of demo)`,
    `${'decision'.padEnd(34)}  ${'p50 ms'.padStart(8)}  ${'p99 ms'.padStart(8)}  ${'reads'.padStart(5)}`,
    line('HTTP form, 5-route map', r.mapSize.routes5),
    line('HTTP form, 500-route map', r.mapSize.routes500),
    line('REST form, 500-route map', r.forms.rest),
    `500 vs 5 routes: ${r.mapSize.ratioP50.toFixed(2)}x at p50, ${r.mapSize.ratioP99.toFixed(2)}x at p99; ` +
      `REST vs HTTP: ${r.forms.ratioP50.toFixed(2)}x at p50, ${r.forms.ratioP99.toFixed(2)}x at p99`,
    `Route lookup alone, ns (hashed route key / matching the path against every template): ${Object.entries(
      r.lookupNs,
    )
      .map(([size, ns]) => `${size} routes ${ns.hashed} / ${ns.scan}`)
      .join(', ')}`,
  ];
}
