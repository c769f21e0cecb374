/**
 * `POST /check` against the floor (issue 17): an ordinary member checked once and 100 times per
 * request over the local HTTP API, interleaved with a raw GetItem of the same member item (the
 * floor any read pays) and an authorized request that reads nothing after the authorizer (the
 * HTTP and authorizer overhead alone). Ratios to the GetItem are what the goal names.
 */
import { identityFromEnv } from '#shared/app/identity-deps.js';
import { keys } from '#shared/store/keys.js';
import type { BenchStack } from './stack.js';
import { percentile, round } from './stats.js';

export interface CheckLatencyRow {
  label: string;
  p50ms: number;
  p99ms: number;
  /** p50 of this row divided by the raw GetItem's p50. */
  xGetItemP50: number;
}

export interface CheckLatencyResult {
  samples: number;
  getItem: CheckLatencyRow;
  one: CheckLatencyRow;
  hundred: CheckLatencyRow;
}

type Timed = () => Promise<void>;

/** An ordinary tenant and member (a group, a role, a few direct rules), then the timed loop. */
export async function benchCheckLatency(
  stack: BenchStack,
  options: { quick: boolean },
): Promise<CheckLatencyResult> {
  const { info } = stack;
  const admin = await stack.signIn(info.bootstrap.email, info.bootstrap.password);
  const run = Date.now().toString(36);
  const tenantId = `check-${run}`;
  const T = `/v1/tenants/${tenantId}`;
  const headers = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' };

  async function send(method: string, path: string, body?: unknown) {
    const res = await fetch(`${info.apiUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text;
  }

  await send('POST', '/v1/tenants', { tenantId, name: 'Check latency' });
  const email = `check-${run}@bench.gatehouse.local`;
  const password = `Bench-${run}-Check-Aa9!`;
  await identityFromEnv().ensureUser(email, password);
  const userId = await stack.join(tenantId, admin, email, password);
  await send('POST', `${T}/groups`, { groupId: 'ops', name: 'Ops' });
  await send('PUT', `${T}/groups/ops/members/${userId}`);
  for (let i = 0; i < 5; i++) {
    await send('PUT', `${T}/acls/${encodeURIComponent(`app:svc-${i}`)}/users/${userId}/read`);
  }

  const one = { userId, resource: 'app:svc-3/instance-1', action: 'read' };
  const hundred = {
    checks: Array.from({ length: 100 }, (_, i) => ({
      userId,
      resource: `app:svc-${i % 10}/instance-${i}`,
      action: 'read',
    })),
  };
  const { db } = stack.countingClient();
  const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
  const memberKey = keys.member(tenantId, userId);

  const rows: Record<'getItem' | 'one' | 'hundred', { label: string; timed: Timed }> = {
    getItem: {
      label: 'raw GetItem of the member item (floor)',
      timed: async () => {
        await db.send(
          new GetCommand({
            TableName: info.dynamodb.tableName,
            Key: memberKey,
            ConsistentRead: true,
          }),
        );
      },
    },
    one: {
      label: 'POST /check, 1 check',
      timed: async () => void (await send('POST', `${T}/check`, one)),
    },
    hundred: {
      label: 'POST /check, 100 checks',
      timed: async () => void (await send('POST', `${T}/check`, hundred)),
    },
  };
  const samples = options.quick ? 30 : 150;
  const times: Record<keyof typeof rows, number[]> = { getItem: [], one: [], hundred: [] };
  for (let i = -5; i < samples; i++) {
    for (const key of Object.keys(rows) as (keyof typeof rows)[]) {
      const start = performance.now();
      await rows[key].timed();
      if (i >= 0) times[key].push(performance.now() - start);
    }
  }
  const floor = percentile(times.getItem, 50);
  const row = (key: keyof typeof rows): CheckLatencyRow => ({
    label: rows[key].label,
    p50ms: round(percentile(times[key], 50), 2),
    p99ms: round(percentile(times[key], 99), 2),
    xGetItemP50: round(percentile(times[key], 50) / floor, 2),
  });
  return { samples, getItem: row('getItem'), one: row('one'), hundred: row('hundred') };
}

/** The table of {@link benchCheckLatency}. */
export function formatCheckLatency(r: CheckLatencyResult): string[] {
  const rows = [r.getItem, r.one, r.hundred];
  const width = Math.max(...rows.map((x) => x.label.length));
  return [
    `POST /check over local HTTP against a raw GetItem, ${r.samples} samples each, interleaved (goal: at most 3x at p50)`,
    `${'request'.padEnd(width)}  ${'p50 ms'.padStart(8)}  ${'p99 ms'.padStart(8)}  ${'x GetItem'.padStart(9)}`,
    ...rows.map(
      (x) =>
        `${x.label.padEnd(width)}  ${x.p50ms.toFixed(2).padStart(8)}  ${x.p99ms.toFixed(2).padStart(8)}  ${x.xGetItemP50.toFixed(2).padStart(9)}`,
    ),
  ];
}
