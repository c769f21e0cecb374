import { describe, expect, it } from 'vitest';
import {
  addUser,
  api,
  createTenantWithOwner,
  tenantRow,
  uniqueId,
} from '../support/stack-client.js';

describe('custom roles', () => {
  it('creates, reads and lists a role with its permissions', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const roleId = uniqueId('r');
    const permissions = [{ resource: 'app:dashboards', action: 'read' }];
    const created = await api('POST', `/v1/tenants/${tenantId}/roles`, {
      token: owner.accessToken,
      body: { roleId, name: 'Interns', permissions },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ roleId, name: 'Interns', builtIn: false, permissions });
    const read = await api('GET', `/v1/tenants/${tenantId}/roles/${roleId}`, {
      token: owner.accessToken,
    });
    expect(read.body).toMatchObject({ roleId, permissions });
    const list = await api('GET', `/v1/tenants/${tenantId}/roles`, { token: owner.accessToken });
    expect(list.body.items.map((r: { roleId: string }) => r.roleId).sort()).toEqual(
      ['admin', 'member', 'owner', roleId].sort(),
    );
    const again = await api('POST', `/v1/tenants/${tenantId}/roles`, {
      token: owner.accessToken,
      body: { roleId, name: 'Again', permissions: [] },
    });
    expect(again.status).toBe(409);
  });

  it('rejects a permission with a bad resource id naming the field and writes nothing', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const roleId = uniqueId('r');
    const res = await api('POST', `/v1/tenants/${tenantId}/roles`, {
      token: owner.accessToken,
      body: {
        roleId,
        name: 'Bad',
        permissions: [
          { resource: 'app:ok', action: 'read' },
          { resource: 'app::empty', action: 'read' },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe('body.permissions.1.resource');
    const read = await api('GET', `/v1/tenants/${tenantId}/roles/${roleId}`, {
      token: owner.accessToken,
    });
    expect(read.status).toBe(404);
  });

  it('applies a role edit to a bound member on the very next request', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const user = await addUser(tenantId, owner.accessToken);
    const roleId = uniqueId('viewer');
    const members = `/v1/tenants/${tenantId}/members`;
    const base = [{ resource: 'gatehouse:tenant', action: 'read' }];
    await api('POST', `/v1/tenants/${tenantId}/roles`, {
      token: owner.accessToken,
      body: { roleId, name: 'Viewer', permissions: base },
    });
    const bind = await api('PUT', `${members}/${user.userId}/roles/${roleId}`, {
      token: owner.accessToken,
      body: {},
    });
    expect(bind.status).toBe(200);
    expect((await api('GET', members, { token: user.accessToken })).status).toBe(403);

    const grant = await api('PUT', `/v1/tenants/${tenantId}/roles/${roleId}`, {
      token: owner.accessToken,
      body: {
        name: 'Viewer',
        permissions: [...base, { resource: 'gatehouse:members', action: 'read' }],
      },
    });
    expect(grant.status).toBe(200);
    expect((await api('GET', members, { token: user.accessToken })).status).toBe(200);

    const revoke = await api('PUT', `/v1/tenants/${tenantId}/roles/${roleId}`, {
      token: owner.accessToken,
      body: { name: 'Viewer', permissions: base },
    });
    expect(revoke.status).toBe(200);
    expect((await api('GET', members, { token: user.accessToken })).status).toBe(403);
  });

  it('applies a role edit to members bound through a group', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const user = await addUser(tenantId, owner.accessToken);
    const t = `/v1/tenants/${tenantId}`;
    const roleId = uniqueId('r');
    const groupId = uniqueId('g');
    await api('POST', `${t}/roles`, {
      token: owner.accessToken,
      body: { roleId, name: 'R', permissions: [] },
    });
    await api('POST', `${t}/groups`, { token: owner.accessToken, body: { groupId, name: 'G' } });
    await api('PUT', `${t}/groups/${groupId}/members/${user.userId}`, { token: owner.accessToken });
    await api('PUT', `${t}/groups/${groupId}/roles/${roleId}`, {
      token: owner.accessToken,
      body: {},
    });
    expect((await api('GET', `${t}/groups`, { token: user.accessToken })).status).toBe(403);
    await api('PUT', `${t}/roles/${roleId}`, {
      token: owner.accessToken,
      body: { name: 'R', permissions: [{ resource: 'gatehouse:groups', action: 'read' }] },
    });
    expect((await api('GET', `${t}/groups`, { token: user.accessToken })).status).toBe(200);
  });

  it('refuses to edit or delete a built-in role with 409', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    for (const roleId of ['owner', 'admin', 'member']) {
      const put = await api('PUT', `/v1/tenants/${tenantId}/roles/${roleId}`, {
        token: owner.accessToken,
        body: { name: 'Mine', permissions: [] },
      });
      expect(put.status).toBe(409);
      const del = await api('DELETE', `/v1/tenants/${tenantId}/roles/${roleId}`, {
        token: owner.accessToken,
      });
      expect(del.status).toBe(409);
    }
    const owner_ = await api('GET', `/v1/tenants/${tenantId}/roles/owner`, {
      token: owner.accessToken,
    });
    expect(owner_.body.permissions).toEqual([{ resource: 'gatehouse:superuser', action: 'full' }]);
  });

  it('deletes a role and every binding of it', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const user = await addUser(tenantId, owner.accessToken);
    const t = `/v1/tenants/${tenantId}`;
    const roleId = uniqueId('r');
    await api('POST', `${t}/roles`, {
      token: owner.accessToken,
      body: { roleId, name: 'R', permissions: [{ resource: 'gatehouse:members', action: 'read' }] },
    });
    await api('PUT', `${t}/members/${user.userId}/roles/${roleId}`, {
      token: owner.accessToken,
      body: {},
    });
    expect((await api('GET', `${t}/members`, { token: user.accessToken })).status).toBe(200);
    const del = await api('DELETE', `${t}/roles/${roleId}`, { token: owner.accessToken });
    expect(del.status).toBe(204);
    expect((await api('GET', `${t}/members`, { token: user.accessToken })).status).toBe(403);
    const m = await api('GET', `${t}/members/${user.userId}`, { token: owner.accessToken });
    expect(m.body.roles.map((r: { roleId: string }) => r.roleId)).not.toContain(roleId);
    expect((await api('GET', `${t}/roles/${roleId}`, { token: owner.accessToken })).status).toBe(
      404,
    );
  });

  it('refuses a role edit that would leave no superuser, and changes nothing', async () => {
    const { tenantId, owner, t } = await createTenantWithOwner();
    const boss = await addUser(tenantId, owner.accessToken);
    const roleId = uniqueId('boss');
    const su = [{ resource: 'gatehouse:superuser', action: 'full' }];
    await api('POST', `${t}/roles`, {
      token: owner.accessToken,
      body: { roleId, name: 'Boss', permissions: su },
    });
    const bind = await api('PUT', `${t}/members/${boss.userId}/roles/${roleId}`, {
      token: owner.accessToken,
      body: {},
    });
    expect(bind.status).toBe(200);
    expect((await tenantRow(tenantId))?.superuserCount).toBe(2);
    // The owner leaves superusers: the custom role is now the only superuser path.
    const leave = await api('DELETE', `${t}/groups/superusers/members/${owner.userId}`, {
      token: boss.accessToken,
    });
    expect(leave.status).toBe(204);
    expect((await tenantRow(tenantId))?.superuserCount).toBe(1);

    const edit = await api('PUT', `${t}/roles/${roleId}`, {
      token: boss.accessToken,
      body: { name: 'Boss', permissions: [] },
    });
    expect(edit.status).toBe(409);
    const del = await api('DELETE', `${t}/roles/${roleId}`, { token: boss.accessToken });
    expect(del.status).toBe(409);
    const role = await api('GET', `${t}/roles/${roleId}`, { token: boss.accessToken });
    expect(role.body.permissions).toEqual(su);
    expect((await tenantRow(tenantId))?.superuserCount).toBe(1);
  });

  it('lowers the superuser count when a role edit unmakes a superuser who is not the last', async () => {
    const { tenantId, owner, t } = await createTenantWithOwner();
    const boss = await addUser(tenantId, owner.accessToken);
    const roleId = uniqueId('boss');
    await api('POST', `${t}/roles`, {
      token: owner.accessToken,
      body: {
        roleId,
        name: 'Boss',
        permissions: [{ resource: 'gatehouse:superuser', action: 'full' }],
      },
    });
    await api('PUT', `${t}/members/${boss.userId}/roles/${roleId}`, {
      token: owner.accessToken,
      body: {},
    });
    expect((await tenantRow(tenantId))?.superuserCount).toBe(2);
    const edit = await api('PUT', `${t}/roles/${roleId}`, {
      token: owner.accessToken,
      body: { name: 'Boss', permissions: [{ resource: 'gatehouse:members', action: 'read' }] },
    });
    expect(edit.status).toBe(200);
    expect((await tenantRow(tenantId))?.superuserCount).toBe(1);
    expect((await api('GET', `${t}/roles`, { token: boss.accessToken })).status).toBe(403);
  });

  it('forbids an admin from creating or editing a role with permissions they do not hold', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const admin = await addUser(tenantId, owner.accessToken, ['admin']);
    const t = `/v1/tenants/${tenantId}`;
    const roleId = uniqueId('r');
    const create = await api('POST', `${t}/roles`, {
      token: admin.accessToken,
      body: { roleId, name: 'R', permissions: [{ resource: 'app:billing', action: 'full' }] },
    });
    expect(create.status).toBe(403);
    const ok = await api('POST', `${t}/roles`, {
      token: admin.accessToken,
      body: { roleId, name: 'R', permissions: [{ resource: 'gatehouse:members', action: 'read' }] },
    });
    expect(ok.status).toBe(201);
    const edit = await api('PUT', `${t}/roles/${roleId}`, {
      token: admin.accessToken,
      body: { name: 'R', permissions: [{ resource: 'gatehouse:superuser', action: 'full' }] },
    });
    expect(edit.status).toBe(403);
    const role = await api('GET', `${t}/roles/${roleId}`, { token: owner.accessToken });
    expect(role.body.permissions).toEqual([{ resource: 'gatehouse:members', action: 'read' }]);
  });
});
