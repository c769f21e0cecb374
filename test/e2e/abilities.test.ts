/**
 * `GET /v1/me/tenants/{tenantId}/abilities`: the route keys the caller may call in a tenant, as
 * the authorizer decides them. The owner gets every tenant route, a plain member no admin route,
 * a role's removal shows on the next call, and every answer agrees with what the API then does.
 */
import { describe, expect, it } from 'vitest';
import {
  callRoute,
  isMutating,
  routeKey,
  routeParams,
  tenantRoutes,
} from '../support/route-samples.js';
import {
  addUser,
  api,
  createTenantWithOwner,
  expectStatus,
  type TestUser,
  uniqueId,
} from '../support/stack-client.js';
import { useTenantFixture } from '../support/tenant-fixture.js';

const f = useTenantFixture();
const abilitiesOf = (tenantId: string, token: string) =>
  api('GET', `/v1/me/tenants/${encodeURIComponent(tenantId)}/abilities`, { token });

const MEMBERS_LIST = 'GET /v1/tenants/{tenantId}/members';
const MEMBER_DELETE = 'DELETE /v1/tenants/{tenantId}/members/{userId}';

type Permission = { resource: string; action: string };

/** Creates role `roleId` with `permissions` in the fixture's tenant, as its owner. */
async function createRole(roleId: string, permissions: Permission[]) {
  await expectStatus(
    api('POST', `/v1/tenants/${f.tenantId}/roles`, {
      token: f.owner.accessToken,
      body: { roleId, name: roleId, permissions },
    }),
    201,
    'create role',
  );
}

/** Binds `roleId` (on everything) to `userId`, as the owner. */
async function bindRole(userId: string, roleId: string) {
  await expectStatus(
    api('PUT', `/v1/tenants/${f.tenantId}/members/${userId}/roles/${roleId}`, {
      token: f.owner.accessToken,
      body: {},
    }),
    200,
    'bind role',
  );
}

/** A fresh member of the fixture's tenant bound to new roles holding `permissions`. */
async function memberHolding(prefix: string, ...roles: Permission[][]): Promise<TestUser> {
  const user = await addUser(f.tenantId, f.owner.accessToken);
  for (const permissions of roles) {
    const roleId = uniqueId(prefix);
    await createRole(roleId, permissions);
    await bindRole(user.userId, roleId);
  }
  return user;
}

/** A fresh member of the fixture's tenant bound to a new role holding `gatehouse:members read`. */
async function memberReader(): Promise<{ user: TestUser; roleId: string }> {
  const roleId = uniqueId('reader');
  await createRole(roleId, [{ resource: 'gatehouse:members', action: 'read' }]);
  const user = await addUser(f.tenantId, f.owner.accessToken);
  await bindRole(user.userId, roleId);
  return { user, roleId };
}

describe('what may I do', () => {
  it('gives the owner (a superuser) every tenant route', async () => {
    const res = await abilitiesOf(f.tenantId, f.owner.accessToken);
    expect(res.status).toBe(200);
    expect(res.body.tenantId).toBe(f.tenantId);
    expect([...res.body.routes].sort()).toEqual(tenantRoutes.map(routeKey).sort());
    expect(res.body.selfRoutes).toEqual([]);
  });

  it('gives a plain member no admin route, and their own membership as self routes', async () => {
    const res = await abilitiesOf(f.tenantId, f.plain.accessToken);
    expect(res.status).toBe(200);
    expect([...res.body.routes].sort()).toEqual([
      'DELETE /v1/me/tenants/{tenantId}',
      'GET /v1/me/tenants/{tenantId}/abilities',
      'GET /v1/tenants/{tenantId}',
    ]);
    expect(res.body.selfRoutes).toContain('GET /v1/tenants/{tenantId}/members/{userId}');
    expect(res.body.selfRoutes).toContain(
      'GET /v1/tenants/{tenantId}/members/{userId}/permissions',
    );
    expect(res.body.selfRoutes).not.toContain(MEMBER_DELETE);
  });

  it('lists the members list but not delete for a role granting members read, until the role goes', async () => {
    const { user, roleId } = await memberReader();
    const before = await abilitiesOf(f.tenantId, user.accessToken);
    expect(before.body.routes).toContain(MEMBERS_LIST);
    expect(before.body.routes).toContain('GET /v1/tenants/{tenantId}/members/{userId}');
    expect(before.body.routes).not.toContain(MEMBER_DELETE);
    expect(before.body.routes).not.toContain('POST /v1/tenants/{tenantId}/invites');

    await expectStatus(
      api('DELETE', `/v1/tenants/${f.tenantId}/members/${user.userId}/roles/${roleId}`, {
        token: f.owner.accessToken,
      }),
      204,
      'unbind role',
    );
    const after = await abilitiesOf(f.tenantId, user.accessToken);
    expect(after.status).toBe(200);
    expect(after.body.routes).not.toContain(MEMBERS_LIST);
    expect(
      (await api('GET', `/v1/tenants/${f.tenantId}/members`, { token: user.accessToken })).status,
    ).toBe(403);
  });

  it("refuses another tenant's id as every tenant route does (404: no hint it exists)", async () => {
    const other = await createTenantWithOwner();
    const res = await abilitiesOf(other.tenantId, f.plain.accessToken);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('answers a malformed tenant id with a 4xx problem', async () => {
    const res = await abilitiesOf('Not a tenant!', f.owner.accessToken);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it("answers a member's personal token as their session", async () => {
    const minted = await expectStatus(
      api('POST', `/v1/tenants/${f.tenantId}/members/${f.member.userId}/tokens`, {
        token: f.member.accessToken,
        body: { name: 'abilities' },
      }),
      201,
      'mint personal token',
    );
    const session = await abilitiesOf(f.tenantId, f.member.accessToken);
    const personal = await abilitiesOf(f.tenantId, String(minted.body.token));
    expect(personal.status).toBe(200);
    expect(personal.body).toEqual(session.body);
  });

  it("refuses a service account's API token (403): it has no member abilities", async () => {
    const res = await abilitiesOf(f.tenantId, f.apiToken);
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('what may I hand out', () => {
  it('lists the roles and groups the caller holds everything of, and the API agrees on each', async () => {
    const t = `/v1/tenants/${f.tenantId}`;
    const as = { token: f.owner.accessToken };
    const narrow = uniqueId('narrow');
    const broad = uniqueId('broad');
    const crew = uniqueId('crew');
    await createRole(narrow, [{ resource: 'apps:shop', action: 'read' }]);
    await createRole(broad, [{ resource: 'apps', action: 'full' }]);
    await expectStatus(
      api('POST', `${t}/groups`, { ...as, body: { groupId: crew, name: 'Crew' } }),
      201,
      'create group',
    );
    await expectStatus(
      api('PUT', `${t}/groups/${crew}/roles/${broad}`, { ...as, body: {} }),
      200,
      'bind broad role to the group',
    );
    // A manager of members who holds the narrow role, may change members and read the role and
    // group lists, nothing more.
    const manager = await memberHolding('members-admin', [
      { resource: 'gatehouse:members', action: 'full' },
      { resource: 'gatehouse:roles', action: 'read' },
      { resource: 'gatehouse:groups', action: 'read' },
    ]);
    await bindRole(manager.userId, narrow);
    const owner = await abilitiesOf(f.tenantId, f.owner.accessToken);
    expect(owner.body.grantable.roles).toEqual(expect.arrayContaining([narrow, broad]));
    expect(owner.body.grantable.groups).toContain(crew);

    const res = await abilitiesOf(f.tenantId, manager.accessToken);
    expect(res.status).toBe(200);
    expect(res.body.grantable.roles).toContain(narrow);
    expect(res.body.grantable.roles).not.toContain(broad);
    expect(res.body.grantable.groups).not.toContain(crew);
    // What is listed, the API grants; what is not, it refuses.
    const target = await addUser(f.tenantId, f.owner.accessToken);
    const bind = (roleId: string) =>
      api('PUT', `${t}/members/${target.userId}/roles/${roleId}`, {
        token: manager.accessToken,
        body: {},
      });
    expect((await bind(narrow)).status).toBe(200);
    expect((await bind(broad)).status).toBe(403);
  });

  it('names no role or group to a caller who may not list them', async () => {
    // A holder of a role it may hand out, without the list permissions: the answer leaves the
    // lists out rather than reveal ids the caller cannot read.
    const holder = await memberHolding('apps-reader', [{ resource: 'apps:shop', action: 'read' }]);
    const res = await abilitiesOf(f.tenantId, holder.accessToken);
    expect(res.status).toBe(200);
    expect(res.body.grantable).toEqual({});
    expect(JSON.stringify(res.body)).not.toMatch(/apps-reader/);
  });
});

describe('the answer agrees with the authorizer', () => {
  /**
   * For each principal: every tenant route not listed is refused 403; every listed read (and
   * each self route on the caller's own membership) is let through. Listed writes are not called,
   * so nothing changes; they share their permission with the reads they are listed with.
   */
  it('for a plain member, a members reader and a member with a custom role and group', async () => {
    const { user: reader } = await memberReader();
    const principals: [string, TestUser][] = [
      ['plain', f.plain],
      ['reader', reader],
      ['member', f.member],
    ];
    let allowedSeen = 0;
    let refusedSeen = 0;
    for (const [name, who] of principals) {
      const { body } = await expectStatus(abilitiesOf(f.tenantId, who.accessToken), 200, name);
      const listed = new Set<string>(body.routes);
      const self = new Set<string>(body.selfRoutes);
      for (const route of tenantRoutes) {
        const key = routeKey(route);
        const own = route.path.includes('{userId}') && routeParams(route, f).userId === who.userId;
        const may = listed.has(key) || (own && self.has(key));
        if (may && isMutating(route)) continue;
        const res = await callRoute(route, f, { token: who.accessToken });
        if (may) {
          allowedSeen++;
          expect.soft(res.status, `${name} ${key}`).not.toBe(403);
        } else {
          refusedSeen++;
          expect.soft(res.status, `${name} ${key}`).toBe(403);
        }
      }
    }
    expect(allowedSeen).toBeGreaterThan(5);
    expect(refusedSeen).toBeGreaterThan(50);
  });
});
