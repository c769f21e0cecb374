/**
 * Issue 9: a member's personal API token carries at most that member's permissions in its one
 * tenant, and loses its power with the membership: a forced logout, sign-out everywhere,
 * disabling or deleting the member stop it on the next request; it opens nothing elsewhere.
 */
import { describe, expect, it } from 'vitest';
import {
  addUser,
  api,
  createTenantWithOwner,
  joinAsAdded,
  type TestUser,
} from '../support/stack-client.js';

const tokensOf = (tenantId: string, userId: string) =>
  `/v1/tenants/${tenantId}/members/${userId}/tokens`;

/** Minted by the member themself, with their session, under their own membership path. */
async function personalToken(user: TestUser, tenantId: string): Promise<string> {
  const res = await api('POST', tokensOf(tenantId, user.userId), {
    token: user.accessToken,
    body: { name: 'laptop' },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect(typeof res.body.token).toBe('string');
  expect(res.body.tenantId).toBe(tenantId);
  return res.body.token;
}

const readTenant = (tenantId: string, token: string) =>
  api('GET', `/v1/tenants/${tenantId}`, { token });

describe('a personal token', () => {
  it('holds only what its member holds', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const member = await addUser(tenantId, owner.accessToken);
    const token = await personalToken(member, tenantId);
    expect((await readTenant(tenantId, token)).status).toBe(200);
    const t = `/v1/tenants/${tenantId}`;
    expect((await api('GET', `${t}/members`, { token })).status).toBe(403);
    expect(
      (await api('POST', `${t}/invites`, { token, body: { emails: ['x@example.test'] } })).status,
    ).toBe(403);
    // Not even a superuser's token is a way to mint more tokens or to act outside the tenant.
    const own = await personalToken(owner, tenantId);
    expect((await api('GET', '/v1/me', { token: own })).status).toBe(401);
    // A personal token reaches the mint route (a tenant route) but may not mint: 403.
    expect(
      (await api('POST', tokensOf(tenantId, owner.userId), { token: own, body: { name: 'more' } }))
        .status,
    ).toBe(403);
  });

  it('opens nothing in another tenant of the same member', async () => {
    const a = await createTenantWithOwner();
    const b = await createTenantWithOwner();
    const member = await addUser(a.tenantId, a.owner.accessToken);
    const join = await joinAsAdded(b.tenantId, b.owner.accessToken, member);
    expect(join.status).toBe(200);
    const token = await personalToken(member, a.tenantId);
    expect((await readTenant(a.tenantId, token)).status).toBe(200);
    expect([401, 404]).toContain((await readTenant(b.tenantId, token)).status);
  });

  it.each([
    [
      'a forced logout',
      (t: string, m: TestUser, o: TestUser) =>
        api('POST', `/v1/tenants/${t}/members/${m.userId}/logout`, { token: o.accessToken }),
      204,
    ],
    [
      'sign-out everywhere',
      (_t: string, m: TestUser) => api('POST', '/v1/me/logout', { token: m.accessToken }),
      204,
    ],
    [
      'disabling the member',
      (t: string, m: TestUser, o: TestUser) =>
        api('PATCH', `/v1/tenants/${t}/members/${m.userId}`, {
          token: o.accessToken,
          body: { status: 'disabled' },
        }),
      200,
    ],
    [
      'deleting the member',
      (t: string, m: TestUser, o: TestUser) =>
        api('DELETE', `/v1/tenants/${t}/members/${m.userId}`, { token: o.accessToken }),
      204,
    ],
  ] as const)('stops working on the next request after %s', async (_what, end, status) => {
    const { tenantId, owner } = await createTenantWithOwner();
    const member = await addUser(tenantId, owner.accessToken);
    const token = await personalToken(member, tenantId);
    expect((await readTenant(tenantId, token)).status).toBe(200);
    expect((await end(tenantId, member, owner)).status).toBe(status);
    expect((await readTenant(tenantId, token)).status).toBe(401);
  });
});
