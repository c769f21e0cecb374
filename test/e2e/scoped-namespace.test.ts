/**
 * L2: a role bound with a scope under a registered namespace confers only what the namespace
 * accepts. A binding that would confer more is refused (400 naming body.scope, nothing
 * written) for members, groups and service accounts; and when a later change of the role would
 * make an accepted binding confer more, the engine drops what the namespace refuses.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiResponse,
  addUser,
  api,
  createTenantWithOwner,
  type TestUser,
  uniqueId,
} from '../support/stack-client.js';
import { snapshotTenant } from '../support/table-snapshot.js';

const NS = 'dcos:adminrouter';
const SCOPE = 'dcos:adminrouter:service:marathon';
let tenantId: string;
let t: string;
let as: { token: string };
let member: TestUser;
let inGroup: TestUser;
let groupId: string;
let saId: string;

async function ok(res: Promise<ApiResponse>, status: number, what: string) {
  const r = await res;
  expect(r.status, `${what}: ${JSON.stringify(r.body)}`).toBe(status);
  return r;
}

async function role(permissions: { resource: string; action: string }[]) {
  const roleId = uniqueId('r');
  await ok(
    api('POST', `${t}/roles`, { ...as, body: { roleId, name: 'R', permissions } }),
    201,
    'role',
  );
  return roleId;
}

/** The three ways to bind a role: to a member, to a group (of `inGroup`), to a service account. */
const bindings = () =>
  [
    ['a member', `${t}/members/${member.userId}/roles`, { userId: member.userId }],
    ['a group', `${t}/groups/${groupId}/roles`, { userId: inGroup.userId }],
    ['a service account', `${t}/service-accounts/${saId}/roles`, { serviceAccountId: saId }],
  ] as const;

async function allowed(subject: Record<string, string>, action: string, resource = SCOPE) {
  const res = await ok(
    api('POST', `${t}/check`, { ...as, body: { ...subject, resource, action } }),
    200,
    'check',
  );
  return res.body.allowed as boolean;
}

beforeAll(async () => {
  const created = await createTenantWithOwner();
  tenantId = created.tenantId;
  t = `/v1/tenants/${tenantId}`;
  as = { token: created.owner.accessToken };
  [member, inGroup] = await Promise.all([addUser(tenantId, as.token), addUser(tenantId, as.token)]);
  groupId = uniqueId('g');
  await ok(api('POST', `${t}/groups`, { ...as, body: { groupId, name: 'G' } }), 201, 'group');
  await ok(api('PUT', `${t}/groups/${groupId}/members/${inGroup.userId}`, as), 204, 'join');
  saId = uniqueId('sa');
  await ok(
    api('POST', `${t}/service-accounts`, { ...as, body: { serviceAccountId: saId, name: 'S' } }),
    201,
    'service account',
  );
  await ok(
    api('PUT', `${t}/namespaces/${encodeURIComponent(NS)}`, { ...as, body: { actions: ['full'] } }),
    200,
    'namespace',
  );
}, 60_000);

describe('a scoped role binding under a namespace that accepts only full', () => {
  it('is refused with 400 naming body.scope when it would grant read there, writing nothing', async () => {
    // `dcos` lies outside the namespace, so the role itself is accepted.
    const viewer = await role([{ resource: 'dcos', action: 'read' }]);
    const before = await snapshotTenant(tenantId);
    for (const [who, base, subject] of bindings()) {
      const res = await api('PUT', `${base}/${viewer}`, { ...as, body: { scope: SCOPE } });
      expect(res.status, `${who}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('body.scope');
      expect(await allowed(subject, 'read'), who).toBe(false);
    }
    expect(await snapshotTenant(tenantId)).toEqual(before);
  });

  it('is accepted when the role grants full there (the control)', async () => {
    const admin = await role([{ resource: 'dcos', action: 'full' }]);
    for (const [who, base, subject] of bindings()) {
      const res = await api('PUT', `${base}/${admin}`, { ...as, body: { scope: SCOPE } });
      expect(res.status, `${who}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
      expect(await allowed(subject, 'full'), who).toBe(true);
    }
  });

  it('confers no read there after the role is changed to read (the engine drops it)', async () => {
    const other = 'dcos:adminrouter:ops';
    const changing = await role([{ resource: 'dcos', action: 'full' }]);
    for (const [who, base, subject] of bindings()) {
      const res = await api('PUT', `${base}/${changing}`, { ...as, body: { scope: other } });
      expect(res.status, `${who}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
      expect(await allowed(subject, 'full', other), who).toBe(true);
    }
    // `dcos read` lies outside the namespace, so the change itself is accepted.
    await ok(
      api('PUT', `${t}/roles/${changing}`, {
        ...as,
        body: { name: 'R', permissions: [{ resource: 'dcos', action: 'read' }] },
      }),
      200,
      'role change',
    );
    for (const [who, , subject] of bindings()) {
      expect(await allowed(subject, 'read', other), `${who} after the role change`).toBe(false);
      expect(await allowed(subject, 'full', other), `${who} after the role change`).toBe(false);
    }
  });
});
