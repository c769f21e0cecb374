/**
 * Rule 4 beyond the direct grants: nobody reaches more than they hold through the tenant's
 * default roles and groups, through custom groups that carry rules or roles, or by inviting when
 * a tenant lets everyone invite. And the defaults themselves: they apply to members who join
 * after the change (directly or by accepting an invite), never to earlier ones.
 */
import { describe, expect, it } from 'vitest';
import { tokenOf, waitForMails } from '../support/mail-store.js';
import {
  addUser,
  api,
  createTenantWithOwner,
  tenantRow,
  uniqueEmail,
  uniqueId,
} from '../support/stack-client.js';
import { snapshotTenant } from '../support/table-snapshot.js';
import { addRole, addServiceAccount } from '../support/tenant-setup.js';

const su = { resource: 'gatehouse:superuser', action: 'full' };

async function isSuperuser(tenantId: string, token: string, userId: string): Promise<boolean> {
  const res = await api('POST', `/v1/tenants/${tenantId}/check`, {
    token,
    body: { userId, ...su },
  });
  expect(res.status).toBe(200);
  return res.body.allowed === true;
}

describe('no escalation through the tenant defaults', () => {
  it('forbids a settings manager who is not a superuser to make newcomers owners or superusers (403), and nobody new becomes one', async () => {
    const { tenantId, owner, t, as } = await createTenantWithOwner();
    // A custom role that may change tenant settings and add members, but is not a superuser.
    const roleId = await addRole(
      { t, as },
      [
        { resource: 'gatehouse:tenant', action: 'full' },
        { resource: 'gatehouse:members', action: 'create' },
        { resource: 'gatehouse:invites', action: 'create' },
      ],
      uniqueId('settings'),
      'Settings manager',
    );
    const manager = await addUser(tenantId, owner.accessToken, [roleId]);
    expect(await isSuperuser(tenantId, owner.accessToken, manager.userId)).toBe(false);

    const before = (await tenantRow(tenantId))?.settings;
    for (const settings of [
      { defaultRoles: ['member', 'owner'] },
      { defaultGroups: ['superusers'] },
      { defaultRoles: ['admin'] },
    ]) {
      const res = await api('PATCH', t, { token: manager.accessToken, body: { settings } });
      expect.soft(res.status, JSON.stringify(settings)).toBe(403);
    }
    expect.soft((await tenantRow(tenantId))?.settings).toEqual(before);

    // Whatever the settings now say, a member the manager adds (say, the manager's second
    // account) must not hold more than the manager: no new superuser.
    const added = await api('POST', `${t}/members`, {
      token: manager.accessToken,
      body: { email: uniqueEmail('alt') },
    });
    expect(added.status).toBe(201);
    // Pending, so checks answer 404; what it would hold on accepting is no superuser either.
    const perms = await api('GET', `${t}/members/${added.body.userId}/permissions`, {
      token: owner.accessToken,
    });
    expect(perms.body.superuser).toBe(false);
    expect(Number((await tenantRow(tenantId))?.superuserCount)).toBe(1);
  });

  it('lets a superuser set the defaults to what they hold', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const res = await api('PATCH', `/v1/tenants/${tenantId}`, {
      token: owner.accessToken,
      body: { settings: { defaultRoles: ['admin'] } },
    });
    expect(res.status).toBe(200);
    expect(res.body.settings.defaultRoles).toEqual(['admin']);
  });
});

describe('no escalation through custom groups', () => {
  it('forbids an admin to put anyone (themselves included) in a group carrying a rule or role the admin lacks', async () => {
    const { tenantId, owner, t, as } = await createTenantWithOwner();
    const admin = await addUser(tenantId, owner.accessToken, ['admin']);
    const plain = await addUser(tenantId, owner.accessToken);
    const ruled = uniqueId('billing');
    const roled = uniqueId('roled');
    const roleId = uniqueId('r');
    for (const groupId of [ruled, roled])
      expect(
        (await api('POST', `${t}/groups`, { ...as, body: { groupId, name: 'G' } })).status,
      ).toBe(201);
    expect((await api('PUT', `${t}/acls/app:billing/groups/${ruled}/full`, as)).status).toBe(204);
    await addRole({ t, as }, [{ resource: 'app:billing', action: 'read' }], roleId, 'Billing');
    expect(
      (await api('PUT', `${t}/groups/${roled}/roles/${roleId}`, { ...as, body: {} })).status,
    ).toBe(200);
    const before = await snapshotTenant(tenantId);
    for (const groupId of [ruled, roled]) {
      for (const who of [admin, plain]) {
        const res = await api('PUT', `${t}/groups/${groupId}/members/${who.userId}`, {
          token: admin.accessToken,
        });
        expect(res.status, `${groupId} ${who.email}`).toBe(403);
      }
      const viaInvite = await api('POST', `${t}/invites`, {
        token: admin.accessToken,
        body: { emails: [uniqueEmail('g')], groups: [groupId] },
      });
      expect(viaInvite.status).toBe(403);
      const viaAdd = await api('POST', `${t}/members`, {
        token: admin.accessToken,
        body: { email: uniqueEmail('g'), groups: [groupId] },
      });
      expect(viaAdd.status).toBe(403);
    }
    expect(await snapshotTenant(tenantId)).toEqual(before);
  });
});

describe('no escalation when everyone may invite', () => {
  it('lets a plain member invite (DC/OS open mode) but not into a role or group they lack', async () => {
    const { tenantId, owner, t } = await createTenantWithOwner();
    const open = await api('PUT', `${t}/acls/gatehouse:invites/groups/everyone/create`, {
      token: owner.accessToken,
    });
    expect(open.status).toBe(204);
    const plain = await addUser(tenantId, owner.accessToken);
    const invite = (body: Record<string, unknown>) =>
      api('POST', `${t}/invites`, {
        token: plain.accessToken,
        body: { emails: [uniqueEmail('open')], ...body },
      });
    expect((await invite({ roles: ['admin'] })).status).toBe(403);
    expect((await invite({ roles: ['owner'] })).status).toBe(403);
    expect((await invite({ groups: ['superusers'] })).status).toBe(403);
    const ok = await invite({});
    expect(ok.status).toBe(200);
    expect(ok.body.results[0].status).toBe('invited');
    // Nor can the plain member manage what they invited.
    const resend = await api('POST', `${t}/invites/${ok.body.results[0].inviteId}/resend`, {
      token: plain.accessToken,
    });
    expect(resend.status).toBe(403);
  });
});

describe('everyone is every member, not every service account', () => {
  it('does not open a right granted to everyone to service accounts (their tokens or their checks)', async () => {
    const { t, as } = await createTenantWithOwner();
    const saId = await addServiceAccount({ t, as });
    const minted = await api('POST', `${t}/service-accounts/${saId}/tokens`, {
      ...as,
      body: { name: 'ci' },
    });
    expect(minted.status).toBe(201);
    // A service account cannot join everyone (409), so everyone's rules must not reach it either.
    expect((await api('PUT', `${t}/service-accounts/${saId}/groups/everyone`, as)).status).toBe(
      409,
    );
    for (const [rid, action] of [
      ['gatehouse:invites', 'create'],
      ['gatehouse:tenant', 'update'],
    ])
      expect((await api('PUT', `${t}/acls/${rid}/groups/everyone/${action}`, as)).status).toBe(204);
    const check = await api('POST', `${t}/check`, {
      ...as,
      body: {
        checks: [
          { serviceAccountId: saId, resource: 'gatehouse:invites', action: 'create' },
          { serviceAccountId: saId, resource: 'gatehouse:tenant', action: 'update' },
        ],
      },
    });
    expect
      .soft(check.body.results.map((r: { allowed: boolean }) => r.allowed))
      .toEqual([false, false]);
    const invite = await api('POST', `${t}/invites`, {
      token: minted.body.token,
      body: { emails: [uniqueEmail('bot')] },
    });
    expect.soft(invite.status).toBe(403);
    const rename = await api('PATCH', t, { token: minted.body.token, body: { name: 'By a bot' } });
    expect(rename.status).toBe(403);
  });
});

describe('default groups and roles apply to later joiners only', () => {
  it('puts members who join after the change (added or by invite) in the default group and role, not earlier ones', async () => {
    const { tenantId, owner, t, as } = await createTenantWithOwner();
    const groupId = uniqueId('newcomers');
    const roleId = uniqueId('viewer');
    expect((await api('POST', `${t}/groups`, { ...as, body: { groupId, name: 'N' } })).status).toBe(
      201,
    );
    await addRole({ t, as }, [{ resource: 'gatehouse:members', action: 'read' }], roleId, 'V');
    const early = await addUser(tenantId, owner.accessToken);
    const patched = await api('PATCH', t, {
      ...as,
      body: { settings: { defaultGroups: [groupId], defaultRoles: ['member', roleId] } },
    });
    expect(patched.status).toBe(200);
    const late = await addUser(tenantId, owner.accessToken);
    const email = uniqueEmail('invited');
    const inv = await api('POST', `${t}/invites`, { ...as, body: { emails: [email] } });
    expect(inv.body.results[0].status).toBe('invited');
    const [mail] = await waitForMails(email);
    if (!mail) throw new Error('no invite mail');
    const accepted = await api('POST', '/v1/invites/accept', {
      body: { token: tokenOf(mail), password: 'Joined-pass-123' },
    });
    expect(accepted.status).toBe(201);

    const read = (userId: string) => api('GET', `${t}/members/${userId}`, as);
    const earlyNow = (await read(early.userId)).body;
    expect(earlyNow.groups).not.toContain(groupId);
    expect(earlyNow.roles).toEqual([{ roleId: 'member' }]);
    for (const userId of [late.userId, accepted.body.userId]) {
      const m = (await read(userId)).body;
      expect(m.groups).toEqual(expect.arrayContaining(['everyone', groupId]));
      expect(m.roles.map((r: { roleId: string }) => r.roleId).sort()).toEqual(
        ['member', roleId].sort(),
      );
    }
    // The defaults carry their permissions: the late joiner can list members, the early one not.
    expect((await api('GET', `${t}/members`, { token: late.accessToken })).status).toBe(200);
    expect((await api('GET', `${t}/members`, { token: early.accessToken })).status).toBe(403);
  });
});
