/**
 * `npm run bench [-- --quick]`: the ACL engine against casbin, Cedar and a floor; the authorizer
 * against DynamoDB Local, for access tokens and API tokens; forced-logout latency over HTTP; each
 * function's bundle and cold start; a 100-address invite; the console in chromium. Prints tables and writes
 * bench/results.json (bench/results.quick.json with --quick).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { arch, availableParallelism, cpus, platform, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../local/function-modules.js';
import type { EngineResult } from './acl.js';
import type { ApiTokensBenchResult, TokenDecisionResult } from './api-tokens.js';
import type { AuthorizerBenchResult } from './authorizer.js';
import type { AuthorizerRoutesResult } from './authorizer-routes.js';
import type { BundleResult, ColdStartComparison } from './bundles.js';
import type { CheckLatencyResult } from './check-latency.js';
import type { WorstCheckResult } from './check-worst.js';
import type { ConsoleBenchResult } from './console.js';
import { reexecWithGc } from './expose-gc.js';
import type { InvitesBenchResult } from './invites.js';
import type { LogoutBenchResult } from './logout.js';
import type { OperationCount } from './operations.js';
import type { PackageBenchResult } from './package.js';
import type { ReadUnitsResult } from './read-units.js';
import { round, table } from './stats.js';

reexecWithGc();

const quick = process.argv.includes('--quick');
const startedAt = new Date();
const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(1)}s`;
const progress = (msg: string) => process.stderr.write(`[bench ${elapsed()}] ${msg}\n`);

// Imported after the re-exec check so the parent process does not load the engines for nothing.
const { benchAcl } = await import('./acl.js');
const { benchBundles, bundleGoals, formatBundles } = await import('./bundles.js');
const { startBenchStack } = await import('./stack.js');
const { benchAuthorizer } = await import('./authorizer.js');
const { benchReadUnits } = await import('./read-units.js');
const { benchInvites, formatInvites } = await import('./invites.js');
const { benchApiTokens } = await import('./api-tokens.js');
const { benchLogout } = await import('./logout.js');
const { benchOperations } = await import('./operations.js');
const { benchWorstCheck, formatWorstCheck } = await import('./check-worst.js');
const { benchCheckLatency, formatCheckLatency } = await import('./check-latency.js');
const { benchAuthorizerRoutes, formatAuthorizerRoutes } = await import('./authorizer-routes.js');
const { benchPackage, formatPackage } = await import('./package.js');
const { benchConsole, formatConsole } = await import('./console.js');

progress(`ACL engines (${quick ? 'quick: 10k rules' : '100k rules'})`);
const acl = await benchAcl({ quick });

progress('bundles and cold starts');
const bundleDir = mkdtempSync(join(tmpdir(), 'gatehouse-bundles-'));
let bundles: Record<string, BundleResult>;
let coldStart: ColdStartComparison;
let sdkFloor: Record<string, number>;
try {
  ({ bundles, coldStart, sdkFloor } = await benchBundles({ quick, outDir: bundleDir }));
} finally {
  rmSync(bundleDir, { recursive: true, force: true });
}

progress('local stack (DynamoDB Local, cognito-local, SES emulator, local API, console)');
const stack = await startBenchStack({ console: true });
let authorizer: AuthorizerBenchResult & ReadUnitsResult;
let apiTokens: ApiTokensBenchResult;
let logout: LogoutBenchResult;
let invites: InvitesBenchResult | null;
let operations: OperationCount[];
let worstCheck: WorstCheckResult;
let checkLatency: CheckLatencyResult;
let authorizerRoutes: AuthorizerRoutesResult;
let authorizerPackage: PackageBenchResult;
let consoleFigures: ConsoleBenchResult;
try {
  progress('authorizer decisions');
  const decisions = await benchAuthorizer(stack, { quick });
  progress('read units per decision (ReturnConsumedCapacity)');
  authorizer = { ...decisions, ...(await benchReadUnits(stack)) };
  progress('authorizer decisions with API tokens');
  apiTokens = await benchApiTokens(stack, { quick });
  progress(`forced logout latency (${quick ? 20 : 100} logouts)`);
  logout = await benchLogout(stack, { quick });
  progress('bulk invite');
  invites = await benchInvites(stack);
  progress('DynamoDB requests per API operation');
  operations = await benchOperations(stack);
  progress('worst-case check (the largest principal the tenant limits allow)');
  worstCheck = await benchWorstCheck(stack, { quick });
  progress('POST /check against a raw GetItem');
  checkLatency = await benchCheckLatency(stack, { quick });
  progress('external authorizer: 5 vs 500 routes, HTTP vs REST form');
  authorizerRoutes = await benchAuthorizerRoutes(stack, { quick });
  progress('the authorizer package (packed tarball, packaged bundle decisions)');
  authorizerPackage = await benchPackage(stack, { quick });
  progress('the console in chromium (first load, members screen at 1,000 members)');
  consoleFigures = await benchConsole(stack, { quick });
} finally {
  await stack.stop();
}
progress('done');

// ---------------------------------------------------------------------------------------------
// Goals of issue 7, evaluated on this run (never asserted in tests)
// ---------------------------------------------------------------------------------------------

interface Goal {
  goal: string;
  target: string;
  actual: string;
  met: boolean;
}

const e = acl.engines;
const times = (a: number, b: number) => (b > 0 ? a / b : Number.POSITIVE_INFINITY);
const goals: Goal[] = [
  {
    goal: 'checks/s vs casbin',
    target: '>= 100x',
    actual: `${times(e.gatehouse.checksPerSec, e.casbin.checksPerSec).toFixed(0)}x`,
    met: times(e.gatehouse.checksPerSec, e.casbin.checksPerSec) >= 100,
  },
  {
    goal: 'checks/s vs Cedar',
    target: '>= 10x',
    actual: `${times(e.gatehouse.checksPerSec, e.cedar.checksPerSec).toFixed(0)}x`,
    met: times(e.gatehouse.checksPerSec, e.cedar.checksPerSec) >= 10,
  },
  {
    goal: 'ACL p99 per decision',
    target: '< 20 us',
    actual: `${e.gatehouse.p99us.toFixed(2)} us`,
    met: e.gatehouse.p99us < 20,
  },
  {
    goal: 'distance to the floor (floor checks/s / ours)',
    target: '<= 5x',
    actual: `${times(e.floor.checksPerSec, e.gatehouse.checksPerSec).toFixed(2)}x`,
    met: times(e.floor.checksPerSec, e.gatehouse.checksPerSec) <= 5,
  },
  {
    goal: 'read units per steady-state decision, every policy size (issue 19)',
    target: '<= 2',
    actual: authorizer.readUnits.byPolicy.map((r) => r.after).join(' / '),
    met: authorizer.readUnits.byPolicy.every((r) => r.after <= 2),
  },
  {
    goal: 'read units per steady-state decision, members up to 50 direct rules',
    target: '<= 2',
    actual: authorizer.readUnits.byMember
      .filter((r) => r.directRules <= 50)
      .map((r) => `${r.after} (${r.directRules}, ${r.rules})`)
      .join(' / '),
    met: authorizer.readUnits.byMember
      .filter((r) => r.directRules <= 50)
      .every((r) => r.after <= 2),
  },
  {
    goal: 'per-tenant decision ceiling (capacity model)',
    target: '>= 30,000/s',
    actual: `${authorizer.tenantCeilingPerSec}/s`,
    met: authorizer.tenantCeilingPerSec >= 30_000,
  },
  {
    goal: 'DynamoDB requests per authorizer decision',
    target: '= 1',
    actual: String(authorizer.dynamoRequestsPerDecision),
    met: authorizer.dynamoRequestsPerDecision === 1,
  },
  {
    goal: 'DynamoDB requests per API-token decision',
    target: '= 1',
    actual: apiTokens.personal
      ? `${apiTokens.serviceAccount.dynamoRequestsPerDecision} (ghs_), ${apiTokens.personal.dynamoRequestsPerDecision} (ghm_)`
      : String(apiTokens.serviceAccount.dynamoRequestsPerDecision),
    met:
      apiTokens.serviceAccount.dynamoRequestsPerDecision === 1 &&
      (apiTokens.personal?.dynamoRequestsPerDecision ?? 1) === 1,
  },
  {
    goal: 'forced logout: requests until the old token gets 401',
    target: '= 1 (the next one)',
    actual: String(logout.maxRequestsTo401),
    met: logout.maxRequestsTo401 === 1 && logout.lateRuns === 0 && logout.neverRevoked === 0,
  },
  {
    goal: 'forced logout: logout response to first 401, max',
    target: '< 1000 ms',
    actual: `${logout.maxMs.toFixed(1)} ms`,
    met: logout.neverRevoked === 0 && logout.maxMs < 1000,
  },
  {
    goal: 'check of 100 vs check of 1, largest principal the limits allow (p50)',
    target: '<= 10x',
    actual: `${worstCheck.ratioP50}x (p99 ${worstCheck.ratioP99}x)`,
    met: worstCheck.ratioP50 <= 10,
  },
  {
    goal: 'POST /check over local HTTP vs a raw GetItem (p50), 1 and 100 checks',
    target: '<= 3x',
    actual: `${checkLatency.one.xGetItemP50}x (1), ${checkLatency.hundred.xGetItemP50}x (100)`,
    met: checkLatency.one.xGetItemP50 <= 3 && checkLatency.hundred.xGetItemP50 <= 3,
  },
  {
    goal: 'external authorizer, 500-route map vs 5-route map (p50)',
    target: '<= 1.10x',
    actual: `${authorizerRoutes.mapSize.ratioP50}x (REST vs HTTP ${authorizerRoutes.forms.ratioP50}x)`,
    met: authorizerRoutes.mapSize.ratioP50 <= 1.1,
  },
  ...bundleGoals({ bundles, coldStart, sdkFloor }),
  {
    goal: 'console first load, compressed JavaScript (issue 18)',
    target: '<= 200 KiB',
    actual: `${(consoleFigures.firstLoad.jsGzipBytes / 1024).toFixed(1)} KiB`,
    met: consoleFigures.firstLoad.jsGzipBytes <= consoleFigures.firstLoad.jsBudgetGzipBytes,
  },
];

// ---------------------------------------------------------------------------------------------
// results.json
// ---------------------------------------------------------------------------------------------

function versionOf(pkg: string): string {
  try {
    const json = JSON.parse(
      readFileSync(join(projectRoot, 'node_modules', pkg, 'package.json'), 'utf8'),
    ) as { version?: string };
    return json.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const results = {
  timestamp: startedAt.toISOString(),
  quick,
  durationS: round((performance.now() - t0) / 1000, 1),
  machine: {
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    availableParallelism: availableParallelism(),
    platform: platform(),
    arch: arch(),
    memoryGb: round(totalmem() / 1024 ** 3, 1),
  },
  versions: {
    casbin: versionOf('casbin'),
    cedar: versionOf('@cedar-policy/cedar-wasm'),
    esbuild: versionOf('esbuild'),
    'aws-jwt-verify': versionOf('aws-jwt-verify'),
    '@aws-sdk/client-dynamodb': versionOf('@aws-sdk/client-dynamodb'),
  },
  acl,
  authorizer,
  apiTokens,
  logout,
  bundles,
  coldStart,
  sdkFloor,
  invites,
  operations,
  worstCheck,
  checkLatency,
  authorizerRoutes,
  authorizerPackage,
  console: consoleFigures,
  ...(invites === null
    ? { invitesNote: 'POST /v1/tenants/{tenantId}/invites is not in the route table yet' }
    : {}),
  goals,
};
const outFile = join(projectRoot, 'bench', quick ? 'results.quick.json' : 'results.json');
writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);

// ---------------------------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------------------------

/** Fixed-width table: first column left-aligned, the others right-aligned. */
const num = (n: number) => Math.round(n).toLocaleString('en-US');
const fixed = (n: number, d: number) => n.toFixed(d);
const ratio = (n: number) => (n >= 100 ? `${num(n)}x` : `${n.toFixed(n >= 10 ? 0 : 2)}x`);

const out: string[] = [];
out.push(
  `Gatehouse bench${quick ? ' (--quick)' : ''}: ${results.machine.cpu}, ${results.machine.cores} cores, ` +
    `Node ${results.machine.node}, ${results.timestamp}, ${results.durationS}s`,
  '',
  `ACL in memory: ${num(acl.rules)} rules, ${num(acl.users)} users, ${num(acl.groups)} groups, ` +
    `${num(acl.queries)} queries (${(acl.allowRate * 100).toFixed(1)}% allowed); ` +
    `every engine agreed with the reference model on its sample before timing`,
);
const engineRows = (Object.entries(e) as [string, EngineResult | undefined][])
  .filter((entry): entry is [string, EngineResult] => entry[1] !== undefined)
  .map(([name, r]) => [
    name,
    num(r.checksPerSec),
    fixed(r.p50us, 2),
    fixed(r.p99us, 2),
    fixed(r.buildMs, 0),
    fixed(r.heapMb, 1),
    num(r.rules),
    ratio(times(e.gatehouse.checksPerSec, r.checksPerSec)),
  ]);
out.push(
  table(
    ['engine', 'checks/s/core', 'p50 us', 'p99 us', 'build ms', 'heap MB', 'rules', 'gatehouse is'],
    engineRows,
  ),
  '',
  `Authorizer (${authorizer.routeKey}, DynamoDB Local on loopback, ${num(authorizer.decisions)} decisions): ` +
    `${authorizer.dynamoRequestsPerDecision} DynamoDB request(s) per decision in the steady state ` +
    `(${authorizer.coldDynamoRequests} on a cold policy cache); token verification ${authorizer.verifyP50us} us p50 (${authorizer.verifyCachedP50us} us for a token verified before)`,
  table(
    ['path', 'p50 ms', 'p99 ms', 'requests'],
    [
      [
        'decision (superuser)',
        fixed(authorizer.p50ms, 3),
        fixed(authorizer.p99ms, 3),
        String(authorizer.dynamoRequestsPerDecision),
      ],
      [
        'raw GetItem (floor)',
        fixed(authorizer.getItemP50ms, 3),
        fixed(authorizer.getItemP99ms, 3),
        '1',
      ],
      ['raw BatchGetItem (its own request)', fixed(authorizer.batchGetP50ms, 3), '', '1'],
      [
        `decision (${num(authorizer.heavy.rules)} direct rules, ${authorizer.heavy.itemKb} KiB item)`,
        fixed(authorizer.heavy.p50ms, 3),
        fixed(authorizer.heavy.p99ms, 3),
        String(authorizer.heavy.dynamoRequestsPerDecision),
      ],
      ['raw GetItem of that item', fixed(authorizer.heavy.getItemP50ms, 3), '', '1'],
      [
        'first decision after it changed',
        fixed(authorizer.heavy.firstDecisionMs, 3),
        '',
        `compile ${fixed(authorizer.heavy.compileMs, 2)} ms`,
      ],
    ],
  ),
  '',
  `Read units per steady-state decision (ReturnConsumedCapacity; before = policy + member + floor + user stamp; ` +
    `after = one version shard + the member item); tenant ceiling ${num(authorizer.tenantCeilingPerSec)}/s`,
  table(
    ['case', 'item bytes', 'before', 'after'],
    [
      ...authorizer.readUnits.byPolicy.map((r) => [
        `policy ${fixed(r.policyBytes / 1024, 1)} KiB (ceiling before ${num(r.decisionsPerSecBefore)}/s)`,
        String(r.policyBytes),
        String(r.before),
        String(r.after),
      ]),
      ...authorizer.readUnits.byMember.map((r) => [
        `member, ${r.directRules} direct rules (${r.rules})`,
        String(r.memberItemBytes),
        String(r.before),
        String(r.after),
      ]),
    ],
  ),
  '',
);
const sa = apiTokens.serviceAccount;
const tokenRow = (name: string, r: TokenDecisionResult) => [
  name,
  fixed(r.p50ms, 3),
  fixed(r.p99ms, 3),
  String(r.dynamoRequestsPerDecision),
  fixed(r.coldMs, 3),
  String(r.coldDynamoRequests),
  String(r.lastUsedWrites),
];
out.push(
  `Authorizer with API tokens (${apiTokens.routeKey}, Bearer ghs_... / ghm_..., ${num(sa.decisions)} decisions each): ` +
    `${sa.dynamoRequestsPerDecision} DynamoDB read(s) per service-account decision in the steady state ` +
    `(${sa.coldDynamoRequests} on a cold policy cache); last-used writes counted apart; ` +
    `over HTTP the ghs_ token got ${sa.httpStatus}`,
  table(
    ['token', 'p50 ms', 'p99 ms', 'reads', 'cold ms', 'cold reads', 'last-used writes'],
    [
      tokenRow('service account (ghs_)', sa),
      [
        'raw BatchGetItem (token, account, policy)',
        fixed(sa.batchGetP50ms, 3),
        fixed(sa.batchGetP99ms, 3),
        '1',
        '',
        '',
        '',
      ],
      ...(apiTokens.personal
        ? [tokenRow('personal (ghm_, plain member)', apiTokens.personal)]
        : []),
      [
        'access token (JWT, superuser, from above)',
        fixed(authorizer.p50ms, 3),
        fixed(authorizer.p99ms, 3),
        String(authorizer.dynamoRequestsPerDecision),
        '',
        String(authorizer.coldDynamoRequests),
        '',
      ],
    ],
  ),
  ...(apiTokens.personalNote ? [`Personal tokens: ${apiTokens.personalNote}`] : []),
  '',
  `Forced logout over HTTP (${logout.runs} logouts of ${logout.members} rotating members of demo, ` +
    `old token polled on GET /v1/tenants/{tenantId} from the moment the 204 arrived; ${logout.durationS}s, ` +
    `${(logout.waitedMs / 1000).toFixed(1)}s of it waiting for a next-second sign-in)`,
  table(
    ['measure', 'p50 ms', 'p99 ms', 'max ms', 'requests to 401 (max)'],
    [
      [
        'logout response -> first 401',
        fixed(logout.p50ms, 2),
        fixed(logout.p99ms, 2),
        fixed(logout.maxMs, 2),
        String(logout.maxRequestsTo401),
      ],
      ['accepted request before it (scale)', fixed(logout.requestP50ms, 2), '', '', ''],
      ['the logout call (204)', fixed(logout.logoutP50ms, 2), '', '', ''],
    ],
  ),
  ...(logout.lateRuns > 0 || logout.neverRevoked > 0
    ? [
        `NOT ON THE NEXT REQUEST in ${logout.lateRuns} run(s) (${logout.neverRevoked} never 401 within 5 s); ` +
          `the old token got instead: ${JSON.stringify(logout.statusesBefore401)}`,
      ]
    : []),
  '',
  ...formatBundles({ bundles, coldStart, sdkFloor }),
  '',
);
if (invites) {
  out.push(...formatInvites(invites));
} else {
  out.push(`Invites: not measured (${results.invitesNote ?? 'no invites'})`);
}
out.push(
  '',
  'DynamoDB requests per API call (authorizer included; docs/data-model.md)',
  table(
    ['operation', 'route', 'status', 'requests', 'by command'],
    operations.map((o) => [
      o.label,
      o.route,
      String(o.status),
      String(o.dynamoRequests),
      Object.entries(o.byCommand)
        .map(([k, v]) => `${v} ${k.replace(/Command$/, '').replace(/Item$/, '')}`)
        .join(', '),
    ]),
  ),
);
out.push('', ...formatWorstCheck(worstCheck));
out.push('', ...formatCheckLatency(checkLatency));
out.push('', ...formatAuthorizerRoutes(authorizerRoutes));
out.push('', 'The authorizer package (bench/package.ts)', ...formatPackage(authorizerPackage));
out.push('', ...formatConsole(consoleFigures));
out.push(
  '',
  `Goals (issue 7, at 100k rules${quick ? '; this --quick run uses 10k' : ''})`,
  table(
    ['goal', 'target', 'actual', 'met'],
    goals.map((g) => [g.goal, g.target, g.actual, g.met ? 'yes' : 'NO']),
  ),
  '',
  `Written to ${outFile.slice(projectRoot.length + 1)}`,
);
console.log(out.join('\n'));
