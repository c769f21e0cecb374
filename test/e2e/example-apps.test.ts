/**
 * The example protected service behind the external-mode authorizer: a route needs every
 * permission it lists (DC/OS: the Admin Router one and the Marathon one), 401 without a valid
 * token, 403 without the permissions, and the integration receives the caller: tenant, principal
 * id and kind, email and the route's permissions as bound.
 */
import { describe, expect, it } from 'vitest';
import { grantMemberRule, revokeMemberRule } from '#shared/members/member-service.js';
import { domainDeps } from '../support/domain-deps.js';
import { addUser, api, createTenantWithOwner } from '../support/stack-client.js';

const deps = domainDeps();
const apps = (t: string) => `/example/t/${t}/marathon/v2/apps`;
/** The same service served as a REST API, stage `rest` (local/example-apis.ts). */
const restApps = (t: string) => `/rest${apps(t)}`;

async function tenantWithMember() {
  const { tenantId, owner } = await createTenantWithOwner();
  const user = await addUser(tenantId, owner.accessToken);
  return { tenantId, owner, user, ownerCaller: { userId: owner.userId, email: owner.email } };
}

/** What the backend receives when the owner creates production/frontend/webserver (both forms). */
function ownerCreatingWebserver(tenantId: string, owner: { userId: string; email: string }) {
  return {
    tenantId,
    principalId: owner.userId,
    principalKind: 'user',
    email: owner.email,
    permissions: [
      { resource: 'dcos:adminrouter:service:marathon', action: 'full' },
      {
        resource: 'dcos:service:marathon:marathon:services/production/frontend/webserver',
        action: 'create',
      },
    ],
  };
}

describe('example apps service', () => {
  it('answers 401 without a token and 403 to a member without permissions', async () => {
    const { tenantId, user } = await tenantWithMember();
    expect((await api('GET', apps(tenantId))).status).toBe(401);
    expect((await api('GET', `${apps(tenantId)}/web`, { token: user.accessToken })).status).toBe(
      403,
    );
  });

  it('lets a superuser create an app and passes the caller to the integration', async () => {
    const { tenantId, owner } = await tenantWithMember();
    const res = await api('PUT', `${apps(tenantId)}/production/frontend/webserver`, {
      token: owner.accessToken,
    });
    expect(res.status).toBe(201);
    // Only the backend's keys: no decision, reason, policy version or token id.
    expect(res.body.caller).toEqual(ownerCreatingWebserver(tenantId, owner));
  });

  it('needs both the Admin Router and the Marathon permission', async () => {
    const { tenantId, user, ownerCaller } = await tenantWithMember();
    const path = `${apps(tenantId)}/production/frontend/webserver`;
    await grantMemberRule(deps, ownerCaller, tenantId, user.userId, {
      resource: 'dcos:service:marathon:marathon:services/production',
      action: 'create',
    });
    expect((await api('PUT', path, { token: user.accessToken })).status).toBe(403);
    await grantMemberRule(deps, ownerCaller, tenantId, user.userId, {
      resource: 'dcos:adminrouter:service:marathon',
      action: 'full',
    });
    expect((await api('PUT', path, { token: user.accessToken })).status).toBe(201);
    // create on /production does not reach a sibling that merely shares the prefix
    expect(
      (await api('PUT', `${apps(tenantId)}/production-eu/web`, { token: user.accessToken })).status,
    ).toBe(403);
    // and create does not imply read
    expect((await api('GET', path, { token: user.accessToken })).status).toBe(403);
  });

  it('stops a revoked permission on the next request', async () => {
    const { tenantId, user, ownerCaller } = await tenantWithMember();
    const rules = [
      { resource: 'dcos:adminrouter:service:marathon', action: 'full' as const },
      { resource: 'dcos:service:marathon:marathon', action: 'full' as const },
    ];
    for (const r of rules) await grantMemberRule(deps, ownerCaller, tenantId, user.userId, r);
    expect((await api('GET', apps(tenantId), { token: user.accessToken })).status).toBe(200);
    await revokeMemberRule(
      deps,
      ownerCaller,
      tenantId,
      user.userId,
      rules[1] as (typeof rules)[number],
    );
    expect((await api('GET', apps(tenantId), { token: user.accessToken })).status).toBe(403);
  });

  it('does not let a member of another tenant in', async () => {
    const { tenantId } = await tenantWithMember();
    const other = await createTenantWithOwner();
    expect((await api('GET', apps(tenantId), { token: other.owner.accessToken })).status).toBe(403);
  });

  it('answers as a REST API too: 401, an explicit deny 403, and the caller on an allow', async () => {
    const { tenantId, owner, user } = await tenantWithMember();
    const none = await api('GET', restApps(tenantId));
    expect(none).toMatchObject({ status: 401, body: { message: 'Unauthorized' } });
    const denied = await api('GET', `${restApps(tenantId)}/web`, { token: user.accessToken });
    expect(denied).toMatchObject({
      status: 403,
      body: { message: 'User is not authorized to access this resource with an explicit deny' },
    });
    const path = `${restApps(tenantId)}/production/frontend/webserver`;
    const created = await api('PUT', path, { token: owner.accessToken });
    expect(created.status).toBe(201);
    // The same caller as the HTTP form hands over.
    expect(created.body.caller).toEqual(ownerCreatingWebserver(tenantId, owner));
    // One service behind both forms: the app created through REST is there over HTTP.
    const read = await api('GET', `${apps(tenantId)}/production/frontend/webserver`, {
      token: owner.accessToken,
    });
    expect(read.body.app).toMatchObject({ id: '/production/frontend/webserver' });
  });
});
