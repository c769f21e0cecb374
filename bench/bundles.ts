/** Cold-start benchmark: each function bundled as CDK bundles it, then imported and invoked once in a fresh Node process. */
import { execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { lambdaBuildOptions, sdkSource, sourceMapsAtRuntime } from '#infra/constructs/bundling.js';
import { routeTable } from '#shared/routes/route-table.js';
import { routeKey } from '#shared/routes/route-types.js';
import { projectRoot } from '../local/function-modules.js';
import { percentile, round, table } from './stats.js';

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
  /** importMs + firstCallMs: the cold start our code adds on top of the runtime's own boot (as deployed: with `--enable-source-maps` when `sourceMaps`). */
  initMs: number;
  /** The same with Node's source-map support off. */
  initMsNoSourceMaps: number;
  /** Whether the deployed function runs with `--enable-source-maps` (bundling.ts, `sourceMapsAtRuntime`). */
  sourceMaps: boolean;
  /** What the first invocation answered (a status code, or `ok` for non-HTTP functions). */
  firstResponse: string;
  /** The event the first invocation received (a route key, or the event kind). */
  event: string;
  /** The biggest contributors to the bundle: npm package (or `project`) -> bytes in the output. */
  largest: Record<string, number>;
  /** Fresh processes the medians come from. */
  runs: number;
  /**
   * The same function with the AWS SDK left out of the bundle and loaded from node_modules at run
   * time, as it would be from the Lambda runtime's own copy (infra/constructs/bundling.ts,
   * `sdkSource`), measured beside it.
   */
  sdkExternal: { bytes: number; initMs: number };
  /** Where the deployed function's SDK comes from (`bundled`: `bytes`; `runtime`: `sdkExternal`). */
  deployedSdk: 'bundled' | 'runtime';
}

/** One bundle's cold start over many fresh processes. */
export interface ColdStartVariant {
  bytes: number;
  /** Import + first decision, milliseconds: median and p90 of the fresh processes. */
  initP50ms: number;
  initP90ms: number;
  /** CPU time (user + system, all threads) of import + first decision, median: steadier than wall time on a busy machine. */
  cpuP50ms: number;
}

/** The authorizer's cold start, today's bundle and this tree's, measured in the same run. */
export interface ColdStartComparison {
  /** The commit whose authorizer is the baseline ("today"), or null when it could not be built. */
  baselineCommit: string | null;
  baselineNote?: string;
  /** Fresh processes per variant, interleaved. */
  runs: number;
  /** Whether this tree's authorizer runs with `--enable-source-maps` (today's did). */
  sourceMapsNow: boolean;
  event: string;
  /** SDK bundled (how it deploys) and with the SDK from node_modules (the runtime's). */
  today: { bundled: ColdStartVariant; runtimeSdk: ColdStartVariant } | null;
  now: { bundled: ColdStartVariant; runtimeSdk: ColdStartVariant };
  /** now / today, for the deployed variant (SDK bundled) and for the runtime-SDK one. */
  ratio: { bytes: number; initP50: number; cpuP50: number; runtimeSdkBytes: number } | null;
}

/** What the benchmark measures: every function, and the authorizer against today's. */
export interface BundlesBenchResult {
  bundles: Record<string, BundleResult>;
  coldStart: ColdStartComparison;
  /**
   * The floor under the size goals: programs that only construct the clients a function needs
   * and send one command, bundled with the same options (bytes). What a function adds on top is
   * its own code, its validation and its logging.
   */
  sdkFloor: Record<string, number>;
}

/** The floor programs of `sdkFloor`: each the least code that carries those clients. */
export const SDK_FLOOR_PROGRAMS: Readonly<Record<string, string>> = {
  'DynamoDB client, 1 command': `import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
const c = new DynamoDBClient({});
export const handler = () => c.send(new GetItemCommand({ TableName: 't', Key: {} }));`,
  '+ document client (lib-dynamodb)': `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
const c = DynamoDBDocumentClient.from(new DynamoDBClient({}));
export const handler = () => c.send(new GetCommand({ TableName: 't', Key: {} }));`,
  '+ Cognito client, 1 command': `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { CognitoIdentityProviderClient, AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
const c = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const i = new CognitoIdentityProviderClient({});
export const handler = () => Promise.all([c.send(new GetCommand({ TableName: 't', Key: {} })), i.send(new AdminGetUserCommand({ UserPoolId: 'p', Username: 'u' }))]);`,
  '+ SES client, 1 command (instead of Cognito)': `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
const c = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const m = new SESClient({});
export const handler = () => Promise.all([c.send(new GetCommand({ TableName: 't', Key: {} })), m.send(new SendEmailCommand({ Source: 'a', Destination: {}, Message: { Subject: { Data: 's' }, Body: {} } }))]);`,
  'Powertools Logger + Metrics alone': `import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
const l = new Logger();
const m = new Metrics();
export const handler = () => { l.info('x'); m.publishStoredMetrics(); };`,
};

/** Bundles each of SDK_FLOOR_PROGRAMS as the functions are bundled (SDK included), in bytes. */
export async function sdkFloor(outDir: string): Promise<Record<string, number>> {
  const sizes: Record<string, number> = {};
  for (const [label, contents] of Object.entries(SDK_FLOOR_PROGRAMS)) {
    const result = await build({
      ...lambdaBuildOptions('bundled'),
      sourcemap: false,
      stdin: { contents, resolveDir: projectRoot, loader: 'ts', sourcefile: 'floor.ts' },
      absWorkingDir: projectRoot,
      outfile: join(outDir, 'floor', 'index.mjs'),
      write: false,
      logLevel: 'silent',
    });
    sizes[label] = result.outputFiles.reduce((n, f) => n + f.contents.byteLength, 0);
  }
  return sizes;
}

/**
 * Today's authorizer (issue 17's baseline): the handler as of this commit, bundled with the
 * options CDK used then (below), so each run compares against it on the same machine.
 */
export const BASELINE_COMMIT = '4809f3a';

/** infra/constructs/api-function.ts's bundling at BASELINE_COMMIT (before bundling.ts existed). */
const BASELINE_OPTIONS = {
  bundle: true,
  minify: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: {
    js: "import { createRequire } from 'module';const require = createRequire(import.meta.url);",
  },
  sourcemap: true,
  sourcesContent: false,
} satisfies BuildOptions;

/** The handlers CDK deploys: every `functions/<name>/handler.ts`. */
export function functionNames(): string[] {
  const dir = join(projectRoot, 'functions');
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, 'handler.ts')))
    .sort();
}

/**
 * Bundles `functions/<name>/handler.ts` of `root` with `options` (infra/constructs/bundling.ts's
 * unless given). An external SDK resolves from the bundle's folder, so `outDir` must then lie
 * inside the project.
 */
async function bundle(
  name: string,
  outDir: string,
  sdk: 'bundled' | 'runtime',
  root = projectRoot,
  options: BuildOptions = lambdaBuildOptions(sdk),
) {
  const outfile = join(outDir, name, 'index.mjs');
  const result = await build({
    ...options,
    ...(options === BASELINE_OPTIONS && sdk === 'runtime'
      ? { external: ['@aws-sdk/*', '@smithy/*'] }
      : {}),
    entryPoints: [join(root, 'functions', name, 'handler.ts')],
    absWorkingDir: root,
    outfile,
    metafile: true,
    logLevel: 'silent',
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
const cpu0 = process.cpuUsage();
const mod = await import(bundleUrl);
const t1 = performance.now();
const event = JSON.parse(eventJson);
// A scheduled function's every call reaches DynamoDB (a closed port here): import only.
const res = event === null ? 'import only' : await mod.handler(event, context);
const t2 = performance.now();
const cpu = process.cpuUsage(cpu0);
const status = typeof res === 'string' ? res
  : res && typeof res === 'object' && 'statusCode' in res ? String(res.statusCode)
  : res && typeof res === 'object' && 'isAuthorized' in res ? 'decision ' + res.context?.decision : 'ok';
process.stdout.write(JSON.stringify({ bootMs: t0, importMs: t1 - t0, firstCallMs: t2 - t1, cpuMs: (cpu.user + cpu.system) / 1000, status }) + '\\n');
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
  /** CPU time of import + first call (user + system, every thread of the process). */
  cpuMs: number;
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
 * fresh processes of import + first call, with and without `--enable-source-maps`. Then the
 * authorizer against today's (BASELINE_COMMIT), `coldRuns` fresh processes per variant.
 */
export async function benchBundles(opts: {
  quick: boolean;
  outDir: string;
  /** Only these functions (the cold-start comparison always runs). */
  only?: string[];
}): Promise<BundlesBenchResult> {
  const runs = opts.quick ? 1 : 5;
  const runner = join(opts.outDir, 'cold-start.mjs');
  writeFileSync(runner, CHILD_SCRIPT);
  const bundles: Record<string, BundleResult> = {};
  // Inside node_modules so the external SDK resolves; removed at the end.
  const externalDir = mkdtempSync(join(projectRoot, 'node_modules', '.gatehouse-bench-'));
  try {
    for (const name of functionNames()) {
      if (opts.only && !opts.only.includes(name)) continue;
      bundles[name] = await benchOne(name, runner, opts.outDir, externalDir, runs);
    }
    const coldStart = await compareAuthorizer(runner, externalDir, opts.quick ? 3 : 15);
    return { bundles, coldStart, sdkFloor: await sdkFloor(opts.outDir) };
  } finally {
    rmSync(externalDir, { recursive: true, force: true });
  }
}

async function benchOne(
  name: string,
  runner: string,
  outDir: string,
  externalDir: string,
  runs: number,
): Promise<BundleResult> {
  const { outfile, metafile } = await bundle(name, outDir, 'bundled');
  const external = await bundle(name, externalDir, 'runtime');
  const { label, event } = firstEvent(name);
  const sourceMaps = sourceMapsAtRuntime(name);
  const deployed: ChildTiming[] = [];
  const withoutMaps: ChildTiming[] = [];
  const sdkExternal: ChildTiming[] = [];
  // Interleaved, so a busy moment of the machine touches every variant alike.
  for (let i = 0; i < runs; i++) {
    deployed.push(await runChild(runner, outfile, event, sourceMaps));
    withoutMaps.push(await runChild(runner, outfile, event, false));
    sdkExternal.push(await runChild(runner, external.outfile, event, sourceMaps));
  }
  return {
    bytes: statSync(outfile).size,
    mapBytes: statSync(`${outfile}.map`).size,
    importMs: median(deployed.map((t) => t.importMs)),
    firstCallMs: median(deployed.map((t) => t.firstCallMs)),
    initMs: median(deployed.map((t) => t.importMs + t.firstCallMs)),
    initMsNoSourceMaps: median(withoutMaps.map((t) => t.importMs + t.firstCallMs)),
    sourceMaps,
    firstResponse: deployed[0]?.status ?? '',
    event: label,
    largest: largestInputs(metafile),
    runs,
    sdkExternal: {
      bytes: statSync(external.outfile).size,
      initMs: median(sdkExternal.map((t) => t.importMs + t.firstCallMs)),
    },
    deployedSdk: sdkSource(name),
  };
}

/**
 * The source tree of BASELINE_COMMIT under `dir` (git archive; the project's node_modules linked
 * in), or why it could not be had (no git, or a clone without that commit).
 */
function baselineTree(dir: string): { root: string } | { note: string } {
  const root = join(dir, 'baseline-src');
  try {
    mkdirSync(root, { recursive: true });
    const tar = execFileSync('git', ['archive', '--format=tar', BASELINE_COMMIT], {
      cwd: projectRoot,
      maxBuffer: 256 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    execFileSync('tar', ['-x', '-C', root], { input: tar });
    symlinkSync(join(projectRoot, 'node_modules'), join(root, 'node_modules'), 'dir');
    return { root };
  } catch (error) {
    return {
      note: `baseline ${BASELINE_COMMIT} not built: ${(error as Error).message.split('\n')[0]}`,
    };
  }
}

function variant(outfile: string, timings: ChildTiming[]): ColdStartVariant {
  const init = timings.map((t) => t.importMs + t.firstCallMs);
  return {
    bytes: statSync(outfile).size,
    initP50ms: median(init),
    initP90ms: round(percentile(init, 90), 1),
    cpuP50ms: median(timings.map((t) => t.cpuMs)),
  };
}

/** The authorizer of BASELINE_COMMIT and of this tree, each SDK bundled and from node_modules, interleaved. */
async function compareAuthorizer(
  runner: string,
  dir: string,
  runs: number,
): Promise<ColdStartComparison> {
  const name = 'authorizer';
  const { label, event } = firstEvent(name);
  const now = {
    bundled: await bundle(name, join(dir, 'now'), 'bundled'),
    runtimeSdk: await bundle(name, join(dir, 'now-runtime'), 'runtime'),
  };
  const tree = baselineTree(dir);
  const today =
    'root' in tree
      ? {
          bundled: await bundle(name, join(dir, 'today'), 'bundled', tree.root, BASELINE_OPTIONS),
          runtimeSdk: await bundle(
            name,
            join(dir, 'today-runtime'),
            'runtime',
            tree.root,
            BASELINE_OPTIONS,
          ),
        }
      : null;
  const files = { ...prefixed('now', now), ...(today ? prefixed('today', today) : {}) };
  const timings: Record<string, ChildTiming[]> = Object.fromEntries(
    Object.keys(files).map((key) => [key, []]),
  );
  // Each as deployed: today's with `--enable-source-maps` (every function had it), now's as bundling.ts says.
  const sourceMaps = (key: string) => key.startsWith('today') || sourceMapsAtRuntime(name);
  for (let i = 0; i < runs; i++) {
    for (const [key, outfile] of Object.entries(files)) {
      timings[key]?.push(await runChild(runner, outfile, event, sourceMaps(key)));
    }
  }
  const measured = (key: string) => variant(files[key] ?? '', timings[key] ?? []);
  const nowResult = { bundled: measured('now.bundled'), runtimeSdk: measured('now.runtimeSdk') };
  const todayResult = today
    ? { bundled: measured('today.bundled'), runtimeSdk: measured('today.runtimeSdk') }
    : null;
  return {
    baselineCommit: today ? BASELINE_COMMIT : null,
    ...('note' in tree ? { baselineNote: tree.note } : {}),
    runs,
    sourceMapsNow: sourceMapsAtRuntime(name),
    event: label,
    today: todayResult,
    now: nowResult,
    ratio: todayResult
      ? {
          bytes: round(nowResult.bundled.bytes / todayResult.bundled.bytes, 2),
          initP50: round(nowResult.bundled.initP50ms / todayResult.bundled.initP50ms, 2),
          cpuP50: round(nowResult.bundled.cpuP50ms / todayResult.bundled.cpuP50ms, 2),
          runtimeSdkBytes: round(nowResult.runtimeSdk.bytes / todayResult.runtimeSdk.bytes, 2),
        }
      : null,
  };
}

function prefixed(
  prefix: string,
  built: Record<string, { outfile: string }>,
): Record<string, string> {
  return Object.fromEntries(Object.entries(built).map(([k, v]) => [`${prefix}.${k}`, v.outfile]));
}

/** One row of results.json's `goals`. */
export interface BundleGoal {
  goal: string;
  target: string;
  actual: string;
  met: boolean;
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

/** Issue 17's bundle and cold-start goals, from this part's result. */
export function bundleGoals({ bundles, coldStart, sdkFloor }: BundlesBenchResult): BundleGoal[] {
  const floor = (label: string) => {
    const bytes = sdkFloor[label];
    return bytes === undefined ? '' : `; the SDK alone: ${kib(bytes)}`;
  };
  const deployedBytes = (b: BundleResult) =>
    b.deployedSdk === 'bundled' ? b.bytes : b.sdkExternal.bytes;
  const others = Object.entries(bundles).filter(([name]) => name !== 'authorizer');
  const biggest = (size: (b: BundleResult) => number) =>
    others.sort((a, b) => size(b[1]) - size(a[1]))[0];
  const deployedMax = biggest(deployedBytes);
  const runtimeMax = biggest((b) => b.sdkExternal.bytes);
  const { now, today, ratio } = coldStart;
  return [
    {
      goal: 'authorizer bundle, as deployed (runtime-SDK variant in brackets)',
      target: '<= 200 KiB',
      actual: `${kib(now.bundled.bytes)} (${kib(now.runtimeSdk.bytes)})${floor('+ document client (lib-dynamodb)')}`,
      met: now.bundled.bytes <= 200 * 1024,
    },
    {
      goal: `authorizer cold start (import + first decision, p50 of ${coldStart.runs}) vs ${coldStart.baselineCommit ?? 'today'} in the same run`,
      target: '<= 0.5x',
      actual: ratio
        ? `${ratio.initP50}x (${now.bundled.initP50ms} vs ${today?.bundled.initP50ms} ms; CPU ${ratio.cpuP50}x)`
        : `not compared: ${coldStart.baselineNote ?? 'no baseline'}`,
      met: ratio !== null && ratio.initP50 <= 0.5,
    },
    {
      goal: 'largest other bundle, as deployed (runtime-SDK variant in brackets)',
      target: '<= 300 KiB',
      actual:
        deployedMax && runtimeMax
          ? `${kib(deployedBytes(deployedMax[1]))}, ${deployedMax[0]} (${kib(runtimeMax[1].sdkExternal.bytes)}, ${runtimeMax[0]})${floor('+ Cognito client, 1 command')}`
          : 'none',
      met: others.every(([, b]) => deployedBytes(b) <= 300 * 1024),
    },
  ];
}

/** The printed tables of this part. */
export function formatBundles({ bundles, coldStart, sdkFloor }: BundlesBenchResult): string[] {
  const fixed = (n: number, d: number) => n.toFixed(d);
  const c = coldStart;
  const row = (label: string, v: ColdStartVariant) => [
    label,
    fixed(v.bytes / 1024, 0),
    fixed(v.initP50ms, 1),
    fixed(v.initP90ms, 1),
    fixed(v.cpuP50ms, 1),
  ];
  return [
    'Bundles (infra/constructs/bundling.ts, as CDK builds them) and cold start in a fresh Node process',
    table(
      [
        'function',
        'KiB',
        'import ms',
        '1st call ms',
        'init ms',
        'src maps',
        'no src maps',
        'SDK external: KiB',
        'init ms',
        'deployed',
        'answer',
        'largest parts (KiB)',
      ],
      Object.entries(bundles).map(([name, b]) => [
        name,
        fixed(b.bytes / 1024, 0),
        fixed(b.importMs, 1),
        fixed(b.firstCallMs, 1),
        fixed(b.initMs, 1),
        b.sourceMaps ? 'on' : 'off',
        fixed(b.initMsNoSourceMaps, 1),
        fixed(b.sdkExternal.bytes / 1024, 0),
        fixed(b.sdkExternal.initMs, 1),
        b.deployedSdk === 'bundled' ? 'SDK bundled' : 'runtime SDK',
        b.firstResponse,
        Object.entries(b.largest)
          .slice(0, 4)
          .map(([k, v]) => `${k} ${(v / 1024).toFixed(0)}`)
          .join(', '),
      ]),
    ),
    '',
    `Authorizer cold start, ${c.baselineCommit ?? 'no baseline'} against this tree, ${c.runs} fresh processes each, interleaved (${c.event})`,
    table(
      ['authorizer', 'KiB', 'init p50 ms', 'init p90 ms', 'CPU p50 ms'],
      [
        ...(c.today
          ? [
              row(`today (${c.baselineCommit}), SDK bundled`, c.today.bundled),
              row(`today (${c.baselineCommit}), runtime SDK`, c.today.runtimeSdk),
            ]
          : []),
        row(
          `now, SDK bundled (deployed, source maps ${c.sourceMapsNow ? 'on' : 'off'})`,
          c.now.bundled,
        ),
        row('now, runtime SDK', c.now.runtimeSdk),
      ],
    ),
    ...(c.ratio
      ? [
          `now / today: size ${c.ratio.bytes}x (runtime SDK ${c.ratio.runtimeSdkBytes}x), init p50 ${c.ratio.initP50}x, CPU ${c.ratio.cpuP50}x`,
        ]
      : [c.baselineNote ?? '']),
    '',
    'The floor: the least programs that carry the same clients, bundled alike (SDK_FLOOR_PROGRAMS)',
    table(
      ['program', 'KiB'],
      Object.entries(sdkFloor).map(([label, bytes]) => [label, fixed(bytes / 1024, 1)]),
    ),
    '',
  ];
}
