/**
 * `POST /check` against the floor (issue 17): an ordinary member checked once and 100 times per
 * request over the local HTTP API, interleaved with a raw GetItem of the same member item (the
 * floor any read pays) and an authorized request that reads nothing after the authorizer (the
 * HTTP and authorizer overhead alone). Ratios to the GetItem are what the goal names.
 *
 * The timed requests go over `node:http` with a keep-alive agent, the transport the floor's SDK
 * client uses, so the ratios compare the service's work, not two HTTP client libraries; the
 * single check is timed with `fetch` too (undici, which costs more per request in the client).
 */
import { Agent, request } from 'node:http';
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
  /** `POST /check` refused by validation (400): the authorizer, then no read. */
  noRead: CheckLatencyRow;
  one: CheckLatencyRow;
  hundred: CheckLatencyRow;
  /** `one` sent with `fetch` instead of `node:http`. */
  oneFetch: CheckLatencyRow;
}

/** One request over a keep-alive `node:http` agent; resolves with the status and body. */
function httpCall(
  agent: Agent,
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
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

  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  /** A timed request: over the keep-alive agent, answered with `status` or the run fails. */
  async function timedPost(path: string, body: unknown, status = 200) {
    const res = await httpCall(
      agent,
      `${info.apiUrl}${path}`,
      'POST',
      headers,
      JSON.stringify(body),
    );
    if (res.status !== status) throw new Error(`POST ${path}: ${res.status} ${res.text}`);
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

  type Key = Exclude<keyof CheckLatencyResult, 'samples'>;
  const rows: Record<Key, { label: string; timed: Timed }> = {
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
    noRead: {
      label: 'POST /check refused by validation (no read)',
      timed: () => timedPost(`${T}/check`, { ...one, action: 'fly' }, 400),
    },
    one: { label: 'POST /check, 1 check', timed: () => timedPost(`${T}/check`, one) },
    hundred: { label: 'POST /check, 100 checks', timed: () => timedPost(`${T}/check`, hundred) },
    oneFetch: {
      label: 'POST /check, 1 check, with fetch',
      timed: async () => void (await send('POST', `${T}/check`, one)),
    },
  };
  const samples = options.quick ? 30 : 150;
  const times = Object.fromEntries(Object.keys(rows).map((k) => [k, [] as number[]])) as Record<
    Key,
    number[]
  >;
  try {
    for (let i = -5; i < samples; i++) {
      for (const key of Object.keys(rows) as Key[]) {
        const start = performance.now();
        await rows[key].timed();
        if (i >= 0) times[key].push(performance.now() - start);
      }
    }
  } finally {
    agent.destroy();
  }
  const floor = percentile(times.getItem, 50);
  const row = (key: Key): CheckLatencyRow => ({
    label: rows[key].label,
    p50ms: round(percentile(times[key], 50), 2),
    p99ms: round(percentile(times[key], 99), 2),
    xGetItemP50: round(percentile(times[key], 50) / floor, 2),
  });
  return {
    samples,
    getItem: row('getItem'),
    noRead: row('noRead'),
    one: row('one'),
    hundred: row('hundred'),
    oneFetch: row('oneFetch'),
  };
}

/** The table of {@link benchCheckLatency}. */
export function formatCheckLatency(r: CheckLatencyResult): string[] {
  const rows = [r.getItem, r.noRead, r.one, r.hundred, r.oneFetch];
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
