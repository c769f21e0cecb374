/** Invite benchmark: one bulk invite of 100 addresses, timed, with its DynamoDB requests counted. */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { authorizerDeps } from '#shared/app/authorizer-deps.js';
import { appDeps } from '#shared/app/deps.js';
import { createStoreDeps } from '#shared/app/store-deps.js';
import { createInvites } from '#shared/invites/invite-service.js';
import { findRoute } from '#shared/routes/route-table.js';
import { projectRoot } from '../local/function-modules.js';
import { type BenchStack, countRequests } from './stack.js';
import { round } from './stats.js';

/** One size of bulk invite: the median call of `runs`, with its DynamoDB requests. */
export interface InviteSizeResult {
  count: number;
  runs: number;
  /** Median milliseconds of one `createInvites` call of `count` new addresses. */
  ms: number;
  /** DynamoDB requests of one call (the same in every run). */
  dynamoRequests: number;
  byCommand: Record<string, number>;
}

export interface InvitesBenchResult {
  /** Addresses in the one call. */
  count: number;
  /** The domain call (`createInvites`), milliseconds (median of the 100-address runs). */
  ms: number;
  /** DynamoDB requests of that call. */
  dynamoRequests: number;
  /** The same requests per SDK command. */
  byCommand: Record<string, number>;
  /** Per-address outcomes (all should be `invited`). */
  statuses: Record<string, number>;
  /** 1, 10 and 100 new addresses per call, each timed over several calls. */
  sizes: InviteSizeResult[];
  /** The same call over HTTP through the local API (authorizer + handler), when the handler exists. */
  http: { ms: number; status: number; dynamoRequests: number } | null;
}

const ROUTE_KEY = 'POST /v1/tenants/{tenantId}/invites';
const COUNT = 100;
/** Bulk sizes measured, and how many calls of each (the median is kept). */
const SIZES = [
  { count: 1, runs: 7 },
  { count: 10, runs: 5 },
  { count: COUNT, runs: 3 },
];

function addresses(batch: string, count = COUNT): string[] {
  return Array.from({ length: count }, (_, i) => `invitee-${batch}-${i}@bench.gatehouse.local`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** The result as printed lines (one per size, then HTTP). */
export function formatInvites(result: InvitesBenchResult): string[] {
  const byCommand = (b: Record<string, number>) =>
    Object.entries(b)
      .map(([k, v]) => `${v} ${k.replace(/Command$/, '')}`)
      .join(', ');
  return [
    ...result.sizes.map(
      (s) =>
        `Invites: ${s.count} addresses in one call: ${s.ms.toFixed(1)} ms (median of ${s.runs}), ` +
        `${s.dynamoRequests} DynamoDB requests (${byCommand(s.byCommand)})`,
    ),
    result.http
      ? `Invites over HTTP (authorizer + handler), ${result.count} addresses: ${result.http.ms.toFixed(1)} ms, ` +
        `status ${result.http.status}, ${result.http.dynamoRequests} DynamoDB requests`
      : 'Invites over HTTP: not measured',
  ];
}

/**
 * Invites 1, 10 and 100 new addresses per `createInvites` call with a counting client, and (when the
 * invites function is there) 100 more through the local API. Null when invites do not exist yet.
 */
export async function benchInvites(stack: BenchStack): Promise<InvitesBenchResult | null> {
  if (!findRoute(ROUTE_KEY)) return null;
  const { info } = stack;
  const tenantId = info.bootstrap.tenantId;
  const token = await stack.signIn(info.bootstrap.email, info.bootstrap.password);
  const sub = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')).sub;
  const { db, counter } = stack.countingClient();
  const deps = createStoreDeps(db, info.dynamodb.tableName);
  const caller = { userId: String(sub), email: info.bootstrap.email };

  // One small call first so the timed one does not pay for the client's first connection.
  await createInvites(deps, caller, tenantId, { emails: ['warmup@bench.gatehouse.local'] });
  const sizes: InviteSizeResult[] = [];
  let statuses: Record<string, number> = {};
  for (const { count, runs } of SIZES) {
    const times: number[] = [];
    let requests = { total: 0, byCommand: {} as Record<string, number> };
    for (let run = 0; run < runs; run++) {
      counter.reset();
      const t0 = performance.now();
      const { results } = await createInvites(deps, caller, tenantId, {
        emails: addresses(`direct${count}r${run}`, count),
      });
      times.push(performance.now() - t0);
      requests = { total: counter.total, byCommand: { ...counter.byCommand } };
      statuses = {};
      for (const r of results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      if (statuses.invited !== count) {
        throw new Error(`bulk invite did not invite every address: ${JSON.stringify(statuses)}`);
      }
    }
    sizes.push({
      count,
      runs,
      ms: round(median(times), 1),
      dynamoRequests: requests.total,
      byCommand: requests.byCommand,
    });
  }
  const hundred = sizes[sizes.length - 1] as InviteSizeResult;

  let http: InvitesBenchResult['http'] = null;
  if (existsSync(join(projectRoot, 'functions', 'invites', 'handler.ts'))) {
    const post = async (emails: string[]) => {
      const res = await fetch(`${info.apiUrl}/v1/tenants/${tenantId}/invites`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ emails }),
      });
      await res.arrayBuffer();
      return res;
    };
    // The first call loads the handler and the authorizer (their cold start is benched apart).
    await post(['warmup-http@bench.gatehouse.local']);
    // The local API runs in this process: its handlers and authorizer share appDeps()'s client.
    const served = countRequests(appDeps().db, authorizerDeps().transport);
    served.reset();
    const t1 = performance.now();
    const res = await post(addresses('http'));
    http = {
      ms: round(performance.now() - t1, 1),
      status: res.status,
      dynamoRequests: served.total,
    };
  }

  return {
    count: COUNT,
    ms: hundred.ms,
    dynamoRequests: hundred.dynamoRequests,
    byCommand: hundred.byCommand,
    statuses,
    sizes,
    http,
  };
}
