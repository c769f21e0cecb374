import { describe, expect, it } from 'vitest';
import {
  addUser,
  api,
  createTenantWithOwner,
  expectStatus,
  tenantRow,
  uniqueId,
} from '../support/stack-client.js';
import { addGroup } from '../support/tenant-setup.js';

/**
 * A fresh tenant with a second superuser, `boss`, who is one only through group `groupId`: the
 * group is bound to the `owner` role, or holds `gatehouse:superuser full` as a direct rule.
 */
async function bossThroughGroup(how: 'role' | 'rule', prefix: string, name: string) {
  const tenant = await createTenantWithOwner();
  const { tenantId, owner, t, as } = tenant;
  const boss = await addUser(tenantId, owner.accessToken);
  const groupId = await addGroup(tenant, uniqueId(prefix), name);
  if (how === 'role') {
    await expectStatus(api('PUT', `${t}/groups/${groupId}/roles/owner`, { ...as, body: {} }), 200);
  } else {
    await expectStatus(api('PUT', `${t}/acls/gatehouse:superuser/groups/${groupId}/full`, as), 204);
  }
  await expectStatus(api('PUT', `${t}/groups/${groupId}/members/${boss.userId}`, as), 204);
  return { ...tenant, boss, groupId };
}

describe('groups', () => {
  it('creates, reads, renames and lists a group', async () => {
    const { owner, t } = await createTenantWithOwner();
    const groupId = uniqueId('ops');
    const created = await api('POST', `${t}/groups`, {
      token: owner.accessToken,
      body: { groupId, name: 'Operations', description: 'On call' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      groupId,
      name: 'Operations',
      builtIn: false,
      rules: [],
      roles: [],
    });
    const patched = await api('PATCH', `${t}/groups/${groupId}`, {
      token: owner.accessToken,
      body: { name: 'Ops' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Ops', description: 'On call' });
    const list = await api('GET', `${t}/groups`, { token: owner.accessToken });
    const ids = list.body.items.map((g: { groupId: string }) => g.groupId);
    expect(ids).toEqual(expect.arrayContaining(['everyone', 'superusers', groupId]));
    const superusers = list.body.items.find((g: { groupId: string }) => g.groupId === 'superusers');
    expect(superusers.rules).toEqual([{ resource: 'gatehouse:superuser', action: 'full' }]);
    const dup = await api('POST', `${t}/groups`, {
      token: owner.accessToken,
      body: { groupId, name: 'Again' },
    });
    expect(dup.status).toBe(409);
  });

  it('rejects a bad group id naming the field, and unknown fields', async () => {
    const { owner, t } = await createTenantWithOwner();
    const bad = await api('POST', `${t}/groups`, {
      token: owner.accessToken,
      body: { groupId: 'Bad Id', name: 'x' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('body.groupId');
    const extra = await api('POST', `${t}/groups`, {
      token: owner.accessToken,
      body: { groupId: uniqueId('g'), name: 'x', rules: [] },
    });
    expect(extra.body.errors).toEqual([{ path: 'body.rules', message: 'Unknown field' }]);
    const badPath = await api('GET', `${t}/groups/BAD_ID`, { token: owner.accessToken });
    expect(badPath.status).toBe(400);
    expect(badPath.body.errors[0].path).toBe('path.groupId');
  });

  it('adds and removes members, and deleting a group takes it off every member', async () => {
    const { tenantId, owner, t } = await createTenantWithOwner();
    const user = await addUser(tenantId, owner.accessToken);
    const groupId = await addGroup({ t, as: { token: owner.accessToken } });
    await expectStatus(
      api('PUT', `${t}/groups/${groupId}/members/${user.userId}`, { token: owner.accessToken }),
      204,
    );
    const listed = await api('GET', `${t}/members?group=${groupId}`, { token: owner.accessToken });
    expect(listed.body.items.map((m: { userId: string }) => m.userId)).toEqual([user.userId]);
    await expectStatus(api('DELETE', `${t}/groups/${groupId}`, { token: owner.accessToken }), 204);
    expect((await tenantRow(tenantId, `MEMBER#${user.userId}`))?.groups).not.toContain(groupId);
    expect(await tenantRow(tenantId, `GROUP#${groupId}`)).toBeUndefined();
    expect((await api('GET', `${t}/groups/${groupId}`, { token: owner.accessToken })).status).toBe(
      404,
    );
  });

  it('refuses to delete everyone or superusers, and nobody leaves everyone (409)', async () => {
    const { tenantId, owner, t } = await createTenantWithOwner();
    const user = await addUser(tenantId, owner.accessToken);
    expect((await api('DELETE', `${t}/groups/everyone`, { token: owner.accessToken })).status).toBe(
      409,
    );
    expect(
      (await api('DELETE', `${t}/groups/superusers`, { token: owner.accessToken })).status,
    ).toBe(409);
    const leave = await api('DELETE', `${t}/groups/everyone/members/${user.userId}`, {
      token: owner.accessToken,
    });
    expect(leave.status).toBe(409);
    expect((await tenantRow(tenantId, 'GROUP#everyone'))?.builtIn).toBe(true);
    expect((await tenantRow(tenantId, `MEMBER#${user.userId}`))?.groups).toContain('everyone');
  });

  it('grants a scoped role binding only under its scope', async () => {
    const { tenantId, owner, t } = await createTenantWithOwner();
    const user = await addUser(tenantId, owner.accessToken);
    const roleId = uniqueId('deployer');
    const groupId = uniqueId('prod-team');
    await expectStatus(
      api('POST', `${t}/roles`, {
        token: owner.accessToken,
        body: {
          roleId,
          name: 'Deployer',
          permissions: [{ resource: 'app:services', action: 'full' }],
        },
      }),
      201,
    );
    await addGroup({ t, as: { token: owner.accessToken } }, groupId, 'P');
    await expectStatus(
      api('PUT', `${t}/groups/${groupId}/members/${user.userId}`, { token: owner.accessToken }),
      204,
    );
    const bind = await api('PUT', `${t}/groups/${groupId}/roles/${roleId}`, {
      token: owner.accessToken,
      body: { scope: 'app:services/prod' },
    });
    expect(bind.status).toBe(200);
    expect(bind.body.roles).toEqual([{ roleId, scope: 'app:services/prod' }]);
    const check = (resource: string) => ({ userId: user.userId, resource, action: 'update' });
    const res = await api('POST', `${t}/check`, {
      token: owner.accessToken,
      body: {
        checks: [
          check('app:services/prod'),
          check('app:services/prod/web'),
          check('app:services/prod-eu'),
          check('app:services/staging'),
          check('app:services'),
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { allowed: boolean }) => r.allowed)).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
    expect(res.body.results[1].reason).toBe(
      `app:services/prod full via role ${roleId} scoped to app:services/prod via group ${groupId}`,
    );
  });

  it('refuses to unbind owner from the group of the only superuser (409) and changes nothing', async () => {
    const { tenantId, owner, t, boss, groupId } = await bossThroughGroup('role', 'owners', 'O');
    expect((await tenantRow(tenantId, 'META'))?.superuserCount).toBe(2);
    await expectStatus(
      api('DELETE', `${t}/groups/superusers/members/${owner.userId}`, { token: boss.accessToken }),
      204,
    );
    const policyBefore = await tenantRow(tenantId, 'POLICY');
    const unbind = await api('DELETE', `${t}/groups/${groupId}/roles/owner`, {
      token: boss.accessToken,
    });
    expect(unbind.status).toBe(409);
    expect((await tenantRow(tenantId, 'POLICY'))?.policyVersion).toBe(policyBefore?.policyVersion);
    expect((await tenantRow(tenantId, 'META'))?.superuserCount).toBe(1);
  });

  it('refuses to delete a group the only superuser depends on (409) and changes nothing', async () => {
    const { tenantId, owner, t, boss, groupId } = await bossThroughGroup('rule', 'root', 'Root');
    await expectStatus(
      api('DELETE', `${t}/groups/superusers/members/${owner.userId}`, { token: boss.accessToken }),
      204,
    );
    const del = await api('DELETE', `${t}/groups/${groupId}`, { token: boss.accessToken });
    expect(del.status).toBe(409);
    expect(await tenantRow(tenantId, `GROUP#${groupId}`)).toBeDefined();
    const member = await tenantRow(tenantId, `MEMBER#${boss.userId}`);
    expect(member).toMatchObject({ superuser: true });
    expect(member?.groups).toContain(groupId);
    expect((await tenantRow(tenantId, 'META'))?.superuserCount).toBe(1);
    const stillSuper = await api('POST', `${t}/check`, {
      token: boss.accessToken,
      body: { userId: boss.userId, resource: 'anything', action: 'delete' },
    });
    expect(stillSuper.body).toMatchObject({ allowed: true });
  });

  it('deletes a superuser-making group when another superuser remains, lowering the count', async () => {
    const { tenantId, owner, t, boss, groupId } = await bossThroughGroup('role', 'root', 'Root');
    expect((await tenantRow(tenantId, 'META'))?.superuserCount).toBe(2);
    await expectStatus(api('DELETE', `${t}/groups/${groupId}`, { token: owner.accessToken }), 204);
    expect((await tenantRow(tenantId, 'META'))?.superuserCount).toBe(1);
    expect(await tenantRow(tenantId, `MEMBER#${boss.userId}`)).toMatchObject({ superuser: false });
    expect((await api('GET', `${t}/groups`, { token: boss.accessToken })).status).toBe(403);
  });

  it('forbids binding a role to a group when the caller lacks its permissions (403)', async () => {
    const { tenantId, owner, t } = await createTenantWithOwner();
    const admin = await addUser(tenantId, owner.accessToken, ['admin']);
    const groupId = uniqueId('g');
    await expectStatus(
      api('POST', `${t}/groups`, { token: admin.accessToken, body: { groupId, name: 'G' } }),
      201,
    );
    const bind = await api('PUT', `${t}/groups/${groupId}/roles/owner`, {
      token: admin.accessToken,
      body: {},
    });
    expect(bind.status).toBe(403);
    const join = await api('PUT', `${t}/groups/superusers/members/${admin.userId}`, {
      token: admin.accessToken,
    });
    expect(join.status).toBe(403);
    expect((await tenantRow(tenantId, 'META'))?.superuserCount).toBe(1);
  });
});
