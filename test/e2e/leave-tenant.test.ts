import { describe, expect, it } from 'vitest';
import { addUser, api, createTenantWithOwner } from '../support/stack-client.js';
import { auditEvents, tenantItems } from '../support/table-snapshot.js';

async function rowsOf(tenantId: string, userId: string) {
  // Invites keep who accepted them (history) and the session floor keeps credentials from
  // before leaving dead for a later membership (rule 11); nothing else may name the person.
  return (await tenantItems(tenantId)).filter(
    (i) => i.type !== 'invite' && i.type !== 'session-floor' && JSON.stringify(i).includes(userId),
  );
}

describe('leaving a tenant', () => {
  it('removes the membership, its grants, groups and personal tokens, audited in that tenant', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const other = await createTenantWithOwner();
    const user = await addUser(tenantId, owner.accessToken, ['admin']);
    const t = `/v1/tenants/${tenantId}`;
    expect(
      (
        await api('POST', `${t}/groups`, {
          token: owner.accessToken,
          body: { groupId: 'g1', name: 'G' },
        })
      ).status,
    ).toBe(201);
    expect(
      (await api('PUT', `${t}/groups/g1/members/${user.userId}`, { token: owner.accessToken }))
        .status,
    ).toBe(204);
    const minted = await api('POST', `${t}/members/${user.userId}/tokens`, {
      token: user.accessToken,
      body: { name: 'laptop' },
    });
    expect(minted.status).toBe(201);

    const left = await api('DELETE', `/v1/me/tenants/${tenantId}`, { token: user.accessToken });
    expect(left.status).toBe(204);
    expect(await rowsOf(tenantId, user.userId)).toEqual([]);
    const me = await api('GET', '/v1/me', { token: user.accessToken });
    expect(me.body.tenants.map((x: { tenantId: string }) => x.tenantId)).not.toContain(tenantId);
    // The personal token died with the membership; the session no longer reaches the tenant.
    expect((await api('GET', `${t}/members`, { token: String(minted.body.token) })).status).toBe(
      401,
    );
    expect((await api('GET', `${t}/members`, { token: user.accessToken })).status).toBe(404);
    const events = await auditEvents(tenantId);
    expect(events.at(-1)).toMatchObject({ action: 'member.leave', actor: user.userId });
    // Leaving a tenant one does not belong to is a 404, like any other tenant route.
    const stranger = await api('DELETE', `/v1/me/tenants/${other.tenantId}`, {
      token: user.accessToken,
    });
    expect(stranger.status).toBe(404);
  });

  it('refuses the last superuser with 409 problem+json, and lets them go once another exists', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const res = await api('DELETE', `/v1/me/tenants/${tenantId}`, { token: owner.accessToken });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const second = await addUser(tenantId, owner.accessToken, ['owner']);
    expect(second.userId).toBeTruthy();
    expect(
      (await api('DELETE', `/v1/me/tenants/${tenantId}`, { token: owner.accessToken })).status,
    ).toBe(204);
  });

  it('does not count a pending owner as a superuser', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const added = await api('POST', `/v1/tenants/${tenantId}/members`, {
      token: owner.accessToken,
      body: { email: 'pending-owner@example.test', roles: ['owner'] },
    });
    expect(added.status).toBe(201);
    const res = await api('DELETE', `/v1/me/tenants/${tenantId}`, { token: owner.accessToken });
    expect(res.status).toBe(409);
  });
});
