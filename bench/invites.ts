/** Invite benchmark: one bulk invite of 100 addresses, timed, with its DynamoDB requests counted. */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { appDeps } from '#shared/app/deps.js';
import { createStoreDeps } from '#shared/app/store-deps.js';
import { createInvites } from '#shared/invites/invite-service.js';
import { findRoute } from '#shared/routes/route-table.js';
import { projectRoot } from '../local/function-modules.js';
import { type BenchStack, countRequests } from './stack.js';
import { round } from './stats.js';

export interface InvitesBenchResult {
  /** Addresses in the one call. */
  count: number;
  /** The domain call (`createInvites`), milliseconds. */
  ms: number;
  /** DynamoDB requests of that call. */
  dynamoRequests: number;
  /** The same requests per SDK command. */
  byCommand: Record<string, number>;
  /** Per-address outcomes (all should be `invited`). */
  statuses: Record<string, number>;
  /** The same call over HTTP through the local API (authorizer + handler), when the handler exists. */
  http: { ms: number; status: number; dynamoRequests: number } | null;
}

const ROUTE_KEY = 'POST /v1/tenants/{tenantId}/invites';
const COUNT = 100;

function addresses(batch: string): string[] {
  return Array.from({ length: COUNT }, (_, i) => `invitee-${batch}-${i}@bench.gatehouse.local`);
}

/**
 * Invites 100 new addresses in one `createInvites` call with a counting client, and (when the
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
  counter.reset();
  const t0 = performance.now();
  const { results } = await createInvites(deps, caller, tenantId, { emails: addresses('direct') });
  const ms = performance.now() - t0;
  const statuses: Record<string, number> = {};
  for (const r of results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  if (statuses.invited !== COUNT) {
    throw new Error(`bulk invite did not invite every address: ${JSON.stringify(statuses)}`);
  }

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
    const served = countRequests(appDeps().db);
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
    ms: round(ms, 1),
    dynamoRequests: counter.total,
    byCommand: { ...counter.byCommand },
    statuses,
    http,
  };
}
