/**
 * Service accounts and API tokens over HTTP: tokens shown once and stored hashed, revocation,
 * expiry, deactivation and deletion on the next request, tenant isolation, the grant guard,
 * and a service account reaching the example apps service through the external authorizer.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { hashSecret } from '#shared/platform/secret-tokens.js';
import {
  api,
  createTenantWithOwner,
  createUser,
  ddb,
  join,
  stack,
  uniqueEmail,
  uniqueId,
} from '../support/stack-client.js';
import { tenantItems } from '../support/table-snapshot.js';
import { addRole } from '../support/tenant-setup.js';

const table = stack.dynamodb.tableName;
const apps = (t: string) => `/example/t/${t}/marathon/v2/apps`;
const rid = (r: string) => encodeURIComponent(r);

async function tenantWithAccount() {
  const { tenantId, owner } = await createTenantWithOwner();
  const serviceAccountId = uniqueId('sa');
  const created = await api('POST', `/v1/tenants/${tenantId}/service-accounts`, {
    token: owner.accessToken,
    body: { serviceAccountId, name: 'CI deployer', description: 'deploys apps' },
  });
  expect(created.status).toBe(201);
  const base = `/v1/tenants/${tenantId}/service-accounts/${serviceAccountId}`;
  return { tenantId, owner, serviceAccountId, base };
}

async function mintToken(base: string, ownerToken: string, body: unknown = { name: 'ci' }) {
  const res = await api('POST', `${base}/tokens`, { token: ownerToken, body });
  expect(res.status).toBe(201);
  return res.body as {
    tokenId: string;
    name: string;
    token: string;
    createdAt: string;
    expiresAt: string;
  };
}

async function grant(tenantId: string, ownerToken: string, id: string, r: string, action: string) {
  const res = await api(
    'PUT',
    `/v1/tenants/${tenantId}/acls/${rid(r)}/service-accounts/${id}/${action}`,
    { token: ownerToken },
  );
  expect(res.status).toBe(204);
}

/** Lets the account read the tenant (a cheap tenant route to probe a token with). */
async function canReadTenant(tenantId: string, ownerToken: string, id: string) {
  await grant(tenantId, ownerToken, id, 'gatehouse:tenant', 'read');
}

const probe = (tenantId: string, token: string) => api('GET', `/v1/tenants/${tenantId}`, { token });

describe('service accounts', () => {
  it('creates, lists, reads and renames a service account, and refuses a duplicate id', async () => {
    const { tenantId, owner, serviceAccountId, base } = await tenantWithAccount();
    const listed = await api('GET', `/v1/tenants/${tenantId}/service-accounts`, {
      token: owner.accessToken,
    });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((i: { serviceAccountId: string }) => i.serviceAccountId)).toEqual([
      serviceAccountId,
    ]);
    const patched = await api('PATCH', base, {
      token: owner.accessToken,
      body: { name: 'Deployer' },
    });
    expect(patched.status).toBe(200);
    expect((await api('GET', base, { token: owner.accessToken })).body).toMatchObject({
      serviceAccountId,
      name: 'Deployer',
      description: 'deploys apps',
      status: 'active',
    });
    const dup = await api('POST', `/v1/tenants/${tenantId}/service-accounts`, {
      token: owner.accessToken,
      body: { serviceAccountId, name: 'again' },
    });
    expect(dup.status).toBe(409);
    const bad = await api('POST', `/v1/tenants/${tenantId}/service-accounts`, {
      token: owner.accessToken,
      body: { serviceAccountId: 'Bad Id', name: 'x', superuser: true },
    });
    expect(bad.status).toBe(400);
  });

  it('shows the token once and never again, and stores no secret', async () => {
    const { tenantId, owner, serviceAccountId, base } = await tenantWithAccount();
    const created = await mintToken(base, owner.accessToken, { name: 'ci', expiresInDays: 30 });
    expect(created.token).toMatch(/^ghs_/);
    expect(
      created.token.startsWith(`ghs_${serviceAccountId}.${created.tokenId}.${owner.userId}_`),
    ).toBe(true);
    // The secret is the 43 base64url characters after `ghs_<account>.<tokenId>_` (it may hold `_`).
    const secret = created.token.slice(-43);
    expect(Buffer.from(secret, 'base64url').length).toBeGreaterThanOrEqual(32);
    const days = (Date.parse(created.expiresAt) - Date.parse(created.createdAt)) / 86_400_000;
    expect(days).toBeCloseTo(30, 5);

    const listed = await api('GET', `${base}/tokens`, { token: owner.accessToken });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([
      {
        tokenId: created.tokenId,
        name: 'ci',
        createdAt: created.createdAt,
        expiresAt: created.expiresAt,
        lastUsedAt: null,
        status: 'active',
      },
    ]);
    const account = await api('GET', base, { token: owner.accessToken });
    for (const body of [listed.body, account.body]) {
      expect(JSON.stringify(body)).not.toContain(secret);
    }

    const items = await tenantItems(tenantId);
    const tokenItem = items.find((i) => String(i.sk).includes(created.tokenId));
    expect(tokenItem?.secretHash).toBe(hashSecret(secret));
    for (const item of items) {
      const text = JSON.stringify(item);
      expect(text).not.toContain(secret);
      expect(text).not.toContain(created.token);
    }
    // the audit trail holds no secret either
    const audit = await api('GET', `/v1/tenants/${tenantId}/audit`, { token: owner.accessToken });
    expect(audit.status).toBe(200);
    expect(JSON.stringify(audit.body)).toContain('api-token.create');
    expect(JSON.stringify(audit.body)).not.toContain(secret);
  });

  it('rejects an expiry beyond 365 days and unknown fields', async () => {
    const { owner, base } = await tenantWithAccount();
    for (const body of [
      { name: 'x', expiresInDays: 366 },
      { name: 'x', expiresInDays: 0 },
      { name: 'x', scopes: ['all'] },
    ]) {
      const res = await api('POST', `${base}/tokens`, { token: owner.accessToken, body });
      expect(res.status).toBe(400);
    }
    expect((await api('GET', `${base}/tokens`, { token: owner.accessToken })).body.items).toEqual(
      [],
    );
  });

  it('authenticates with a token, records its last use, and 401s on the next request after revocation', async () => {
    const { tenantId, owner, serviceAccountId, base } = await tenantWithAccount();
    await canReadTenant(tenantId, owner.accessToken, serviceAccountId);
    const { token, tokenId } = await mintToken(base, owner.accessToken);
    const ok = await probe(tenantId, token);
    expect(ok.status).toBe(200);
    expect(ok.body.tenantId).toBe(tenantId);
    await expect
      .poll(
        async () =>
          (await api('GET', `${base}/tokens`, { token: owner.accessToken })).body.items[0]
            .lastUsedAt,
      )
      .not.toBeNull();

    const revoked = await api('DELETE', `${base}/tokens/${tokenId}`, { token: owner.accessToken });
    expect(revoked.status).toBe(204);
    expect((await probe(tenantId, token)).status).toBe(401);
    const listed = await api('GET', `${base}/tokens`, { token: owner.accessToken });
    expect(listed.body.items[0].status).toBe('revoked');
  });

  it('refuses a token whose secret was tampered with', async () => {
    const { tenantId, owner, serviceAccountId, base } = await tenantWithAccount();
    await canReadTenant(tenantId, owner.accessToken, serviceAccountId);
    const { token } = await mintToken(base, owner.accessToken);
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    expect((await probe(tenantId, `${token.slice(0, -1)}${last}`)).status).toBe(401);
    expect((await probe(tenantId, 'ghs_garbage')).status).toBe(401);
    expect((await probe(tenantId, token)).status).toBe(200);
  });

  it('401s an expired token', async () => {
    const { tenantId, owner, serviceAccountId, base } = await tenantWithAccount();
    await canReadTenant(tenantId, owner.accessToken, serviceAccountId);
    const { token, tokenId } = await mintToken(base, owner.accessToken);
    const key = { pk: `TENANT#${tenantId}`, sk: `SATOKEN#${serviceAccountId}#${tokenId}` };
    const setExpiry = (at: number) =>
      ddb.send(
        new UpdateCommand({
          TableName: table,
          Key: key,
          UpdateExpression: 'SET expiresAt = :e',
          ExpressionAttributeValues: { ':e': new Date(at).toISOString() },
        }),
      );
    // The token's own expiry, one second in the past, then one in the future.
    await setExpiry(Date.now() - 1000);
    const expired = await probe(tenantId, token);
    expect(expired.status).toBe(401);
    expect(expired.body.detail).toContain('expired');
    await setExpiry(Date.now() + 60_000);
    expect((await probe(tenantId, token)).status).toBe(200);
  });

  it('401s the tokens of a deactivated account, and lets them in again on reactivation', async () => {
    const { tenantId, owner, serviceAccountId, base } = await tenantWithAccount();
    await canReadTenant(tenantId, owner.accessToken, serviceAccountId);
    const { token } = await mintToken(base, owner.accessToken);
    expect((await probe(tenantId, token)).status).toBe(200);
    const off = { token: owner.accessToken, body: { status: 'disabled' } };
    expect((await api('PATCH', base, off)).status).toBe(200);
    expect((await probe(tenantId, token)).status).toBe(401);
    const on = { token: owner.accessToken, body: { status: 'active' } };
    expect((await api('PATCH', base, on)).status).toBe(200);
    expect((await probe(tenantId, token)).status).toBe(200);
  });

  it('deletes an account with its tokens and grants: its token 401s and no item is left', async () => {
    const { tenantId, owner, serviceAccountId, base } = await tenantWithAccount();
    await canReadTenant(tenantId, owner.accessToken, serviceAccountId);
    const first = await mintToken(base, owner.accessToken);
    await mintToken(base, owner.accessToken, { name: 'second' });
    expect((await probe(tenantId, first.token)).status).toBe(200);
    expect((await api('DELETE', base, { token: owner.accessToken })).status).toBe(204);
    expect((await probe(tenantId, first.token)).status).toBe(401);
    expect((await api('GET', base, { token: owner.accessToken })).status).toBe(404);
    const left = (await tenantItems(tenantId)).filter((i) =>
      String(i.sk).includes(serviceAccountId),
    );
    expect(left).toEqual([]);
    // Re-creating the same id starts from nothing: the old token does not come back to life.
    await api('POST', `/v1/tenants/${tenantId}/service-accounts`, {
      token: owner.accessToken,
      body: { serviceAccountId, name: 'again' },
    });
    expect((await probe(tenantId, first.token)).status).toBe(401);
  });

  it('makes a token of tenant A useless in tenant B', async () => {
    const a = await tenantWithAccount();
    await canReadTenant(a.tenantId, a.owner.accessToken, a.serviceAccountId);
    const { token } = await mintToken(a.base, a.owner.accessToken);
    const b = await createTenantWithOwner();
    // Even with an account of the same id in B, holding the same rule.
    await api('POST', `/v1/tenants/${b.tenantId}/service-accounts`, {
      token: b.owner.accessToken,
      body: { serviceAccountId: a.serviceAccountId, name: 'same id' },
    });
    await canReadTenant(b.tenantId, b.owner.accessToken, a.serviceAccountId);
    expect((await probe(a.tenantId, token)).status).toBe(200);
    expect((await probe(b.tenantId, token)).status).toBe(401);
    const example = await api('GET', apps(b.tenantId), { token });
    expect(example.status).toBe(401);
  });

  it('refuses API tokens on routes that are not tenant-scoped', async () => {
    const { tenantId, owner, serviceAccountId, base } = await tenantWithAccount();
    await canReadTenant(tenantId, owner.accessToken, serviceAccountId);
    const { token } = await mintToken(base, owner.accessToken);
    expect((await api('GET', '/v1/me', { token })).status).toBe(401);
  });

  it('lets a service account with the rules reach the example apps service, and 403s it without', async () => {
    const { tenantId, owner, serviceAccountId, base } = await tenantWithAccount();
    const { token } = await mintToken(base, owner.accessToken);
    const allow = (r: string, action: string) =>
      grant(tenantId, owner.accessToken, serviceAccountId, r, action);
    expect((await api('GET', apps(tenantId), { token })).status).toBe(403);
    await allow('dcos:adminrouter:service:marathon', 'full');
    expect((await api('GET', apps(tenantId), { token })).status).toBe(403);
    await allow('dcos:service:marathon:marathon:services', 'read');
    const ok = await api('GET', apps(tenantId), { token });
    expect(ok.status).toBe(200);
    expect(ok.body.caller).toEqual({
      tenantId,
      principalId: serviceAccountId,
      principalKind: 'service-account',
      email: '',
      permissions: [
        { resource: 'dcos:adminrouter:service:marathon', action: 'full' },
        { resource: 'dcos:service:marathon:marathon:services', action: 'read' },
      ],
    });
    const revoke = await api(
      'DELETE',
      `/v1/tenants/${tenantId}/acls/${rid('dcos:service:marathon:marathon:services')}/service-accounts/${serviceAccountId}/read`,
      { token: owner.accessToken },
    );
    expect(revoke.status).toBe(204);
    expect((await api('GET', apps(tenantId), { token })).status).toBe(403);
  });

  it('follows groups and roles, and shows them in effective permissions', async () => {
    const { tenantId, owner, base } = await tenantWithAccount();
    const { token } = await mintToken(base, owner.accessToken);
    const roleId = await addRole(
      { t: `/v1/tenants/${tenantId}`, as: { token: owner.accessToken } },
      [{ resource: 'dcos:service:marathon:marathon:services', action: 'read' }],
      uniqueId('r'),
      'Marathon viewer',
    );
    const groupId = uniqueId('g');
    await api('POST', `/v1/tenants/${tenantId}/groups`, {
      token: owner.accessToken,
      body: { groupId, name: 'Routers' },
    });
    await api(
      'PUT',
      `/v1/tenants/${tenantId}/acls/${rid('dcos:adminrouter:service:marathon')}/groups/${groupId}/full`,
      { token: owner.accessToken },
    );
    expect(
      (await api('PUT', `${base}/groups/${groupId}`, { token: owner.accessToken })).status,
    ).toBe(200);
    expect((await api('GET', apps(tenantId), { token })).status).toBe(403);
    const bound = await api('PUT', `${base}/roles/${roleId}`, {
      token: owner.accessToken,
      body: {},
    });
    expect(bound.status).toBe(200);
    expect((await api('GET', apps(tenantId), { token })).status).toBe(200);

    const perms = await api('GET', `${base}/permissions`, { token: owner.accessToken });
    expect(perms.status).toBe(200);
    expect(perms.body.superuser).toBe(false);
    expect(perms.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          resource: 'dcos:adminrouter:service:marathon',
          source: { type: 'group', groupId },
        }),
        expect.objectContaining({ resource: 'dcos:service:marathon:marathon:services' }),
      ]),
    );
    expect(
      (await api('DELETE', `${base}/groups/${groupId}`, { token: owner.accessToken })).status,
    ).toBe(204);
    expect((await api('GET', apps(tenantId), { token })).status).toBe(403);
  });

  it('answers checks for a service account by its grants, and denies it when disabled', async () => {
    const { tenantId, owner, serviceAccountId, base } = await tenantWithAccount();
    await grant(tenantId, owner.accessToken, serviceAccountId, 'dcos:service:marathon', 'read');
    const check = (body: unknown) =>
      api('POST', `/v1/tenants/${tenantId}/check`, { token: owner.accessToken, body });
    const allowed = await check({
      serviceAccountId,
      resource: 'dcos:service:marathon:marathon:services/web',
      action: 'read',
    });
    expect(allowed.status).toBe(200);
    expect(allowed.body).toMatchObject({
      allowed: true,
      userId: `service-account:${serviceAccountId}`,
    });
    const batch = await check({
      checks: [
        { serviceAccountId, resource: 'dcos:service:marathon', action: 'delete' },
        { serviceAccountId: 'nobody-here', resource: 'dcos:service:marathon', action: 'read' },
      ],
    });
    expect(batch.body.results.map((r: { allowed: boolean }) => r.allowed)).toEqual([false, false]);
    expect(
      (await check({ serviceAccountId: 'nobody-here', resource: 'x', action: 'read' })).status,
    ).toBe(404);
    const both = await check({
      serviceAccountId,
      userId: owner.userId,
      resource: 'x',
      action: 'read',
    });
    expect(both.status).toBe(400);
    await api('PATCH', base, { token: owner.accessToken, body: { status: 'disabled' } });
    const disabled = await check({
      serviceAccountId,
      resource: 'dcos:service:marathon',
      action: 'read',
    });
    expect(disabled.body.allowed).toBe(false);
  });

  it('never makes a service account a superuser', async () => {
    const { tenantId, owner, serviceAccountId, base } = await tenantWithAccount();
    const viaRule = await api(
      'PUT',
      `/v1/tenants/${tenantId}/acls/${rid('gatehouse:superuser')}/service-accounts/${serviceAccountId}/full`,
      { token: owner.accessToken },
    );
    expect(viaRule.status).toBe(403);
    const viaGroup = await api('PUT', `${base}/groups/superusers`, { token: owner.accessToken });
    expect(viaGroup.status).toBe(403);
    const viaRole = await api('PUT', `${base}/roles/owner`, { token: owner.accessToken, body: {} });
    expect(viaRole.status).toBe(403);
    const account = await api('GET', base, { token: owner.accessToken });
    expect(account.body).toMatchObject({ groups: [], roles: [], rules: [] });
  });

  it('lets nobody grant a service account more than they hold', async () => {
    const { tenantId, owner, serviceAccountId, base } = await tenantWithAccount();
    const admin = await createUser(uniqueEmail('admin'));
    await join(tenantId, owner.accessToken, admin, ['admin']);
    const res = await api(
      'PUT',
      `/v1/tenants/${tenantId}/acls/${rid('dcos:adminrouter:service:marathon')}/service-accounts/${serviceAccountId}/full`,
      { token: admin.accessToken },
    );
    expect(res.status).toBe(403);
    // but what the admin holds, the admin can grant
    const ok = await api(
      'PUT',
      `/v1/tenants/${tenantId}/acls/${rid('gatehouse:audit')}/service-accounts/${serviceAccountId}/read`,
      { token: admin.accessToken },
    );
    expect(ok.status).toBe(204);
    expect((await api('GET', base, { token: owner.accessToken })).body.rules).toEqual([
      { resource: 'gatehouse:audit', action: 'read' },
    ]);
  });

  it('lets a service account call the check API but not manage service accounts or mint tokens', async () => {
    const { tenantId, owner, serviceAccountId, base } = await tenantWithAccount();
    await grant(tenantId, owner.accessToken, serviceAccountId, 'gatehouse:acls', 'read');
    await grant(
      tenantId,
      owner.accessToken,
      serviceAccountId,
      'gatehouse:service-accounts',
      'create',
    );
    const { token } = await mintToken(base, owner.accessToken);
    const check = await api('POST', `/v1/tenants/${tenantId}/check`, {
      token,
      body: { userId: owner.userId, resource: 'anything', action: 'delete' },
    });
    expect(check.status).toBe(200);
    expect(check.body.allowed).toBe(true);
    const mint = await api('POST', `${base}/tokens`, { token, body: { name: 'more' } });
    expect(mint.status).toBe(403);
    expect(
      (await api('GET', `${base}/tokens`, { token: owner.accessToken })).body.items,
    ).toHaveLength(1);
  });
});
