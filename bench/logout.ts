/**
 * Forced-logout latency over HTTP against the local API: from the moment the logout response
 * arrives, how long (and how many requests) until the member's old access token gets its 401.
 */
import { randomBytes } from 'node:crypto';
import { identityFromEnv } from '#shared/app/identity-deps.js';
import { callApi } from './harness.js';
import type { BenchStack } from './stack.js';
import { percentile, round } from './stats.js';

export interface LogoutBenchResult {
  /** Logouts measured. */
  runs: number;
  /** Members rotated through (each signs in again at least 1 s after its previous logout). */
  members: number;
  /** Logout response arrived -> first 401 of the old token arrived, milliseconds. */
  p50ms: number;
  p99ms: number;
  maxMs: number;
  /** Most requests with the old token any run needed to see its first 401 (the goal: 1). */
  maxRequestsTo401: number;
  /** Runs whose first request after the logout response was not a 401 (the goal: 0). */
  lateRuns: number;
  /** What the old token got instead of a 401 on those runs, by status (empty when none). */
  statusesBefore401: Record<string, number>;
  /** Runs where the old token never got a 401 within the polling limit (the goal: 0). */
  neverRevoked: number;
  /** The `detail` of the 401s (problem+json), each distinct one once. */
  details401: string[];
  /** For scale: the accepted request with the same token just before the logout, p50 ms. */
  requestP50ms: number;
  /** The logout call itself (superuser, `POST .../members/{userId}/logout` -> 204), p50 ms. */
  logoutP50ms: number;
  /** Time spent waiting for a member's next sign-in second (auth_time has 1 s resolution). */
  waitedMs: number;
  durationS: number;
}

const POLL_LIMIT_MS = 5000;

interface Reply {
  status: number;
  detail: string;
}

/**
 * Runs `runs` forced logouts (100, or 20 with `--quick`) of members of tenant `demo`, each on a
 * freshly signed-in, confirmed token, and polls with the old token until its first 401. `members`
 * (default 25) is how many members take turns.
 */
export async function benchLogout(
  stack: BenchStack,
  opts: { quick: boolean; runs?: number; members?: number },
): Promise<LogoutBenchResult> {
  const started = performance.now();
  const { info } = stack;
  const tenantId = info.bootstrap.tenantId;
  const runs = opts.runs ?? (opts.quick ? 20 : 100);
  // Enough members that one comes round again only after its next sign-in second has begun.
  const memberCount = Math.min(runs, opts.members ?? 25);

  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await callApi(info, method, path, token, body);
    // The problem+json `detail`; '' when there is none (204 has no body).
    return { status: res.status, detail: String(res.json.detail ?? '') } satisfies Reply;
  };
  const readTenant = (token: string) => call('GET', `/v1/tenants/${tenantId}`, token);

  // Members with known passwords: the Cognito user first (as an operator would), then the
  // membership through the API as the superuser.
  const admin = await stack.signIn(info.bootstrap.email, info.bootstrap.password);
  const identity = identityFromEnv();
  const batch = randomBytes(3).toString('hex');
  const members: { email: string; password: string; userId: string; readyAt: number }[] = [];
  for (let i = 0; i < memberCount; i += 10) {
    const created = await Promise.all(
      Array.from({ length: Math.min(10, memberCount - i) }, async (_, j) => {
        const email = `logout-${batch}-${i + j}@bench.gatehouse.local`;
        const password = `Bench-${randomBytes(9).toString('base64url')}-Aa9!`;
        const user = await identity.ensureUser(email, password);
        await stack.join(tenantId, admin, email, password);
        return { email, password, userId: user.userId, readyAt: 0 };
      }),
    );
    members.push(...created);
  }

  const latencies: number[] = [];
  const requestMs: number[] = [];
  const logoutMs: number[] = [];
  const statusesBefore401: Record<string, number> = {};
  const details = new Set<string>();
  let maxRequests = 0;
  let lateRuns = 0;
  let neverRevoked = 0;
  let waitedMs = 0;

  for (let run = 0; run < runs; run++) {
    const m = members[run % members.length];
    if (!m) throw new Error('no member to log out');
    // A sign-in in the same second as the previous logout's stamp is refused (auth_time is in
    // whole seconds): wait for the next second after that logout's response.
    const wait = m.readyAt - Date.now();
    if (wait > 0) {
      waitedMs += wait;
      await new Promise((r) => setTimeout(r, wait));
    }
    const token = await stack.signIn(m.email, m.password);
    const r0 = performance.now();
    const ok = await readTenant(token);
    requestMs.push(performance.now() - r0);
    if (ok.status !== 200) {
      throw new Error(
        `run ${run}: a fresh token of ${m.email} got ${ok.status} before its logout (${ok.detail})`,
      );
    }

    const l0 = performance.now();
    const out = await call('POST', `/v1/tenants/${tenantId}/members/${m.userId}/logout`, admin);
    const loggedOutAt = performance.now();
    m.readyAt = Math.floor(Date.now() / 1000) * 1000 + 1000;
    logoutMs.push(loggedOutAt - l0);
    if (out.status !== 204) throw new Error(`run ${run}: logout answered ${out.status}`);

    let requests = 0;
    let got401 = false;
    while (performance.now() - loggedOutAt < POLL_LIMIT_MS) {
      requests++;
      const res = await readTenant(token);
      if (res.status === 401) {
        got401 = true;
        details.add(res.detail);
        break;
      }
      const key = String(res.status);
      statusesBefore401[key] = (statusesBefore401[key] ?? 0) + 1;
    }
    latencies.push(performance.now() - loggedOutAt);
    maxRequests = Math.max(maxRequests, requests);
    if (requests > 1 || !got401) lateRuns++;
    if (!got401) neverRevoked++;
  }

  return {
    runs,
    members: members.length,
    p50ms: round(percentile(latencies, 50)),
    p99ms: round(percentile(latencies, 99)),
    maxMs: round(Math.max(...latencies)),
    maxRequestsTo401: maxRequests,
    lateRuns,
    statusesBefore401,
    neverRevoked,
    details401: [...details],
    requestP50ms: round(percentile(requestMs, 50)),
    logoutP50ms: round(percentile(logoutMs, 50)),
    waitedMs: Math.round(waitedMs),
    durationS: round((performance.now() - started) / 1000, 1),
  };
}
