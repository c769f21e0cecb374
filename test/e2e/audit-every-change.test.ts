/**
 * Rule 9, driven by the route table: every change writes its audit event (who, what, when,
 * before/after). One scenario walks every mutating route of the route table once, each call
 * succeeding, and after each the tenant's audit log holds a new event by the caller; a route
 * added to the table without a step here fails the coverage check. Failed changes add nothing.
 */
import { describe, expect, it } from 'vitest';
import { tokenOf, waitForMails } from '../support/mail-store.js';
import { isMutating, routeKey, routeTable } from '../support/route-samples.js';
import {
  type ApiResponse,
  acceptMailedInvite,
  addUser,
  api,
  createTenantWithOwner,
  createUser,
  type TestUser,
  uniqueEmail,
  uniqueId,
} from '../support/stack-client.js';
import { auditEvents } from '../support/table-snapshot.js';

interface Step {
  route: string;
  call: () => Promise<ApiResponse>;
  status: number;
  /** Who the event must name; defaults to the tenant owner. */
  actor?: () => string;
  /** Tenants whose audit log must gain an event; defaults to the scenario's tenant. */
  tenants?: () => string[];
}

describe('every change writes its audit event', () => {
  it('adds an event by the caller, with before or after, for every mutating route of the route table', async () => {
    const { tenantId, owner, t } = await createTenantWithOwner();
    const as = (u: TestUser) => ({ token: u.accessToken });
    const o = as(owner);
    const user = await createUser(uniqueEmail('audited'));
    const leaver = await addUser(tenantId, owner.accessToken);
    const newTenant = uniqueId('t');
    const groupId = uniqueId('g');
    const roleId = uniqueId('r');
    const saId = uniqueId('sa');
    const sa = `${t}/service-accounts/${saId}`;
    const rid = encodeURIComponent('app:audited/things');
    const ids: Record<string, string> = {};
    const keep = (name: string, field: string) => (res: ApiResponse) => {
      ids[name] = String(field === 'results' ? res.body.results[0].inviteId : res.body[field]);
      return res;
    };

    const steps: Step[] = [
      {
        route: 'POST /v1/tenants',
        call: () => api('POST', '/v1/tenants', { ...o, body: { tenantId: newTenant, name: 'N' } }),
        status: 201,
        tenants: () => [newTenant],
      },
      {
        route: 'PATCH /v1/tenants/{tenantId}',
        call: () => api('PATCH', t, { ...o, body: { name: 'Audited tenant' } }),
        status: 200,
      },
      {
        route: 'POST /v1/tenants/{tenantId}/members',
        call: () => api('POST', `${t}/members`, { ...o, body: { email: user.email } }),
        status: 201,
      },
      {
        // The added person joins by their own act: accepting the invite the add mailed them.
        route: 'POST /v1/invites/accept',
        call: () => acceptMailedInvite(user, tenantId),
        status: 200,
        actor: () => user.userId,
      },
      {
        route: 'POST /v1/tenants/{tenantId}/members/{userId}/tokens',
        call: () =>
          api('POST', `${t}/members/${user.userId}/tokens`, {
            ...as(user),
            body: { name: 'p1' },
          }).then(keep('personal1', 'tokenId')),
        status: 201,
        actor: () => user.userId,
      },
      {
        route: 'DELETE /v1/me/tokens/{tokenId}',
        call: () => api('DELETE', `/v1/me/tokens/${ids.personal1}`, as(user)),
        status: 204,
        actor: () => user.userId,
      },
      {
        route: 'POST /v1/tenants/{tenantId}/members/{userId}/tokens',
        call: () =>
          api('POST', `${t}/members/${user.userId}/tokens`, {
            ...as(user),
            body: { name: 'p2' },
          }).then(keep('personal2', 'tokenId')),
        status: 201,
        actor: () => user.userId,
      },
      {
        route: 'DELETE /v1/tenants/{tenantId}/members/{userId}/tokens/{tokenId}',
        call: () => api('DELETE', `${t}/members/${user.userId}/tokens/${ids.personal2}`, o),
        status: 204,
      },
      {
        route: 'POST /v1/me/logout',
        call: () => api('POST', '/v1/me/logout', as(user)),
        status: 204,
        actor: () => user.userId,
        // Rule 17: a person's sign-out everywhere is not an event of the tenants they belong to
        // (it told every tenant when they signed out); it is one user-wide stamp, read by every
        // decision (security-release and logout tests), and no tenant's audit log gets it.
        tenants: () => [],
      },
      {
        route: 'PATCH /v1/tenants/{tenantId}/members/{userId}',
        call: () =>
          api('PATCH', `${t}/members/${user.userId}`, { ...o, body: { status: 'disabled' } }),
        status: 200,
      },
      {
        route: 'PATCH /v1/tenants/{tenantId}/members/{userId}',
        call: () =>
          api('PATCH', `${t}/members/${user.userId}`, { ...o, body: { status: 'active' } }),
        status: 200,
      },
      {
        route: 'PUT /v1/tenants/{tenantId}/members/{userId}/roles/{roleId}',
        call: () => api('PUT', `${t}/members/${user.userId}/roles/admin`, { ...o, body: {} }),
        status: 200,
      },
      {
        route: 'DELETE /v1/tenants/{tenantId}/members/{userId}/roles/{roleId}',
        call: () => api('DELETE', `${t}/members/${user.userId}/roles/admin`, o),
        status: 204,
      },
      {
        route: 'POST /v1/tenants/{tenantId}/members/{userId}/logout',
        call: () => api('POST', `${t}/members/${user.userId}/logout`, o),
        status: 204,
      },
      {
        route: 'POST /v1/tenants/{tenantId}/logout/{identifier}',
        call: () => api('POST', `${t}/logout/${encodeURIComponent(user.email)}`, o),
        status: 204,
      },
      {
        route: 'POST /v1/tenants/{tenantId}/invites',
        call: () =>
          api('POST', `${t}/invites`, { ...o, body: { emails: [uniqueEmail('ai')] } }).then(
            keep('invite1', 'results'),
          ),
        status: 200,
      },
      {
        route: 'POST /v1/tenants/{tenantId}/invites/{inviteId}/resend',
        call: () => api('POST', `${t}/invites/${ids.invite1}/resend`, o),
        status: 200,
      },
      {
        route: 'DELETE /v1/tenants/{tenantId}/invites/{inviteId}',
        call: () => api('DELETE', `${t}/invites/${ids.invite1}`, o),
        status: 204,
      },
      {
        route: 'POST /v1/invites/accept',
        call: async () => {
          const email = uniqueEmail('joiner');
          const res = await api('POST', `${t}/invites`, { ...o, body: { emails: [email] } });
          expect(res.body.results[0].status).toBe('invited');
          const [mail] = await waitForMails(email);
          if (!mail) throw new Error('no invite mail');
          return api('POST', '/v1/invites/accept', {
            body: { token: tokenOf(mail), password: 'Joined-pass-123' },
          }).then(keep('joiner', 'userId'));
        },
        status: 201,
        actor: () => ids.joiner ?? '',
      },
      {
        route: 'POST /v1/tenants/{tenantId}/groups',
        call: () => api('POST', `${t}/groups`, { ...o, body: { groupId, name: 'G' } }),
        status: 201,
      },
      {
        route: 'PATCH /v1/tenants/{tenantId}/groups/{groupId}',
        call: () => api('PATCH', `${t}/groups/${groupId}`, { ...o, body: { name: 'G2' } }),
        status: 200,
      },
      {
        route: 'PUT /v1/tenants/{tenantId}/groups/{groupId}/members/{userId}',
        call: () => api('PUT', `${t}/groups/${groupId}/members/${user.userId}`, o),
        status: 204,
      },
      {
        route: 'DELETE /v1/tenants/{tenantId}/groups/{groupId}/members/{userId}',
        call: () => api('DELETE', `${t}/groups/${groupId}/members/${user.userId}`, o),
        status: 204,
      },
      {
        route: 'POST /v1/tenants/{tenantId}/roles',
        call: () =>
          api('POST', `${t}/roles`, {
            ...o,
            body: { roleId, name: 'R', permissions: [{ resource: 'app:audited', action: 'read' }] },
          }),
        status: 201,
      },
      {
        route: 'PUT /v1/tenants/{tenantId}/roles/{roleId}',
        call: () =>
          api('PUT', `${t}/roles/${roleId}`, {
            ...o,
            body: { name: 'R2', permissions: [{ resource: 'app:audited', action: 'update' }] },
          }),
        status: 200,
      },
      {
        route: 'PUT /v1/tenants/{tenantId}/groups/{groupId}/roles/{roleId}',
        call: () => api('PUT', `${t}/groups/${groupId}/roles/${roleId}`, { ...o, body: {} }),
        status: 200,
      },
      {
        route: 'DELETE /v1/tenants/{tenantId}/groups/{groupId}/roles/{roleId}',
        call: () => api('DELETE', `${t}/groups/${groupId}/roles/${roleId}`, o),
        status: 204,
      },
      {
        route: 'PUT /v1/tenants/{tenantId}/acls/{rid}/users/{userId}/{action}',
        call: () => api('PUT', `${t}/acls/${rid}/users/${user.userId}/read`, o),
        status: 204,
      },
      {
        route: 'DELETE /v1/tenants/{tenantId}/acls/{rid}/users/{userId}/{action}',
        call: () => api('DELETE', `${t}/acls/${rid}/users/${user.userId}/read`, o),
        status: 204,
      },
      {
        route: 'PUT /v1/tenants/{tenantId}/namespaces/{prefix}',
        call: () =>
          api('PUT', `${t}/namespaces/${encodeURIComponent('ns:audit')}`, {
            ...o,
            body: { actions: ['full'] },
          }),
        status: 200,
      },
      {
        route: 'DELETE /v1/tenants/{tenantId}/namespaces/{prefix}',
        call: () => api('DELETE', `${t}/namespaces/${encodeURIComponent('ns:audit')}`, o),
        status: 204,
      },
      {
        route: 'PUT /v1/tenants/{tenantId}/acls/{rid}/groups/{groupId}/{action}',
        call: () => api('PUT', `${t}/acls/${rid}/groups/${groupId}/read`, o),
        status: 204,
      },
      {
        route: 'DELETE /v1/tenants/{tenantId}/acls/{rid}/groups/{groupId}/{action}',
        call: () => api('DELETE', `${t}/acls/${rid}/groups/${groupId}/read`, o),
        status: 204,
      },
      {
        route: 'POST /v1/tenants/{tenantId}/service-accounts',
        call: () =>
          api('POST', `${t}/service-accounts`, {
            ...o,
            body: { serviceAccountId: saId, name: 'S' },
          }),
        status: 201,
      },
      {
        route: 'PATCH /v1/tenants/{tenantId}/service-accounts/{serviceAccountId}',
        call: () => api('PATCH', sa, { ...o, body: { name: 'S2' } }),
        status: 200,
      },
      {
        route: 'PUT /v1/tenants/{tenantId}/service-accounts/{serviceAccountId}/roles/{roleId}',
        call: () => api('PUT', `${sa}/roles/${roleId}`, { ...o, body: {} }),
        status: 200,
      },
      {
        route: 'DELETE /v1/tenants/{tenantId}/service-accounts/{serviceAccountId}/roles/{roleId}',
        call: () => api('DELETE', `${sa}/roles/${roleId}`, o),
        status: 204,
      },
      {
        route: 'PUT /v1/tenants/{tenantId}/service-accounts/{serviceAccountId}/groups/{groupId}',
        call: () => api('PUT', `${sa}/groups/${groupId}`, o),
        status: 200,
      },
      {
        route: 'DELETE /v1/tenants/{tenantId}/service-accounts/{serviceAccountId}/groups/{groupId}',
        call: () => api('DELETE', `${sa}/groups/${groupId}`, o),
        status: 204,
      },
      {
        route: 'PUT /v1/tenants/{tenantId}/acls/{rid}/service-accounts/{serviceAccountId}/{action}',
        call: () => api('PUT', `${t}/acls/${rid}/service-accounts/${saId}/read`, o),
        status: 204,
      },
      {
        route:
          'DELETE /v1/tenants/{tenantId}/acls/{rid}/service-accounts/{serviceAccountId}/{action}',
        call: () => api('DELETE', `${t}/acls/${rid}/service-accounts/${saId}/read`, o),
        status: 204,
      },
      {
        route: 'POST /v1/tenants/{tenantId}/service-accounts/{serviceAccountId}/tokens',
        call: () =>
          api('POST', `${sa}/tokens`, { ...o, body: { name: 'ci' } }).then(keep('sat', 'tokenId')),
        status: 201,
      },
      {
        route: 'DELETE /v1/tenants/{tenantId}/service-accounts/{serviceAccountId}/tokens/{tokenId}',
        call: () => api('DELETE', `${sa}/tokens/${ids.sat}`, o),
        status: 204,
      },
      {
        route: 'DELETE /v1/tenants/{tenantId}/service-accounts/{serviceAccountId}',
        call: () => api('DELETE', sa, o),
        status: 204,
      },
      {
        route: 'DELETE /v1/tenants/{tenantId}/roles/{roleId}',
        call: () => api('DELETE', `${t}/roles/${roleId}`, o),
        status: 204,
      },
      {
        route: 'DELETE /v1/tenants/{tenantId}/groups/{groupId}',
        call: () => api('DELETE', `${t}/groups/${groupId}`, o),
        status: 204,
      },
      {
        route: 'DELETE /v1/tenants/{tenantId}/members/{userId}',
        call: () => api('DELETE', `${t}/members/${user.userId}`, o),
        status: 204,
      },
      {
        route: 'DELETE /v1/me/tenants/{tenantId}',
        call: () => api('DELETE', `/v1/me/tenants/${tenantId}`, as(leaver)),
        status: 204,
        actor: () => leaver.userId,
      },
    ];

    const mutating = routeTable.filter(isMutating).map(routeKey);
    const walked = new Set(steps.map((s) => s.route));
    expect(
      mutating.filter((k) => !walked.has(k)),
      'mutating routes without an audit step',
    ).toEqual([]);
    expect([...walked].filter((k) => !mutating.includes(k))).toEqual([]);

    const missing: string[] = [];
    for (const step of steps) {
      const tenants = step.tenants?.() ?? [tenantId];
      const before = new Map<string, Set<unknown>>();
      for (const tid of tenants)
        before.set(tid, new Set((await auditEvents(tid)).map((e) => e.eventId)));
      const res = await step.call();
      expect(res.status, `${step.route}: ${JSON.stringify(res.body)}`).toBe(step.status);
      const actor = step.actor?.() ?? owner.userId;
      for (const tid of tenants) {
        const added = (await auditEvents(tid)).filter((e) => !before.get(tid)?.has(e.eventId));
        const good = added.filter(
          (e) =>
            e.actor === actor &&
            typeof e.action === 'string' &&
            e.action.length > 0 &&
            typeof e.target === 'string' &&
            !Number.isNaN(Date.parse(String(e.at))) &&
            (e.before !== undefined || e.after !== undefined),
        );
        if (good.length === 0) missing.push(`${step.route} in ${tid}: ${JSON.stringify(added)}`);
      }
    }
    expect(missing, 'changes without their audit event').toEqual([]);
  }, 120_000);
});

describe('a refused change writes no audit event', () => {
  it('adds nothing to the audit log for 400, 403, 404 and 409 answers', async () => {
    const { tenantId, owner, t } = await createTenantWithOwner();
    const admin = await addUser(tenantId, owner.accessToken, ['admin']);
    const before = await auditEvents(tenantId);
    const refused: [string, string, TestUser, unknown, number][] = [
      // Rule 12: an admin acting against a superuser is 403 before rule 3's 409 is reached.
      ['DELETE', `${t}/members/${owner.userId}`, admin, undefined, 403],
      ['PATCH', `${t}/members/${owner.userId}`, admin, { status: 'disabled' }, 403],
      ['DELETE', `${t}/members/${admin.userId}`, admin, undefined, 409],
      ['DELETE', `${t}/groups/superusers/members/${owner.userId}`, owner, undefined, 409],
      ['DELETE', `${t}/acls/gatehouse:superuser/groups/superusers/full`, owner, undefined, 409],
      ['DELETE', `${t}/groups/everyone`, owner, undefined, 409],
      ['PUT', `${t}/members/${admin.userId}/roles/owner`, admin, {}, 403],
      ['PUT', `${t}/groups/superusers/members/${admin.userId}`, admin, undefined, 403],
      ['PUT', `${t}/acls/app:billing/users/${admin.userId}/full`, admin, undefined, 403],
      ['POST', `${t}/groups`, owner, { groupId: 'Bad Id', name: 'x' }, 400],
      ['PATCH', t, owner, { settings: { inviteTtlHours: 0 } }, 400],
      ['DELETE', `${t}/roles/${uniqueId('nope')}`, owner, undefined, 404],
      ['POST', `${t}/invites/${uniqueId('nope')}/resend`, owner, undefined, 404],
    ];
    for (const [method, path, who, body, status] of refused) {
      const res = await api(method, path, { token: who.accessToken, body });
      expect(res.status, `${method} ${path}`).toBe(status);
    }
    expect(await auditEvents(tenantId)).toEqual(before);
  });
});
