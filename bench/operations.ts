/**
 * DynamoDB requests per API operation: a scripted session through the local API (authorizer
 * and handler in this process, sharing appDeps()'s client), each call counted on its own. This
 * is the measured half of the access-pattern table in docs/data-model.md.
 */

import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { authorizerDeps } from '#shared/app/authorizer-deps.js';
import { appDeps } from '#shared/app/deps.js';
import { identityFromEnv } from '#shared/app/identity-deps.js';
import { keys } from '#shared/store/keys.js';
import { callApi } from './harness.js';
import type { BenchStack } from './stack.js';
import { countRequests } from './stack.js';

export interface OperationCount {
  /** `METHOD /path` as the route table names it. */
  route: string;
  /** What the call did in this script. */
  label: string;
  status: number;
  /** DynamoDB requests of the call: the authorizer's read(s) plus the handler's. */
  dynamoRequests: number;
  byCommand: Record<string, number>;
}

type Body = Record<string, unknown> | undefined;

/** Runs the script and returns one row per call, in order. */
export async function benchOperations(stack: BenchStack): Promise<OperationCount[]> {
  const { info } = stack;
  const t = info.bootstrap.tenantId;
  const admin = await stack.signIn(info.bootstrap.email, info.bootstrap.password);
  const counter = countRequests(appDeps().db, authorizerDeps().transport);
  const rows: OperationCount[] = [];
  const run = `${Date.now().toString(36)}`;
  const warm = () => callApi(info, 'GET', `/v1/tenants/${t}`, admin);
  /** Path parameters by name, filled in as the script makes the things they name. */
  const params: Record<string, string> = { tenantId: t };
  const pathOf = (route: string) =>
    (route.split(' ')[1] ?? '').replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = params[name];
      if (value === undefined) throw new Error(`${route}: no value for {${name}}`);
      return value;
    });

  /**
   * One counted call of `route`, by default as the admin on the route's own path with its
   * parameters filled from `params`. A warm-up request first lets the authorizer's policy cache
   * catch up with the previous step, so each row shows the steady state of its own operation.
   */
  async function op(
    route: string,
    label: string,
    how: { path?: string; token?: string | null; body?: Body } = {},
  ) {
    await warm();
    const method = route.split(' ')[0] ?? 'GET';
    const token = how.token === null ? undefined : (how.token ?? admin);
    counter.reset();
    const res = await callApi(info, method, how.path ?? pathOf(route), token, how.body);
    rows.push({
      route,
      label,
      status: res.status,
      dynamoRequests: counter.total,
      byCommand: { ...counter.byCommand },
    });
    if (res.status >= 400) throw new Error(`${label}: ${res.status} ${res.text.slice(0, 300)}`);
    return res.json;
  }

  /** Mints a token named `bench` under `owner` (a path below the tenant); returns the secret. */
  const mint = async (owner: string, label: string) =>
    String(
      (await op(`POST /v1/tenants/{tenantId}/${owner}/tokens`, label, { body: { name: 'bench' } }))
        .token,
    );

  const T = `/v1/tenants/${t}`;
  const email = `ops-${run}@bench.gatehouse.local`;
  Object.assign(params, {
    identifier: email,
    groupId: `g-${run}`,
    roleId: `r-${run}`,
    serviceAccountId: `sa-${run}`,
    rid: encodeURIComponent(`app:service:${run}`),
  });
  const { rid } = params;

  await op('POST /v1/tenants', 'create a tenant', {
    body: { tenantId: `bench-${run}`, name: 'Bench' },
  });
  await op('GET /v1/tenants/{tenantId}', 'read the tenant');
  await op('PATCH /v1/tenants/{tenantId}', 'change a setting', {
    body: { settings: { inviteTtlHours: 48 } },
  });
  await op('GET /v1/me', 'the caller and their tenants');
  const member = await op('POST /v1/tenants/{tenantId}/members', 'add a member', {
    body: { email },
  });
  // The person accepts (setup, not counted): from here on the member is active, not pending.
  await identityFromEnv().ensureUser(email, `Bench-${run}-Ops-Aa9!`);
  member.userId = await stack.acceptAs(email, `Bench-${run}-Ops-Aa9!`, member.inviteId);
  params.userId = member.userId;
  const M = `${T}/members/${member.userId}`;
  await op('GET /v1/tenants/{tenantId}/members', 'list members (25)');
  await op('GET /v1/tenants/{tenantId}/members', 'find members by email prefix', {
    path: `${T}/members?email=ops-`,
  });
  await op('GET /v1/tenants/{tenantId}/members/{userId}', 'read a member');
  await op('PUT /v1/tenants/{tenantId}/members/{userId}/roles/{roleId}', 'bind a role', {
    path: `${M}/roles/admin`,
    body: {},
  });
  await op('DELETE /v1/tenants/{tenantId}/members/{userId}/roles/{roleId}', 'unbind a role', {
    path: `${M}/roles/admin`,
  });
  await op('GET /v1/tenants/{tenantId}/members/{userId}/permissions', 'effective permissions');
  for (const status of ['disabled', 'active']) {
    const label = status === 'active' ? 'enable a member' : 'disable a member';
    await op('PATCH /v1/tenants/{tenantId}/members/{userId}', label, { body: { status } });
  }
  await op('POST /v1/tenants/{tenantId}/members/{userId}/logout', 'force a logout');
  await op('POST /v1/tenants/{tenantId}/logout/{identifier}', 'force a logout by email');

  await op('POST /v1/tenants/{tenantId}/groups', 'create a group', {
    body: { groupId: params.groupId, name: 'Bench' },
  });
  await op('PUT /v1/tenants/{tenantId}/groups/{groupId}/members/{userId}', 'add to a group');
  await op('POST /v1/tenants/{tenantId}/roles', 'create a role', {
    body: {
      roleId: params.roleId,
      name: 'Bench',
      permissions: [{ resource: `app:service:${run}`, action: 'read' }],
    },
  });
  await op('PUT /v1/tenants/{tenantId}/groups/{groupId}/roles/{roleId}', 'bind a role to a group', {
    body: {},
  });
  await op('PUT /v1/tenants/{tenantId}/roles/{roleId}', 'edit a role', {
    body: { name: 'Bench', permissions: [{ resource: `app:service:${run}`, action: 'full' }] },
  });
  params.action = 'create';
  await op(
    'PUT /v1/tenants/{tenantId}/acls/{rid}/users/{userId}/{action}',
    'grant a rule to a user',
  );
  params.action = 'delete';
  await op(
    'PUT /v1/tenants/{tenantId}/acls/{rid}/groups/{groupId}/{action}',
    'grant a rule to a group',
  );
  await op('GET /v1/tenants/{tenantId}/acls', 'list rules on a resource', {
    path: `${T}/acls?resource=${rid}`,
  });
  await op('POST /v1/tenants/{tenantId}/check', 'check one permission', {
    body: { userId: member.userId, resource: `app:service:${run}/web`, action: 'read' },
  });
  await op('POST /v1/tenants/{tenantId}/check', 'check 100 permissions', {
    body: {
      checks: Array.from({ length: 100 }, (_, i) => ({
        userId: member.userId,
        resource: `app:service:${run}/svc-${i}`,
        action: i % 2 ? 'read' : 'update',
      })),
    },
  });
  params.action = 'create';
  await op('DELETE /v1/tenants/{tenantId}/acls/{rid}/users/{userId}/{action}', 'revoke a rule');
  await op(
    'DELETE /v1/tenants/{tenantId}/groups/{groupId}/members/{userId}',
    'remove from a group',
  );
  await op('DELETE /v1/tenants/{tenantId}/groups/{groupId}', 'delete a group');
  await op('DELETE /v1/tenants/{tenantId}/roles/{roleId}', 'delete a role');

  const invitee = `invitee-${run}@bench.gatehouse.local`;
  const invited = await op('POST /v1/tenants/{tenantId}/invites', 'invite one address', {
    body: { emails: [invitee] },
  });
  const inviteId = String(invited.results[0].inviteId);
  params.inviteId = inviteId;
  await op('GET /v1/tenants/{tenantId}/invites', 'list pending invites', {
    path: `${T}/invites?status=pending`,
  });
  await op('GET /v1/tenants/{tenantId}/invites/{inviteId}', 'read an invite');
  await op('POST /v1/tenants/{tenantId}/invites/{inviteId}/resend', 'resend an invite');
  const token = await acceptToken(stack, inviteId);
  await op('POST /v1/invites/lookup', 'look up an invite token', { token: null, body: { token } });
  await op('POST /v1/invites/accept', 'accept with a new password', {
    token: null,
    body: { token, password: `Bench-${run}-Pw1!` },
  });
  const revokable = await op('POST /v1/tenants/{tenantId}/invites', 'invite another', {
    body: { emails: [`revoked-${run}@bench.gatehouse.local`] },
  });
  params.inviteId = revokable.results[0].inviteId;
  await op('DELETE /v1/tenants/{tenantId}/invites/{inviteId}', 'revoke an invite');

  await op('POST /v1/tenants/{tenantId}/service-accounts', 'create a service account', {
    body: { serviceAccountId: params.serviceAccountId, name: 'Bench' },
  });
  params.rid = encodeURIComponent('gatehouse:acls');
  params.action = 'read';
  await op(
    'PUT /v1/tenants/{tenantId}/acls/{rid}/service-accounts/{serviceAccountId}/{action}',
    'grant it the check API',
  );
  const apiToken = await mint('service-accounts/{serviceAccountId}', 'mint an API token');
  await op('POST /v1/tenants/{tenantId}/check', 'check one, with the API token', {
    token: apiToken,
    body: { userId: member.userId, resource: `app:service:${run}`, action: 'read' },
  });
  await op(
    'DELETE /v1/tenants/{tenantId}/service-accounts/{serviceAccountId}',
    'delete the service account',
  );
  params.userId = (await callApi(info, 'GET', '/v1/me', admin)).json.userId;
  const personalToken = await mint('members/{userId}', 'mint a personal token');
  await op('GET /v1/tenants/{tenantId}', 'read the tenant, with the personal token', {
    token: personalToken,
  });
  await op('GET /v1/tenants/{tenantId}/audit', 'read the audit log (25)');
  await op('DELETE /v1/tenants/{tenantId}/members/{userId}', 'delete a member', { path: M });
  return rows;
}

/**
 * The raw token of an invite's pending mail. The bench stack runs no mailer, so the outbox item
 * (which holds the token until the mail is sent) is still there to read.
 */
async function acceptToken(stack: BenchStack, inviteId: string): Promise<string> {
  const { db } = stack.countingClient();
  const res = await db.send(
    new GetCommand({
      TableName: stack.info.dynamodb.tableName,
      Key: keys.inviteOutbox(inviteId),
      ConsistentRead: true,
    }),
  );
  const token = res.Item?.token;
  if (typeof token !== 'string') throw new Error(`no pending mail for invite ${inviteId}`);
  return token;
}
