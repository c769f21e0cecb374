/** The tenant slice over HTTP: authentication, validation, creation races, isolation and audit. */
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it } from 'vitest';
import {
  api,
  cognito,
  createTenantWithOwner,
  createUser,
  stack,
  tenantRow,
  uniqueId,
} from '../support/stack-client.js';
import { auditEvents } from '../support/table-snapshot.js';

const tenantItem = (tenantId: string) => tenantRow(tenantId);

describe('authentication', () => {
  it('answers 401 problem+json without a token', async () => {
    const res = await api('GET', '/v1/me');
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body).toMatchObject({ status: 401, title: 'Unauthorized' });
  });

  it('answers 401 to a garbage token', async () => {
    const res = await api('GET', '/v1/me', { token: 'not.a.jwt' });
    expect(res.status).toBe(401);
  });

  it('answers 401 to an ID token where an access token is needed', async () => {
    const user = await createUser();
    const res = await api('GET', '/v1/me', { token: user.idToken });
    expect(res.status).toBe(401);
    const ok = await api('GET', '/v1/me', { token: user.accessToken });
    expect(ok.status).toBe(200);
  });

  it('answers 401 to an access token from another user pool', async () => {
    const pool = await cognito.send(new CreateUserPoolCommand({ PoolName: uniqueId('other') }));
    const poolId = pool.UserPool?.Id ?? '';
    const client = await cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: 'other',
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'],
      }),
    );
    const email = `${uniqueId('x')}@example.test`;
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: email,
        MessageAction: 'SUPPRESS',
      }),
    );
    await cognito.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: poolId,
        Username: email,
        Password: 'Other-pass-123',
        Permanent: true,
      }),
    );
    const auth = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: client.UserPoolClient?.ClientId,
        AuthParameters: { USERNAME: email, PASSWORD: 'Other-pass-123' },
      }),
    );
    const res = await api('GET', '/v1/me', { token: auth.AuthenticationResult?.AccessToken });
    expect(res.status).toBe(401);
  });

  it('answers 401 to a token whose signature was tampered with', async () => {
    const user = await createUser();
    const [h, p, s] = user.accessToken.split('.');
    const payload = JSON.parse(Buffer.from(p ?? '', 'base64url').toString());
    payload.sub = 'someone-else';
    const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    expect((await api('GET', '/v1/me', { token: forged })).status).toBe(401);
  });
});

describe('POST /v1/tenants', () => {
  it('creates a tenant whose creator is its superuser', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const res = await api('GET', `/v1/tenants/${tenantId}`, { token: owner.accessToken });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      tenantId,
      name: 'Test tenant',
      settings: { inviteTtlHours: 72, defaultRoles: ['member'], defaultGroups: [] },
    });
    const me = await api('GET', '/v1/me', { token: owner.accessToken });
    expect(me.body).toMatchObject({
      userId: owner.userId,
      email: owner.email,
      tenants: [{ tenantId }],
    });
    expect((await tenantItem(tenantId))?.superuserCount).toBe(1);
  });

  it('rejects a bad tenant id with 400 naming the field and writes nothing', async () => {
    const user = await createUser();
    const res = await api('POST', '/v1/tenants', {
      token: user.accessToken,
      body: { tenantId: 'Bad_Id!', name: 'x' },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'body.tenantId' })]);
    expect(await tenantItem('Bad_Id!')).toBeUndefined();
  });

  it('rejects unknown fields (no mass assignment) and writes nothing', async () => {
    const user = await createUser();
    const tenantId = uniqueId('t');
    const res = await api('POST', '/v1/tenants', {
      token: user.accessToken,
      body: { tenantId, name: 'x', superuserCount: 99 },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'body.superuserCount', message: 'Unknown field' }]);
    expect(await tenantItem(tenantId)).toBeUndefined();
  });

  it('rejects malformed JSON with 400', async () => {
    const user = await createUser();
    const res = await api('POST', '/v1/tenants', {
      token: user.accessToken,
      body: '{"tenantId": ',
    });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe('body');
  });

  it('answers 409 to a duplicate tenant id', async () => {
    const { tenantId } = await createTenantWithOwner();
    const other = await createUser();
    const res = await api('POST', '/v1/tenants', {
      token: other.accessToken,
      body: { tenantId, name: 'Mine' },
    });
    expect(res.status).toBe(409);
    const still = await api('GET', `/v1/tenants/${tenantId}`, { token: other.accessToken });
    expect(still.status).toBe(404);
  });

  it('lets exactly one of ten racing creates of the same id win', async () => {
    const users = await Promise.all(Array.from({ length: 10 }, () => createUser()));
    const tenantId = uniqueId('race');
    const results = await Promise.all(
      users.map((u) =>
        api('POST', '/v1/tenants', { token: u.accessToken, body: { tenantId, name: 'Race' } }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(9);
    const winner = users[results.findIndex((r) => r.status === 201)];
    expect((await tenantItem(tenantId))?.createdBy).toBe(winner?.userId);
  });
});

describe('tenant isolation', () => {
  it('answers 404 to a user who is not a member, for reads and writes', async () => {
    const { tenantId } = await createTenantWithOwner();
    const outsider = await createUser();
    expect(
      (await api('GET', `/v1/tenants/${tenantId}`, { token: outsider.accessToken })).status,
    ).toBe(404);
    const patch = await api('PATCH', `/v1/tenants/${tenantId}`, {
      token: outsider.accessToken,
      body: { name: 'Hijacked' },
    });
    expect(patch.status).toBe(404);
    expect((await tenantItem(tenantId))?.name).toBe('Test tenant');
  });
});

describe('PATCH /v1/tenants/{tenantId}', () => {
  it('changes settings and writes an audit event with before and after', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const res = await api('PATCH', `/v1/tenants/${tenantId}`, {
      token: owner.accessToken,
      body: { name: 'Renamed', settings: { inviteTtlHours: 24 } },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: 'Renamed',
      settings: { inviteTtlHours: 24, defaultRoles: ['member'] },
    });
    const audit = await auditEvents(tenantId);
    const update = audit.find((i) => i.action === 'tenant.update');
    expect(update).toMatchObject({
      actor: owner.userId,
      before: { name: 'Test tenant' },
      after: { name: 'Renamed', settings: { inviteTtlHours: 24 } },
    });
  });

  it('rejects an out-of-range inviteTtlHours naming the field and changes nothing', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const res = await api('PATCH', `/v1/tenants/${tenantId}`, {
      token: owner.accessToken,
      body: { settings: { inviteTtlHours: 721 } },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe('body.settings.inviteTtlHours');
    expect((await tenantItem(tenantId))?.settings.inviteTtlHours).toBe(72);
  });
});

describe('GET /v1/openapi.json', () => {
  it('serves the OpenAPI 3.1 document without a token', async () => {
    const res = await api('GET', '/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toContain('/v1/tenants/{tenantId}');
  });

  it('serves the docs page and its assets', async () => {
    const page = await fetch(`${stack.apiUrl}/docs`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/v1/openapi.json');
    expect((await fetch(`${stack.apiUrl}/docs/swagger-ui-bundle.js`)).status).toBe(200);
  });
});
