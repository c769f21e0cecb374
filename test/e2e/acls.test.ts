import { describe, expect, it } from 'vitest';
import {
  addUser,
  api,
  createTenantWithOwner,
  storedMemberRules,
  tenantRow,
} from '../support/stack-client.js';
import { addGroup } from '../support/tenant-setup.js';

const enc = encodeURIComponent;

describe('group rules', () => {
  it('takes a group grant and its revoke into effect on the next request', async () => {
    const { tenantId, owner, t } = await createTenantWithOwner();
    const user = await addUser(tenantId, owner.accessToken);
    const groupId = await addGroup({ t, as: { token: owner.accessToken } }, 'ops', 'Ops');
    await api('PUT', `${t}/groups/${groupId}/members/${user.userId}`, { token: owner.accessToken });
    const check = { userId: user.userId, resource: 'gatehouse:members', action: 'read' };
    const rule = `${t}/acls/gatehouse:members/groups/${groupId}/read`;

    expect((await api('GET', `${t}/members`, { token: user.accessToken })).status).toBe(403);
    expect((await api('PUT', rule, { token: owner.accessToken })).status).toBe(204);
    const allowed = await api('POST', `${t}/check`, { token: owner.accessToken, body: check });
    expect(allowed.body).toEqual({
      allowed: true,
      reason: `gatehouse:members read via group ${groupId}`,
      userId: user.userId,
      resource: 'gatehouse:members',
      action: 'read',
    });
    expect((await api('GET', `${t}/members`, { token: user.accessToken })).status).toBe(200);

    expect((await api('DELETE', rule, { token: owner.accessToken })).status).toBe(204);
    expect((await api('GET', `${t}/members`, { token: user.accessToken })).status).toBe(403);
    const denied = await api('POST', `${t}/check`, { token: owner.accessToken, body: check });
    expect(denied.body).toMatchObject({
      allowed: false,
      reason: 'no rule grants read on gatehouse:members',
    });
    expect((await api('DELETE', rule, { token: owner.accessToken })).status).toBe(404);
  });

  it('lets a tenant open invites to everyone (DC/OS open source) with one group rule', async () => {
    const { tenantId, owner, t } = await createTenantWithOwner();
    const user = await addUser(tenantId, owner.accessToken);
    const check = { userId: user.userId, resource: 'gatehouse:invites', action: 'create' };
    expect(
      (await api('POST', `${t}/check`, { token: owner.accessToken, body: check })).body.allowed,
    ).toBe(false);
    await api('PUT', `${t}/acls/gatehouse:invites/groups/everyone/create`, {
      token: owner.accessToken,
    });
    const res = await api('POST', `${t}/check`, { token: owner.accessToken, body: check });
    expect(res.body).toMatchObject({
      allowed: true,
      reason: 'gatehouse:invites create via group everyone',
    });
  });

  it('refuses to revoke the superuser rule from superusers when it is the only path (409)', async () => {
    const { tenantId, owner, t } = await createTenantWithOwner();
    const before = await tenantRow(tenantId, 'POLICY');
    const res = await api('DELETE', `${t}/acls/gatehouse:superuser/groups/superusers/full`, {
      token: owner.accessToken,
    });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const after = await tenantRow(tenantId, 'POLICY');
    expect(after?.policyVersion).toBe(before?.policyVersion);
    expect(after?.groups.superusers.rules).toEqual([
      { resource: 'gatehouse:superuser', action: 'full' },
    ]);
    expect((await tenantRow(tenantId, 'META'))?.superuserCount).toBe(1);
    expect(await tenantRow(tenantId, `MEMBER#${owner.userId}`)).toMatchObject({ superuser: true });
  });
});

describe('user rules', () => {
  it('grants, lists and revokes a direct rule with an encoded resource id', async () => {
    const { tenantId, owner, t } = await createTenantWithOwner();
    const user = await addUser(tenantId, owner.accessToken);
    const rid = 'dcos:service:marathon:marathon:services/group1/group2';
    const path = `${t}/acls/${enc(rid)}/users/${user.userId}/read`;
    expect((await api('PUT', path, { token: owner.accessToken })).status).toBe(204);
    const list = await api('GET', `${t}/acls?principal=user:${user.userId}`, {
      token: owner.accessToken,
    });
    expect(list.body).toEqual({
      items: [{ principal: `user:${user.userId}`, resource: rid, action: 'read' }],
      nextCursor: null,
    });
    const byResource = await api('GET', `${t}/acls?resource=${enc('dcos:service')}`, {
      token: owner.accessToken,
    });
    expect(byResource.body.items).toHaveLength(1);
    const groupsOnly = await api('GET', `${t}/acls?principal=group:superusers`, {
      token: owner.accessToken,
    });
    expect(groupsOnly.body.items).toEqual([
      { principal: 'group:superusers', resource: 'gatehouse:superuser', action: 'full' },
    ]);
    expect((await api('DELETE', path, { token: owner.accessToken })).status).toBe(204);
    expect(await storedMemberRules(tenantId, user.userId)).toEqual([]);
  });

  it('rejects a bad resource id or action with 400 naming the path field, writing nothing', async () => {
    const { tenantId, owner, t } = await createTenantWithOwner();
    const user = await addUser(tenantId, owner.accessToken);
    const badRid = await api('PUT', `${t}/acls/${enc('app::x')}/users/${user.userId}/read`, {
      token: owner.accessToken,
    });
    expect(badRid.status).toBe(400);
    expect(badRid.body.errors[0].path).toBe('path.rid');
    const trailing = await api('PUT', `${t}/acls/${enc('app:x/')}/groups/everyone/read`, {
      token: owner.accessToken,
    });
    expect(trailing.body.errors[0].path).toBe('path.rid');
    const badAction = await api('PUT', `${t}/acls/app:x/users/${user.userId}/write`, {
      token: owner.accessToken,
    });
    expect(badAction.status).toBe(400);
    expect(badAction.body.errors[0].path).toBe('path.action');
    const badGroupAction = await api('DELETE', `${t}/acls/app:x/groups/everyone/all`, {
      token: owner.accessToken,
    });
    expect(badGroupAction.body.errors[0].path).toBe('path.action');
    expect(await storedMemberRules(tenantId, user.userId)).toEqual([]);
    expect((await tenantRow(tenantId, 'POLICY'))?.groups.everyone.rules).toEqual([]);
  });

  it('forbids a non-superuser admin from granting a rule they do not hold (403)', async () => {
    const { tenantId, owner, t } = await createTenantWithOwner();
    const admin = await addUser(tenantId, owner.accessToken, ['admin']);
    const user = await addUser(tenantId, owner.accessToken);
    const toUser = await api('PUT', `${t}/acls/app:billing/users/${user.userId}/full`, {
      token: admin.accessToken,
    });
    expect(toUser.status).toBe(403);
    const toGroup = await api('PUT', `${t}/acls/gatehouse:superuser/groups/everyone/full`, {
      token: admin.accessToken,
    });
    expect(toGroup.status).toBe(403);
    const held = await api('PUT', `${t}/acls/gatehouse:members/users/${user.userId}/read`, {
      token: admin.accessToken,
    });
    expect(held.status).toBe(204);
    expect(await storedMemberRules(tenantId, user.userId)).toEqual([
      { resource: 'gatehouse:members', action: 'read' },
    ]);
    expect((await tenantRow(tenantId, 'POLICY'))?.groups.everyone.rules).toEqual([]);
  });

  it('answers 403 to a plain member using the ACL API', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const user = await addUser(tenantId, owner.accessToken);
    const res = await api('PUT', `/v1/tenants/${tenantId}/acls/app:x/users/${user.userId}/read`, {
      token: user.accessToken,
    });
    expect(res.status).toBe(403);
  });
});

describe('POST /v1/tenants/{tenantId}/check', () => {
  it('answers single checks by userId or email, with reasons', async () => {
    const { tenantId, owner, t } = await createTenantWithOwner();
    const user = await addUser(tenantId, owner.accessToken);
    await api('PUT', `${t}/acls/${enc('app:services/prod')}/users/${user.userId}/read`, {
      token: owner.accessToken,
    });
    const byEmail = await api('POST', `${t}/check`, {
      token: owner.accessToken,
      body: { email: user.email.toUpperCase(), resource: 'app:services/prod/web', action: 'read' },
    });
    expect(byEmail.body).toMatchObject({
      allowed: true,
      reason: 'app:services/prod read granted directly',
      userId: user.userId,
    });
    const su = await api('POST', `${t}/check`, {
      token: owner.accessToken,
      body: { userId: owner.userId, resource: 'app:anything', action: 'delete' },
    });
    expect(su.body).toMatchObject({
      allowed: true,
      reason: 'superuser: gatehouse:superuser full via group superusers',
    });
    const unknown = await api('POST', `${t}/check`, {
      token: owner.accessToken,
      body: { userId: 'nobody', resource: 'app:x', action: 'read' },
    });
    expect(unknown.status).toBe(404);
  });

  it('keeps sibling prefixes apart: .../prod does not allow .../prod-eu', async () => {
    const { tenantId, owner, t } = await createTenantWithOwner();
    const user = await addUser(tenantId, owner.accessToken);
    await api('PUT', `${t}/acls/${enc('app:services/prod')}/users/${user.userId}/full`, {
      token: owner.accessToken,
    });
    const res = await api('POST', `${t}/check`, {
      token: owner.accessToken,
      body: {
        checks: [
          'app:services/prod',
          'app:services/prod/web',
          'app:services/prod-eu',
          'app:services/produce',
        ].map((resource) => ({ userId: user.userId, resource, action: 'update' })),
      },
    });
    expect(res.body.results.map((r: { allowed: boolean }) => r.allowed)).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(res.body.results[2].reason).toBe('no rule grants update on app:services/prod-eu');
  });

  it('answers a batch with one result per check in order, including non-members', async () => {
    const { tenantId, owner, t } = await createTenantWithOwner();
    const user = await addUser(tenantId, owner.accessToken);
    const res = await api('POST', `${t}/check`, {
      token: owner.accessToken,
      body: {
        checks: [
          { userId: user.userId, resource: 'gatehouse:tenant', action: 'read' },
          { userId: user.userId, resource: 'gatehouse:tenant', action: 'update' },
          { email: 'ghost@example.test', resource: 'gatehouse:tenant', action: 'read' },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([
      expect.objectContaining({ allowed: true, reason: 'gatehouse:tenant read via role member' }),
      expect.objectContaining({
        allowed: false,
        reason: 'no rule grants update on gatehouse:tenant',
      }),
      expect.objectContaining({ allowed: false, reason: 'no member ghost@example.test' }),
    ]);
  });

  it('rejects malformed checks naming the field', async () => {
    const { owner, t } = await createTenantWithOwner();
    const noSubject = await api('POST', `${t}/check`, {
      token: owner.accessToken,
      body: { resource: 'app:x', action: 'read' },
    });
    expect(noSubject.status).toBe(400);
    expect(noSubject.body.errors[0].path).toBe('body.userId');
    const badResource = await api('POST', `${t}/check`, {
      token: owner.accessToken,
      body: { checks: [{ userId: owner.userId, resource: 'a//b', action: 'read' }] },
    });
    expect(badResource.body.errors[0].path).toBe('body.checks.0.resource');
    const tooMany = await api('POST', `${t}/check`, {
      token: owner.accessToken,
      body: {
        checks: Array.from({ length: 101 }, () => ({
          userId: owner.userId,
          resource: 'a',
          action: 'read',
        })),
      },
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors[0].path).toBe('body.checks');
  });

  it('plays the DC/OS seed scenarios through the API', async () => {
    const { tenantId, owner, t } = await createTenantWithOwner();
    const user = await addUser(tenantId, owner.accessToken);
    const grant = (rid: string, action: string) =>
      api('PUT', `${t}/acls/${enc(rid)}/users/${user.userId}/${action}`, {
        token: owner.accessToken,
      });
    expect((await grant('dcos:adminrouter:service:marathon', 'full')).status).toBe(204);
    expect((await grant('dcos:service:marathon:marathon', 'full')).status).toBe(204);
    expect(
      (await grant('dcos:service:marathon:marathon:services/production', 'create')).status,
    ).toBe(204);
    const other = await addUser(tenantId, owner.accessToken);
    await api(
      'PUT',
      `${t}/acls/${enc('dcos:service:marathon:marathon:services/production')}/users/${other.userId}/create`,
      {
        token: owner.accessToken,
      },
    );
    const c = (userId: string, resource: string, action: string) => ({ userId, resource, action });
    const res = await api('POST', `${t}/check`, {
      token: owner.accessToken,
      body: {
        checks: [
          c(user.userId, 'dcos:adminrouter:service:marathon', 'full'),
          c(user.userId, 'dcos:service:marathon:marathon:services/anything', 'delete'),
          c(
            other.userId,
            'dcos:service:marathon:marathon:services/production/frontend/webserver',
            'create',
          ),
          c(
            other.userId,
            'dcos:service:marathon:marathon:services/production/frontend/webserver',
            'delete',
          ),
          c(other.userId, 'dcos:service:marathon:marathon:services/production-eu', 'create'),
          c(other.userId, 'dcos:adminrouter:service:marathon', 'full'),
        ],
      },
    });
    expect(res.body.results.map((r: { allowed: boolean }) => r.allowed)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
    expect(res.body.results[2].reason).toBe(
      'dcos:service:marathon:marathon:services/production create granted directly',
    );
  });
});

describe('resource namespaces', () => {
  it('registers a namespace that narrows later grants, lists it, and removes it', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const token = owner.accessToken;
    const t = `/v1/tenants/${tenantId}`;
    const user = await addUser(tenantId, token);
    const ns = enc('dcos:adminrouter');
    const put = await api('PUT', `${t}/namespaces/${ns}`, { token, body: { actions: ['full'] } });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ prefix: 'dcos:adminrouter', actions: ['full'] });
    const listed = await api('GET', `${t}/namespaces`, { token });
    expect(listed.body).toEqual({
      items: [{ prefix: 'dcos:adminrouter', actions: ['full'] }],
      nextCursor: null,
    });

    // Admin Router resources accept only full, at the prefix and under it; elsewhere anything.
    const read = `${t}/acls/${enc('dcos:adminrouter:service:marathon')}/users/${user.userId}/read`;
    const refused = await api('PUT', read, { token });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([expect.objectContaining({ path: 'path.action' })]);
    const full = `${t}/acls/${enc('dcos:adminrouter:service:marathon')}/users/${user.userId}/full`;
    expect((await api('PUT', full, { token })).status).toBe(204);
    const elsewhere = `${t}/acls/${enc('dcos:service:marathon')}/users/${user.userId}/read`;
    expect((await api('PUT', elsewhere, { token })).status).toBe(204);
    const role = await api('POST', `${t}/roles`, {
      token,
      body: {
        roleId: 'reader',
        name: 'Reader',
        permissions: [{ resource: 'dcos:adminrouter:package', action: 'read' }],
      },
    });
    expect(role.status).toBe(400);

    const audit = await api('GET', `${t}/audit?limit=100`, { token });
    expect(audit.body.items.map((e: { action: string }) => e.action)).toContain('namespace.set');

    expect((await api('DELETE', `${t}/namespaces/${ns}`, { token })).status).toBe(204);
    expect((await api('PUT', read, { token })).status).toBe(204);
    expect((await api('DELETE', `${t}/namespaces/${ns}`, { token })).status).toBe(404);
  });

  it('refuses bad prefixes and actions, the gatehouse namespace, and plain members', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const token = owner.accessToken;
    const t = `/v1/tenants/${tenantId}`;
    const bad = [
      [enc('app::x'), { actions: ['full'] }, 'path.prefix'],
      [enc('gatehouse:members'), { actions: ['full'] }, 'path.prefix'],
      [enc('app'), { actions: ['fly'] }, 'body.actions.0'],
      [enc('app'), { actions: [] }, 'body.actions'],
      [enc('app'), { actions: ['read', 'read'] }, 'body.actions'],
      [enc('app'), { actions: ['read'], extra: 1 }, 'body.extra'],
    ] as const;
    for (const [prefix, body, path] of bad) {
      const res = await api('PUT', `${t}/namespaces/${prefix}`, { token, body });
      expect([prefix, res.status]).toEqual([prefix, 400]);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    expect((await api('GET', `${t}/namespaces`, { token })).body.items).toEqual([]);
    const member = await addUser(tenantId, token);
    const denied = await api('PUT', `${t}/namespaces/app`, {
      token: member.accessToken,
      body: { actions: ['full'] },
    });
    expect(denied.status).toBe(403);
  });
});
