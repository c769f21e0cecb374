/** Cold-start benchmark: each function bundled as CDK bundles it, then imported and invoked once in a fresh Node process. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { routeTable } from '#shared/routes/route-table.js';
import { routeKey } from '#shared/routes/route-types.js';
import { projectRoot } from '../local/function-modules.js';
import { percentile, round } from './stats.js';

/** One function's bundle and cold start. */
export interface BundleResult {
  /** Size of the minified ESM bundle (code only, the source map beside it not counted). */
  bytes: number;
  /** Size of the source map CDK ships beside it (`sourcesContent: false`). */
  mapBytes: number;
  /** Median time to import the bundle in a fresh process, milliseconds. */
  importMs: number;
  /** Median time of the first invocation after the import, milliseconds. */
  firstCallMs: number;
  /** importMs + firstCallMs: the cold start our code adds on top of the runtime's own boot. */
  initMs: number;
  /** The same with Node's source-map support off (CDK turns it on with NODE_OPTIONS). */
  initMsNoSourceMaps: number;
  /** What the first invocation answered (a status code, or `ok` for non-HTTP functions). */
  firstResponse: string;
  /** The event the first invocation received (a route key, or the event kind). */
  event: string;
  /** The biggest contributors to the bundle: npm package (or `project`) -> bytes in the output. */
  largest: Record<string, number>;
  /** Fresh processes the medians come from. */
  runs: number;
  /**
   * The road not taken, measured beside it: the same function with the AWS SDK left out of the
   * bundle and loaded from node_modules at run time, as it would be from the Lambda runtime's
   * own copy (CDK's default when bundleAwsSDK is off).
   */
  sdkExternal: { bytes: number; initMs: number };
}

const BANNER =
  "import { createRequire } from 'module';const require = createRequire(import.meta.url);";

/** The handlers CDK deploys: every `functions/<name>/handler.ts`. */
export function functionNames(): string[] {
  const dir = join(projectRoot, 'functions');
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, 'handler.ts')))
    .sort();
}

/** The SDK packages CDK leaves out of a bundle when bundleAwsSDK is off. */
const SDK_EXTERNALS = ['@aws-sdk/*', '@smithy/*'];

/**
 * Bundles like infra/constructs/api-function.ts (NodejsFunction with bundleAwsSDK), or with the
 * SDK external; an external SDK resolves from the bundle's folder, so `outDir` must then lie
 * inside the project.
 */
async function bundle(name: string, outDir: string, sdkExternal = false) {
  const outfile = join(outDir, name, 'index.mjs');
  const result = await build({
    entryPoints: [join(projectRoot, 'functions', name, 'handler.ts')],
    absWorkingDir: projectRoot,
    outfile,
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    mainFields: ['module', 'main'],
    banner: { js: BANNER },
    sourcemap: true,
    sourcesContent: false,
    metafile: true,
    logLevel: 'silent',
    external: sdkExternal ? SDK_EXTERNALS : [],
  });
  return { outfile, metafile: result.metafile };
}

/** Bytes in the output per npm package (scoped packages keep their scope, locale files apart), project code as `project`. */
function largestInputs(metafile: Metafile, top = 6): Record<string, number> {
  const byPackage = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      // Locale tables are split out: a library pulling in every language is worth seeing.
      const key = match?.[1]
        ? `${match[1]}${/\/locales?\//.test(path) ? '/locales' : ''}`
        : 'project';
      byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
    }
  }
  return Object.fromEntries([...byPackage].sort((a, b) => b[1] - a[1]).slice(0, top));
}

/** An event the function answers without reaching AWS: a public docs route, or a protected route without authorizer context (401). */
function firstEvent(name: string): { label: string; event: unknown } {
  if (name === 'authorizer') {
    const routeKeyOf = 'GET /v1/tenants/{tenantId}';
    return {
      label: `authorizer REQUEST ${routeKeyOf}, no token`,
      event: {
        version: '2.0',
        type: 'REQUEST',
        routeArn: 'arn:aws:execute-api:us-east-1:000000000000:bench/$default/GET/v1/tenants/demo',
        routeKey: routeKeyOf,
        rawPath: '/v1/tenants/demo',
        rawQueryString: '',
        identitySource: [],
        cookies: [],
        headers: {},
        pathParameters: { tenantId: 'demo' },
        requestContext: requestContext(routeKeyOf, '/v1/tenants/demo'),
      },
    };
  }
  if (name === 'mail-redrive') return { label: 'scheduled tick (import only)', event: null };
  // A placeholder that throws on any event until its issue lands: timed on import only.
  if (name === 'mail-events') return { label: 'SES event (import only)', event: null };
  if (name === 'fallback') {
    // The `$default` route: a path no route matches (404 problem+json).
    return {
      label: '$default GET /no-such-route',
      event: {
        version: '2.0',
        routeKey: '$default',
        rawPath: '/no-such-route',
        rawQueryString: '',
        headers: {},
        isBase64Encoded: false,
        requestContext: {
          ...requestContext('GET /no-such-route', '/no-such-route'),
          routeKey: '$default',
        },
      },
    };
  }
  const routes = routeTable.filter((r) => r.fn === name);
  const route =
    routes.find((r) => r.auth.kind === 'public' && r.method === 'GET' && !r.path.includes('{')) ??
    routes.find((r) => r.auth.kind === 'tenant' || r.auth.kind === 'authenticated');
  if (!route) return { label: 'empty stream batch', event: { Records: [] } };
  const key = routeKey(route);
  const params: Record<string, string> = {};
  const path = route.path.replace(/\{([A-Za-z0-9_]+)\}/g, (_m, p: string) => {
    params[p] = p === 'tenantId' ? 'demo' : `bench-${p}`;
    return params[p] ?? '';
  });
  return {
    label: key,
    event: {
      version: '2.0',
      routeKey: key,
      rawPath: path,
      rawQueryString: '',
      headers: { 'content-type': 'application/json' },
      pathParameters: Object.keys(params).length ? params : undefined,
      body: route.method === 'GET' || route.method === 'DELETE' ? undefined : '{}',
      isBase64Encoded: false,
      requestContext: requestContext(key, path),
    },
  };
}

function requestContext(key: string, path: string) {
  return {
    accountId: '000000000000',
    apiId: 'bench',
    domainName: 'bench.local',
    domainPrefix: 'bench',
    http: {
      method: key.split(' ')[0],
      path,
      protocol: 'HTTP/1.1',
      sourceIp: '127.0.0.1',
      userAgent: 'gatehouse-bench',
    },
    requestId: 'bench-request',
    routeKey: key,
    stage: '$default',
    time: new Date(0).toISOString(),
    timeEpoch: 0,
  };
}

/** Runs inside the fresh process: import, one call, print the timings as one JSON line. */
const CHILD_SCRIPT = `
const [bundleUrl, eventJson] = process.argv.slice(-2);
const context = {
  functionName: 'bench', functionVersion: '$LATEST', memoryLimitInMB: '512',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:bench',
  awsRequestId: 'bench-request', logGroupName: 'bench', logStreamName: 'bench',
  callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => 10000,
  done() {}, fail() {}, succeed() {},
};
const t0 = performance.now();
const mod = await import(bundleUrl);
const t1 = performance.now();
const event = JSON.parse(eventJson);
// A scheduled function's every call reaches DynamoDB (a closed port here): import only.
const res = event === null ? 'import only' : await mod.handler(event, context);
const t2 = performance.now();
const status = typeof res === 'string' ? res
  : res && typeof res === 'object' && 'statusCode' in res ? String(res.statusCode)
  : res && typeof res === 'object' && 'isAuthorized' in res ? 'decision ' + res.context?.decision : 'ok';
process.stdout.write(JSON.stringify({ bootMs: t0, importMs: t1 - t0, firstCallMs: t2 - t1, status }) + '\\n');
process.exit(0);
`;

/** What a Lambda's environment holds at load; DynamoDB points at a closed port (nothing may call it). */
const CHILD_ENV = {
  PATH: process.env.PATH ?? '',
  TABLE_NAME: 'gatehouse',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  USER_POOL_ID: 'us-east-1_bench',
  USER_POOL_CLIENT_ID: 'bench-client',
  DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  AWS_SDK_JS_SUPPRESS_NODE_VERSION_WARNING: '1',
};

interface ChildTiming {
  bootMs: number;
  importMs: number;
  firstCallMs: number;
  status: string;
}

function runChild(
  runner: string,
  bundleFile: string,
  event: unknown,
  sourceMaps: boolean,
): Promise<ChildTiming> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        ...(sourceMaps ? ['--enable-source-maps'] : []),
        runner,
        pathToFileURL(bundleFile).href,
        JSON.stringify(event),
      ],
      { env: CHILD_ENV, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('{"bootMs"'));
      if (code !== 0 || !line) {
        reject(
          new Error(`cold start of ${bundleFile} failed (exit ${code}): ${err.slice(0, 2000)}`),
        );
        return;
      }
      resolve(JSON.parse(line) as ChildTiming);
    });
  });
}

function median(values: number[]): number {
  return round(percentile(values, 50), 1);
}

/**
 * Bundles every function into `outDir` and measures its cold start: the median over `runs`
 * fresh processes of import + first call, with and without `--enable-source-maps`.
 */
export async function benchBundles(opts: {
  quick: boolean;
  outDir: string;
}): Promise<Record<string, BundleResult>> {
  const runs = opts.quick ? 1 : 5;
  const runner = join(opts.outDir, 'cold-start.mjs');
  writeFileSync(runner, CHILD_SCRIPT);
  const results: Record<string, BundleResult> = {};
  // Inside node_modules so the external SDK resolves; removed at the end.
  const externalDir = mkdtempSync(join(projectRoot, 'node_modules', '.gatehouse-bench-'));
  try {
    for (const name of functionNames()) {
      results[name] = await benchOne(name, runner, opts.outDir, externalDir, runs);
    }
  } finally {
    rmSync(externalDir, { recursive: true, force: true });
  }
  return results;
}

async function benchOne(
  name: string,
  runner: string,
  outDir: string,
  externalDir: string,
  runs: number,
): Promise<BundleResult> {
  const { outfile, metafile } = await bundle(name, outDir);
  const external = await bundle(name, externalDir, true);
  const { label, event } = firstEvent(name);
  const withMaps: ChildTiming[] = [];
  const withoutMaps: ChildTiming[] = [];
  const sdkExternal: ChildTiming[] = [];
  // Interleaved, so a busy moment of the machine touches every variant alike.
  for (let i = 0; i < runs; i++) {
    withMaps.push(await runChild(runner, outfile, event, true));
    withoutMaps.push(await runChild(runner, outfile, event, false));
    sdkExternal.push(await runChild(runner, external.outfile, event, true));
  }
  return {
    bytes: statSync(outfile).size,
    mapBytes: statSync(`${outfile}.map`).size,
    importMs: median(withMaps.map((t) => t.importMs)),
    firstCallMs: median(withMaps.map((t) => t.firstCallMs)),
    initMs: median(withMaps.map((t) => t.importMs + t.firstCallMs)),
    initMsNoSourceMaps: median(withoutMaps.map((t) => t.importMs + t.firstCallMs)),
    firstResponse: withMaps[0]?.status ?? '',
    event: label,
    largest: largestInputs(metafile),
    runs,
    sdkExternal: {
      bytes: statSync(external.outfile).size,
      initMs: median(sdkExternal.map((t) => t.importMs + t.firstCallMs)),
    },
  };
}
