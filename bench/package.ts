/**
 * The authorizer package (packages/authorizer): the packed tarball's size, the prebuilt
 * bundle's size, and decisions of the PACKAGED bundle (imported in-process as Lambda would,
 * with routes.json beside it) against DynamoDB Local: DynamoDB requests per steady-state
 * decision, counted by a proxy in front of DynamoDB Local (the bundle's own client cannot be
 * instrumented), and decision times for a map of 5 routes and one of 500.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLE_DIR } from '../packages/authorizer/scripts/build.js';
import {
  loadPackagedAuthorizer,
  requestEvent,
} from '../packages/authorizer/scripts/load-bundle.js';
import { packAuthorizer } from '../packages/authorizer/scripts/pack-into.js';
import type { RouteMap } from '../packages/authorizer/src/route-map.js';
import type { BenchStack } from './stack.js';
import { percentile, round } from './stats.js';

export interface PackageBenchResult {
  tarballBytes: number;
  bundleBytes: number;
  mapBytes: number;
  decisions: number;
  /** DynamoDB requests per decision after warm-up (the steady state). */
  dynamoRequestsPerDecision: number;
  byRouteCount: { routes: number; p50us: number; p99us: number }[];
}

/** An HTTP proxy to `target` that counts the requests passing through. */
async function countingProxy(target: string) {
  const upstream = new URL(target);
  let count = 0;
  const server = createServer((req, res) => {
    count++;
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    reset: () => {
      count = 0;
    },
    count: () => count,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const APP_ROUTE = 'GET /t/{tenantId}/apps/{appId+}';

/** The example's two-permission route plus `size - 1` others. */
function routeMapOf(size: number): RouteMap {
  const routes: Record<string, RouteMap[string]> = {
    [APP_ROUTE]: [
      { resource: 'dcos:adminrouter:service:marathon', action: 'full' },
      { resource: 'dcos:service:marathon:marathon:services/{appId}', action: 'read' },
    ],
  };
  for (let i = 1; i < size; i++) {
    routes[`GET /t/{tenantId}/service${i}/items/{itemId}`] = [
      { resource: `svc:service${i}:items/{itemId}`, action: 'read' },
    ];
  }
  return routes;
}

export async function benchPackage(
  stack: BenchStack,
  { quick }: { quick: boolean },
): Promise<PackageBenchResult> {
  const packDir = mkdtempSync(join(tmpdir(), 'gatehouse-pack-'));
  const staged: string[] = [];
  const proxy = await countingProxy(stack.info.dynamodb.endpoint);
  try {
    const { bytes: tarballBytes } = packAuthorizer(packDir);
    const { info } = stack;
    const targets = { ...info, dynamodb: { ...info.dynamodb, endpoint: proxy.url } };
    const token = await stack.signIn(info.bootstrap.email, info.bootstrap.password);
    const event = requestEvent(
      APP_ROUTE,
      { tenantId: info.bootstrap.tenantId, appId: 'prod/web' },
      token,
    );
    const decisions = quick ? 200 : 1000;
    const byRouteCount: PackageBenchResult['byRouteCount'] = [];
    let dynamoRequestsPerDecision = 0;
    for (const size of [5, 500]) {
      const authorizer = await loadPackagedAuthorizer(BUNDLE_DIR, routeMapOf(size), targets);
      staged.push(authorizer.dir);
      for (let i = 0; i < 20; i++) {
        const warm = await authorizer.handler(event);
        if (!warm.isAuthorized) throw new Error('the packaged authorizer denied the bench request');
      }
      proxy.reset();
      const samples: number[] = [];
      for (let i = 0; i < decisions; i++) {
        const t0 = performance.now();
        await authorizer.handler(event);
        samples.push((performance.now() - t0) * 1000);
      }
      if (size === 5) dynamoRequestsPerDecision = round(proxy.count() / decisions, 3);
      byRouteCount.push({
        routes: size,
        p50us: round(percentile(samples, 50), 1),
        p99us: round(percentile(samples, 99), 1),
      });
    }
    return {
      tarballBytes,
      bundleBytes: statSync(join(BUNDLE_DIR, 'index.mjs')).size,
      mapBytes: statSync(join(BUNDLE_DIR, 'index.mjs.map')).size,
      decisions,
      dynamoRequestsPerDecision,
      byRouteCount,
    };
  } finally {
    await proxy.close();
    rmSync(packDir, { recursive: true, force: true });
    for (const dir of staged) rmSync(dir, { recursive: true, force: true });
  }
}

export function formatPackage(result: PackageBenchResult): string[] {
  return [
    `tarball ${(result.tarballBytes / 1024).toFixed(1)} KiB, bundle ${(result.bundleBytes / 1024).toFixed(1)} KiB (+ map ${(result.mapBytes / 1024).toFixed(1)} KiB)`,
    `DynamoDB requests per steady-state decision (packaged bundle): ${result.dynamoRequestsPerDecision}`,
    ...result.byRouteCount.map(
      (r) =>
        `${r.routes} routes: p50 ${r.p50us} us, p99 ${r.p99us} us (${result.decisions} decisions)`,
    ),
  ];
}
