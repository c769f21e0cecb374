/**
 * DynamoDB requests per API operation: a scripted session through the local API (authorizer
 * and handler in this process, sharing appDeps()'s client), each call counted on its own. This
 * is the measured half of the access-pattern table in docs/data-model.md.
 */

import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { appDeps } from '#shared/app/deps.js';
import { identityFromEnv } from '#shared/app/identity-deps.js';
import { keys } from '#shared/store/keys.js';
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
  const counter = countRequests(appDeps().db);
  const rows: OperationCount[] = [];
  const run = `${Date.now().toString(36)}`;
  const warm = () => call('GET', `/v1/tenants/${t}`, admin);

  async function call(method: string, path: string, token: string | undefined, body?: Body) {
    const res = await fetch(`${info.apiUrl}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        'content-type': 'application/json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  /**
   * One counted call. A warm-up request first lets the authorizer's policy cache catch up with
   * the previous step, so each row shows the steady state of its own operation.
   */
  async function op(route: string, label: string, path: string, token?: string, body?: Body) {
    await warm();
    const method = route.split(' ')[0] ?? 'GET';
    counter.reset();
    const res = await call(method, path, token, body);
    rows.push({
      route,
      label,
      status: res.status,
      dynamoRequests: counter.total,
      byCommand: { ...counter.byCommand },
    });
    if (res.status >= 400) {
      throw new Error(`${label}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    }
    // biome-ignore lint/suspicious/noExplicitAny: the script reads a few fields of each response
    return res.body as any;
  }

  const T = `/v1/tenants/${t}`;
  const email = `ops-${run}@bench.gatehouse.local`;
  const groupId = `g-${run}`;
  const roleId = `r-${run}`;
  const saId = `sa-${run}`;
  const rid = encodeURIComponent(`app:service:${run}`);

  await op('POST /v1/tenants', 'create a tenant', '/v1/tenants', admin, {
    tenantId: `bench-${run}`,
    name: 'Bench',
  });
  await op('GET /v1/tenants/{tenantId}', 'read the tenant', T, admin);
  await op('PATCH /v1/tenants/{tenantId}', 'change a setting', T, admin, {
    settings: { inviteTtlHours: 48 },
  });
  await op('GET /v1/me', 'the caller and their tenants', '/v1/me', admin);
  const member = await op(
    'POST /v1/tenants/{tenantId}/members',
    'add a member',
    `${T}/members`,
    admin,
    {
      email,
    },
  );
  // The person accepts (setup, not counted): from here on the member is active, not pending.
  await identityFromEnv().ensureUser(email, `Bench-${run}-Ops-Aa9!`);
  member.userId = await stack.acceptAs(email, `Bench-${run}-Ops-Aa9!`, member.inviteId);
  const M = `${T}/members/${member.userId}`;
  await op('GET /v1/tenants/{tenantId}/members', 'list members (25)', `${T}/members`, admin);
  await op(
    'GET /v1/tenants/{tenantId}/members',
    'find members by email prefix',
    `${T}/members?email=ops-`,
    admin,
  );
  await op('GET /v1/tenants/{tenantId}/members/{userId}', 'read a member', M, admin);
  await op(
    'PUT /v1/tenants/{tenantId}/members/{userId}/roles/{roleId}',
    'bind a role',
    `${M}/roles/admin`,
    admin,
    {},
  );
  await op(
    'DELETE /v1/tenants/{tenantId}/members/{userId}/roles/{roleId}',
    'unbind a role',
    `${M}/roles/admin`,
    admin,
  );
  await op(
    'GET /v1/tenants/{tenantId}/members/{userId}/permissions',
    'effective permissions',
    `${M}/permissions`,
    admin,
  );
  await op('PATCH /v1/tenants/{tenantId}/members/{userId}', 'disable a member', M, admin, {
    status: 'disabled',
  });
  await op('PATCH /v1/tenants/{tenantId}/members/{userId}', 'enable a member', M, admin, {
    status: 'active',
  });
  await op(
    'POST /v1/tenants/{tenantId}/members/{userId}/logout',
    'force a logout',
    `${M}/logout`,
    admin,
  );
  await op(
    'POST /v1/tenants/{tenantId}/logout/{identifier}',
    'force a logout by email',
    `${T}/logout/${email}`,
    admin,
  );

  await op('POST /v1/tenants/{tenantId}/groups', 'create a group', `${T}/groups`, admin, {
    groupId,
    name: 'Bench',
  });
  await op(
    'PUT /v1/tenants/{tenantId}/groups/{groupId}/members/{userId}',
    'add to a group',
    `${T}/groups/${groupId}/members/${member.userId}`,
    admin,
  );
  await op('POST /v1/tenants/{tenantId}/roles', 'create a role', `${T}/roles`, admin, {
    roleId,
    name: 'Bench',
    permissions: [{ resource: `app:service:${run}`, action: 'read' }],
  });
  await op(
    'PUT /v1/tenants/{tenantId}/groups/{groupId}/roles/{roleId}',
    'bind a role to a group',
    `${T}/groups/${groupId}/roles/${roleId}`,
    admin,
    {},
  );
  await op(
    'PUT /v1/tenants/{tenantId}/roles/{roleId}',
    'edit a role',
    `${T}/roles/${roleId}`,
    admin,
    {
      name: 'Bench',
      permissions: [{ resource: `app:service:${run}`, action: 'full' }],
    },
  );
  await op(
    'PUT /v1/tenants/{tenantId}/acls/{rid}/users/{userId}/{action}',
    'grant a rule to a user',
    `${T}/acls/${rid}/users/${member.userId}/create`,
    admin,
  );
  await op(
    'PUT /v1/tenants/{tenantId}/acls/{rid}/groups/{groupId}/{action}',
    'grant a rule to a group',
    `${T}/acls/${rid}/groups/${groupId}/delete`,
    admin,
  );
  await op(
    'GET /v1/tenants/{tenantId}/acls',
    'list rules on a resource',
    `${T}/acls?resource=${rid}`,
    admin,
  );
  await op('POST /v1/tenants/{tenantId}/check', 'check one permission', `${T}/check`, admin, {
    userId: member.userId,
    resource: `app:service:${run}/web`,
    action: 'read',
  });
  await op('POST /v1/tenants/{tenantId}/check', 'check 100 permissions', `${T}/check`, admin, {
    checks: Array.from({ length: 100 }, (_, i) => ({
      userId: member.userId,
      resource: `app:service:${run}/svc-${i}`,
      action: i % 2 ? 'read' : 'update',
    })),
  });
  await op(
    'DELETE /v1/tenants/{tenantId}/acls/{rid}/users/{userId}/{action}',
    'revoke a rule',
    `${T}/acls/${rid}/users/${member.userId}/create`,
    admin,
  );
  await op(
    'DELETE /v1/tenants/{tenantId}/groups/{groupId}/members/{userId}',
    'remove from a group',
    `${T}/groups/${groupId}/members/${member.userId}`,
    admin,
  );
  await op(
    'DELETE /v1/tenants/{tenantId}/groups/{groupId}',
    'delete a group',
    `${T}/groups/${groupId}`,
    admin,
  );
  await op(
    'DELETE /v1/tenants/{tenantId}/roles/{roleId}',
    'delete a role',
    `${T}/roles/${roleId}`,
    admin,
  );

  const invitee = `invitee-${run}@bench.gatehouse.local`;
  const invited = await op(
    'POST /v1/tenants/{tenantId}/invites',
    'invite one address',
    `${T}/invites`,
    admin,
    {
      emails: [invitee],
    },
  );
  const inviteId = invited.results[0].inviteId;
  await op(
    'GET /v1/tenants/{tenantId}/invites',
    'list pending invites',
    `${T}/invites?status=pending`,
    admin,
  );
  await op(
    'GET /v1/tenants/{tenantId}/invites/{inviteId}',
    'read an invite',
    `${T}/invites/${inviteId}`,
    admin,
  );
  await op(
    'POST /v1/tenants/{tenantId}/invites/{inviteId}/resend',
    'resend an invite',
    `${T}/invites/${inviteId}/resend`,
    admin,
  );
  const token = await acceptToken(stack, inviteId);
  await op('POST /v1/invites/lookup', 'look up an invite token', '/v1/invites/lookup', undefined, {
    token,
  });
  await op(
    'POST /v1/invites/accept',
    'accept with a new password',
    '/v1/invites/accept',
    undefined,
    {
      token,
      password: `Bench-${run}-Pw1!`,
    },
  );
  const revokable = await op(
    'POST /v1/tenants/{tenantId}/invites',
    'invite another',
    `${T}/invites`,
    admin,
    {
      emails: [`revoked-${run}@bench.gatehouse.local`],
    },
  );
  await op(
    'DELETE /v1/tenants/{tenantId}/invites/{inviteId}',
    'revoke an invite',
    `${T}/invites/${revokable.results[0].inviteId}`,
    admin,
  );

  const SA = `${T}/service-accounts/${saId}`;
  await op(
    'POST /v1/tenants/{tenantId}/service-accounts',
    'create a service account',
    `${T}/service-accounts`,
    admin,
    { serviceAccountId: saId, name: 'Bench' },
  );
  await op(
    'PUT /v1/tenants/{tenantId}/acls/{rid}/service-accounts/{serviceAccountId}/{action}',
    'grant it the check API',
    `${T}/acls/${encodeURIComponent('gatehouse:acls')}/service-accounts/${saId}/read`,
    admin,
  );
  const minted = await op(
    'POST /v1/tenants/{tenantId}/service-accounts/{serviceAccountId}/tokens',
    'mint an API token',
    `${SA}/tokens`,
    admin,
    { name: 'bench' },
  );
  await op(
    'POST /v1/tenants/{tenantId}/check',
    'check one, with the API token',
    `${T}/check`,
    minted.token,
    {
      userId: member.userId,
      resource: `app:service:${run}`,
      action: 'read',
    },
  );
  await op(
    'DELETE /v1/tenants/{tenantId}/service-accounts/{serviceAccountId}',
    'delete the service account',
    SA,
    admin,
  );
  const adminId = (await call('GET', '/v1/me', admin)).body.userId;
  const personal = await op(
    'POST /v1/tenants/{tenantId}/members/{userId}/tokens',
    'mint a personal token',
    `${T}/members/${adminId}/tokens`,
    admin,
    { name: 'bench' },
  );
  await op(
    'GET /v1/tenants/{tenantId}',
    'read the tenant, with the personal token',
    T,
    personal.token,
  );
  await op('GET /v1/tenants/{tenantId}/audit', 'read the audit log (25)', `${T}/audit`, admin);
  await op('DELETE /v1/tenants/{tenantId}/members/{userId}', 'delete a member', M, admin);
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
