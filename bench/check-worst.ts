/**
 * The worst-case check over HTTP (issue 20): a member holding the largest effective permission
 * set the tenant limits allow (5,000 rules, from 25 scoped role bindings on a group whose tenant
 * expands the most group rules it may), checked once and 100 times per request, side by side,
 * with the paged permissions listing and a management request that compiles the whole policy.
 */
import { identityFromEnv } from '#shared/app/identity-deps.js';
import { DEFAULT_LIMITS } from '#shared/limits/tenant-limits.js';
import type { BenchStack } from './stack.js';
import { percentile, round } from './stats.js';

export interface LatencyRow {
  label: string;
  p50ms: number;
  p99ms: number;
  status: number;
  /** Response body size in bytes (last sample). */
  bytes: number;
}

export interface WorstCheckResult {
  effectiveRules: number;
  groupRulesInTenant: number;
  resourceDepth: number;
  samples: number;
  one: LatencyRow;
  hundred: LatencyRow;
  permissionsPage: LatencyRow;
  management: LatencyRow;
  /** p50 of a check of 100 divided by p50 of a check of 1 (goal: at most 10). */
  ratioP50: number;
  ratioP99: number;
  setupS: number;
}

type Body = Record<string, unknown> | undefined;

/** Roles of 200 permissions the bindings cycle through (more would only fill the policy item). */
const ROLES = 4;

/** Builds the fixture through the API and times the four requests, interleaved. */
export async function benchWorstCheck(
  stack: BenchStack,
  options: { quick: boolean },
): Promise<WorstCheckResult> {
  const { info } = stack;
  const admin = await stack.signIn(info.bootstrap.email, info.bootstrap.password);
  const setupStart = performance.now();
  const run = Date.now().toString(36);
  const tenantId = `worst-${run}`;
  const T = `/v1/tenants/${tenantId}`;

  async function call(method: string, path: string, body?: Body) {
    const res = await fetch(`${info.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, text };
  }
  async function must(method: string, path: string, body?: Body) {
    const res = await call(method, path, body);
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
    return res.text ? (JSON.parse(res.text) as Record<string, unknown>) : {};
  }

  await must('POST', '/v1/tenants', { tenantId, name: 'Worst case' });
  // An active member (added, then accepted by the person): a pending one is no member to check.
  const email = `worst-${run}@bench.gatehouse.local`;
  const password = `Bench-${run}-Worst-Aa9!`;
  await identityFromEnv().ensureUser(email, password);
  const userId = await stack.join(tenantId, admin, email, password);

  // 30 levels of prefix (the deepest a rule may be, with the role's own two levels, is 32).
  const levels = Array.from({ length: 30 }, (_, i) => `l${i}`);
  const prefix = levels.join(':');
  const per = DEFAULT_LIMITS.permissionsPerRole;
  const perms = (tag: string, n: number) =>
    Array.from({ length: n }, (_, j) => ({ resource: `${prefix}:${tag}:${j}`, action: 'read' }));
  for (let r = 0; r < ROLES; r++) {
    await must('POST', `${T}/roles`, {
      roleId: `wide-${r}`,
      name: `Wide ${r}`,
      permissions: perms(`r${r}`, per),
    });
  }
  // 24 bindings of 200 and one of 199: 4,999 per group; the member's own `member` role makes 5,000.
  const groupRules = DEFAULT_LIMITS.effectiveRulesPerPrincipal - 1;
  const full = Math.floor(groupRules / per);
  const rest = groupRules - full * per;
  await must('POST', `${T}/roles`, {
    roleId: 'rest',
    name: 'Rest',
    permissions: perms('rest', rest),
  });
  const groups = Math.floor(DEFAULT_LIMITS.effectiveGroupRulesPerTenant / groupRules);
  for (let g = 0; g < groups; g++) {
    await must('POST', `${T}/groups`, { groupId: `big-${g}`, name: `Big ${g}` });
    for (let b = 0; b < full; b++) {
      const scope = levels.slice(0, 1 + (b % levels.length)).join(':');
      await must('PUT', `${T}/groups/big-${g}/roles/wide-${b % ROLES}`, {
        scope,
      });
    }
    await must('PUT', `${T}/groups/big-${g}/roles/rest`, {});
  }
  await must('PUT', `${T}/groups/big-0/members/${userId}`);
  const listed = await must('GET', `${T}/members/${userId}/permissions?limit=1`);
  const effectiveRules = Number(listed.total);
  const setupS = (performance.now() - setupStart) / 1000;

  const deep = (i: number) => `${prefix}:r${i % ROLES}:${i % 250}`;
  const one = { userId, resource: deep(7), action: 'read' };
  const hundred = {
    checks: Array.from({ length: 100 }, (_, i) => ({ userId, resource: deep(i), action: 'read' })),
  };
  const rows = {
    one: { label: 'POST /check, 1 check', samples: [] as number[], status: 0, bytes: 0 },
    hundred: { label: 'POST /check, 100 checks', samples: [] as number[], status: 0, bytes: 0 },
    permissionsPage: {
      label: 'GET /members/{id}/permissions?limit=100',
      samples: [] as number[],
      status: 0,
      bytes: 0,
    },
    management: {
      label: 'GET /acls?limit=1 (reads the whole policy)',
      samples: [] as number[],
      status: 0,
      bytes: 0,
    },
  };
  const requests: [keyof typeof rows, string, string, Body][] = [
    ['one', 'POST', `${T}/check`, one],
    ['hundred', 'POST', `${T}/check`, hundred],
    ['permissionsPage', 'GET', `${T}/members/${userId}/permissions?limit=100`, undefined],
    ['management', 'GET', `${T}/acls?limit=1`, undefined],
  ];
  const samples = options.quick ? 20 : 60;
  for (let i = -3; i < samples; i++) {
    for (const [key, method, path, body] of requests) {
      const start = performance.now();
      const res = await call(method, path, body);
      const ms = performance.now() - start;
      const row = rows[key];
      if (res.status !== 200)
        throw new Error(`${row.label}: ${res.status} ${res.text.slice(0, 300)}`);
      row.status = res.status;
      row.bytes = Buffer.byteLength(res.text);
      if (i >= 0) row.samples.push(ms);
    }
  }
  const latency = (r: (typeof rows)[keyof typeof rows]): LatencyRow => ({
    label: r.label,
    p50ms: round(percentile(r.samples, 50), 2),
    p99ms: round(percentile(r.samples, 99), 2),
    status: r.status,
    bytes: r.bytes,
  });
  const result = {
    effectiveRules,
    groupRulesInTenant: groups * groupRules + 1,
    resourceDepth: 32,
    samples,
    one: latency(rows.one),
    hundred: latency(rows.hundred),
    permissionsPage: latency(rows.permissionsPage),
    management: latency(rows.management),
    ratioP50: 0,
    ratioP99: 0,
    setupS: round(setupS, 1),
  };
  result.ratioP50 = round(result.hundred.p50ms / result.one.p50ms, 2);
  result.ratioP99 = round(result.hundred.p99ms / result.one.p99ms, 2);
  return result;
}

/** The table of {@link benchWorstCheck}. */
export function formatWorstCheck(r: WorstCheckResult): string[] {
  const rows = [r.one, r.hundred, r.permissionsPage, r.management];
  const width = Math.max(...rows.map((x) => x.label.length));
  return [
    `Worst-case check over HTTP (issue 20): a member with ${r.effectiveRules.toLocaleString('en-US')} effective rules ` +
      `(the limit) under a 30-level prefix, ${r.groupRulesInTenant.toLocaleString('en-US')} group rules in the tenant; ` +
      `${r.samples} samples each, interleaved (setup ${r.setupS}s)`,
    `${'request'.padEnd(width)}  ${'p50 ms'.padStart(8)}  ${'p99 ms'.padStart(8)}  ${'bytes'.padStart(9)}`,
    ...rows.map(
      (x) =>
        `${x.label.padEnd(width)}  ${x.p50ms.toFixed(2).padStart(8)}  ${x.p99ms.toFixed(2).padStart(8)}  ${String(x.bytes).padStart(9)}`,
    ),
    `check of 100 / check of 1: ${r.ratioP50}x at p50, ${r.ratioP99}x at p99 (goal: at most 10x)`,
  ];
}
