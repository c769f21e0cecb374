/**
 * Rule 16 from the outside: every tenant has limits, and reaching one is a 409 problem+json
 * naming the limit and the field, with nothing written (the tenant's items and its audit log are
 * as before). Never a 500, for anyone: the superuser keeps working after a limit is hit.
 * Covers the policy item filled with large roles (M7) and the check amplification of issue 20
 * (deep resources, many scoped bindings, an unbounded permissions listing).
 */
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { errorToProblem } from '#shared/http/problem.js';
import { domainDeps } from '../support/domain-deps.js';
import {
  type ApiResponse,
  addUser,
  api,
  createTenantWithOwner,
  ddb,
  stack,
  uniqueEmail,
  uniqueId,
} from '../support/stack-client.js';
import { cognitoUserExists, itemAt, snapshotTenant } from '../support/table-snapshot.js';

/** Every status any request of this file answered: none may be a 500. */
const statuses: { what: string; status: number }[] = [];

async function call(
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<ApiResponse> {
  const res = await api(method, path, body === undefined ? { token } : { token, body });
  statuses.push({ what: `${method} ${path}`, status: res.status });
  return res;
}

async function ok(res: Promise<ApiResponse>, what: string): Promise<ApiResponse> {
  const r = await res;
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r;
}

/** The 409 of a reached limit: problem+json naming the limit (in `limit` and detail) and the field. */
function expectLimit(res: ApiResponse, limit: string, field: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(409);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body).toMatchObject({
    type: 'urn:gatehouse:problem:limit-reached',
    title: 'Limit reached',
    status: 409,
    limit,
  });
  expect(typeof res.body.max).toBe('number');
  expect(res.body.detail).toContain(limit);
  expect(res.body.errors).toEqual([{ path: field, message: expect.stringContaining(limit) }]);
}

/** Runs a request that must be refused, and shows the tenant and its audit log unchanged. */
async function refusedWithNothingWritten(
  tenantId: string,
  request: () => Promise<ApiResponse>,
): Promise<ApiResponse> {
  const before = await snapshotTenant(tenantId);
  const res = await request();
  expect(await snapshotTenant(tenantId)).toEqual(before);
  return res;
}

/** Sets an operator override of the tenant's limits on its tenant item. */
async function setLimits(tenantId: string, limits: Record<string, number>): Promise<void> {
  await ddb.send(
    new UpdateCommand({
      TableName: stack.dynamodb.tableName,
      Key: { pk: `TENANT#${tenantId}`, sk: 'META' },
      UpdateExpression: 'SET limits = :l',
      ExpressionAttributeValues: { ':l': limits },
    }),
  );
}

const rules = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ resource: `${prefix}:${i}`, action: 'read' }));

describe('tenant limits (rule 16)', () => {
  it('M7: large roles fill the policy only to its byte limit; then a role is a 409 policyBytes and everybody, the superuser first, keeps working', async () => {
    const { tenantId, owner, t } = await createTenantWithOwner();
    const token = owner.accessToken;
    const member = await addUser(tenantId, token);
    // About 55 KB of DynamoDB item per role: 200 permissions on 240-character resources.
    const bigRole = (i: number) => ({
      roleId: `big-${i}`,
      name: `Big ${i}`,
      permissions: rules(`app:${i}:${'x'.repeat(230)}`, 200),
    });
    let refused: ApiResponse | undefined;
    let created = 0;
    for (let i = 0; i < 8 && !refused; i++) {
      const res = await refusedOrCreated(tenantId, () =>
        call('POST', `${t}/roles`, token, bigRole(i)),
      );
      if (res.status === 201) created++;
      else refused = res;
    }
    expect(created).toBe(4);
    if (!refused) throw new Error('no limit was reached');
    expectLimit(refused, 'policyBytes', 'body.permissions');
    const policy = await itemAt(`TENANT#${tenantId}`, 'POLICY');
    expect(JSON.stringify(policy).length).toBeLessThan(300 * 1024);

    // Everything that does not grow the policy past its limit still works, for the superuser.
    await ok(call('POST', `${t}/groups`, token, { groupId: 'ops', name: 'Ops' }), 'group');
    await ok(call('PUT', `${t}/acls/app%3Aops/groups/ops/read`, token), 'group grant');
    await ok(call('PUT', `${t}/groups/ops/roles/big-0`, token, {}), 'group binding');
    await ok(call('PUT', `${t}/groups/ops/members/${member.userId}`, token), 'join');
    await ok(call('PUT', `${t}/members/${member.userId}/roles/big-1`, token, {}), 'bind');
    await ok(call('PUT', `${t}/acls/app%3Ax/users/${member.userId}/read`, token), 'user grant');
    await ok(call('DELETE', `${t}/roles/big-3`, token), 'delete a role');
    await ok(call('POST', `${t}/roles`, token, bigRole(9)), 'a role fits again');
    const check = await ok(
      call('POST', `${t}/check`, token, {
        userId: member.userId,
        resource: `app:1:${'x'.repeat(230)}:7`,
        action: 'read',
      }),
      'check',
    );
    expect(check.body).toMatchObject({ allowed: true });
    expect(statuses.filter((s) => s.status >= 500)).toEqual([]);
  });

  it('every limit reached is a 409 naming it and the field, with nothing written; the superuser keeps working', async () => {
    const { tenantId, owner, t } = await createTenantWithOwner();
    const token = owner.accessToken;
    const m = await addUser(tenantId, token);
    await setLimits(tenantId, {
      rolesPerTenant: 3,
      groupsPerTenant: 3,
      permissionsPerRole: 3,
      rulesPerPrincipal: 2,
      bindingsPerPrincipal: 2,
      effectiveRulesPerPrincipal: 8,
      effectiveGroupRulesPerTenant: 12,
      namespacesPerTenant: 1,
    });
    const refused = (request: () => Promise<ApiResponse>) =>
      refusedWithNothingWritten(tenantId, request);
    const role = (roleId: string, n: number) => ({
      roleId,
      name: roleId,
      permissions: rules(`app:${roleId}`, n),
    });

    // Roles: their size and their number.
    expectLimit(
      await refused(() => call('POST', `${t}/roles`, token, role('r0', 4))),
      'permissionsPerRole',
      'body.permissions',
    );
    for (const r of ['r1', 'r2']) await ok(call('POST', `${t}/roles`, token, role(r, 3)), r);
    await ok(call('POST', `${t}/roles`, token, role('r3', 1)), 'r3');
    expectLimit(
      await refused(() =>
        call('PUT', `${t}/roles/r1`, token, { name: 'r1', permissions: rules('app:r1', 4) }),
      ),
      'permissionsPerRole',
      'body.permissions',
    );
    expectLimit(
      await refused(() => call('POST', `${t}/roles`, token, role('r4', 1))),
      'rolesPerTenant',
      'body.roleId',
    );

    // Groups: their number.
    for (const g of ['g1', 'g2', 'g3']) {
      await ok(call('POST', `${t}/groups`, token, { groupId: g, name: g }), g);
    }
    expectLimit(
      await refused(() => call('POST', `${t}/groups`, token, { groupId: 'g4', name: 'g4' })),
      'groupsPerTenant',
      'body.groupId',
    );

    // Direct rules of a member, of a group, of a service account.
    const userAcl = (rid: string) => `${t}/acls/${rid}/users/${m.userId}/read`;
    for (const rid of ['app%3Ad1', 'app%3Ad2']) await ok(call('PUT', userAcl(rid), token), rid);
    expectLimit(
      await refused(() => call('PUT', userAcl('app%3Ad3'), token)),
      'rulesPerPrincipal',
      'path.rid',
    );
    const groupAcl = (rid: string) => `${t}/acls/${rid}/groups/g1/read`;
    for (const rid of ['app%3Ag1', 'app%3Ag2']) await ok(call('PUT', groupAcl(rid), token), rid);
    expectLimit(
      await refused(() => call('PUT', groupAcl('app%3Ag3'), token)),
      'rulesPerPrincipal',
      'path.rid',
    );
    await ok(
      call('POST', `${t}/service-accounts`, token, { serviceAccountId: 'ci', name: 'CI' }),
      'service account',
    );
    const saAcl = (rid: string) => `${t}/acls/${rid}/service-accounts/ci/read`;
    for (const rid of ['app%3As1', 'app%3As2']) await ok(call('PUT', saAcl(rid), token), rid);
    expectLimit(
      await refused(() => call('PUT', saAcl('app%3As3'), token)),
      'rulesPerPrincipal',
      'path.rid',
    );

    // Role bindings of a member (it starts with `member`) and of a group.
    await ok(call('PUT', `${t}/members/${m.userId}/roles/r3`, token, {}), 'bind r3');
    expectLimit(
      await refused(() =>
        call('PUT', `${t}/members/${m.userId}/roles/r3`, token, { scope: 'app:r3:0' }),
      ),
      'bindingsPerPrincipal',
      'path.roleId',
    );
    for (const r of ['r1', 'r2']) await ok(call('PUT', `${t}/groups/g2/roles/${r}`, token, {}), r);
    expectLimit(
      await refused(() => call('PUT', `${t}/groups/g2/roles/r3`, token, {})),
      'bindingsPerPrincipal',
      'path.roleId',
    );

    // Effective rules: m holds 1 (member) + 1 (r3) + 2 direct = 4; g1 gives 2 more, g2 gives 6.
    await ok(call('PUT', `${t}/groups/g1/members/${m.userId}`, token), 'join g1');
    expectLimit(
      await refused(() => call('PUT', `${t}/groups/g2/members/${m.userId}`, token)),
      'effectiveRulesPerPrincipal',
      'path.groupId',
    );
    // ... and a binding on a group that would push one of its members (m, at 6) past it.
    const pushed = await refused(() => call('PUT', `${t}/groups/g1/roles/r1`, token, {}));
    expectLimit(pushed, 'effectiveRulesPerPrincipal', 'path.roleId');
    expect(pushed.body.detail).toContain(m.userId);
    // The groups together: superusers 1 + g1 2 + g2 6 = 9; r1 on g3 makes 12, r2 then 15.
    await ok(call('PUT', `${t}/groups/g3/roles/r1`, token, {}), 'g3 r1');
    expectLimit(
      await refused(() => call('PUT', `${t}/groups/g3/roles/r2`, token, {})),
      'effectiveGroupRulesPerTenant',
      'path.roleId',
    );

    // A new member starting past the limit (1 + g2's 6 + g3's 3): refused before anybody is
    // created or mailed, on the operator path and for an invite.
    const newcomer = uniqueEmail('newcomer');
    expectLimit(
      await refused(() =>
        call('POST', `${t}/members`, token, { email: newcomer, groups: ['g2', 'g3'] }),
      ),
      'effectiveRulesPerPrincipal',
      'body.groups',
    );
    expect(await cognitoUserExists(newcomer)).toBe(false);
    expectLimit(
      await refused(() =>
        call('POST', `${t}/invites`, token, { emails: [newcomer], groups: ['g2', 'g3'] }),
      ),
      'effectiveRulesPerPrincipal',
      'body.groups',
    );

    // Namespaces.
    await ok(call('PUT', `${t}/namespaces/ns1`, token, { actions: ['full'] }), 'ns1');
    expectLimit(
      await refused(() => call('PUT', `${t}/namespaces/ns2`, token, { actions: ['full'] })),
      'namespacesPerTenant',
      'path.prefix',
    );

    // The superuser keeps working: shrinking always works, and then growing fits again.
    await ok(call('DELETE', `${t}/roles/r3`, token), 'delete r3');
    await ok(call('POST', `${t}/roles`, token, role('r4', 1)), 'r4 fits now');
    await ok(call('DELETE', `${t}/groups/g3`, token), 'delete g3');
    await ok(call('POST', `${t}/groups`, token, { groupId: 'g4', name: 'g4' }), 'g4 fits now');
    await ok(call('GET', `${t}/members/${m.userId}/permissions`, token), 'permissions');
    expect(statuses.filter((s) => s.status >= 500)).toEqual([]);
  });

  it('issue 20: deep resources are a 400; scoped bindings stop at the effective-rule limit; the permissions listing is paged', async () => {
    const { tenantId, owner, t } = await createTenantWithOwner();
    const token = owner.accessToken;
    const m = await addUser(tenantId, token);

    // A 60-level prefix is refused in a role, in a grant and in a check (limit resourceDepth).
    const deep = Array.from({ length: 60 }, (_, i) => `l${i}`).join(':');
    const deepRole = await refusedWithNothingWritten(tenantId, () =>
      call('POST', `${t}/roles`, token, {
        roleId: 'deep',
        name: 'Deep',
        permissions: rules(deep, 1),
      }),
    );
    expect(deepRole.status).toBe(400);
    expect(deepRole.body.errors).toEqual([
      { path: 'body.permissions.0.resource', message: expect.stringContaining('resourceDepth') },
    ]);
    const deepCheck = await call('POST', `${t}/check`, token, {
      userId: m.userId,
      resource: deep,
      action: 'read',
    });
    expect(deepCheck.status).toBe(400);
    expect(deepCheck.body.errors[0].path).toBe('body.resource');

    // Eight roles of 200 rules under a 30-level prefix, bound to m under ever deeper scopes.
    const levels = Array.from({ length: 30 }, (_, i) => `l${i}`);
    const prefix = levels.join(':');
    for (let r = 0; r < 8; r++) {
      await ok(
        call('POST', `${t}/roles`, token, {
          roleId: `wide-${r}`,
          name: `Wide ${r}`,
          permissions: rules(`${prefix}:r${r}`, 200),
        }),
        `role ${r}`,
      );
    }
    // m starts with 1 rule (member); each binding adds 200: 24 fit under 5,000, the 25th not.
    let bound = 0;
    let refusal: ApiResponse | undefined;
    for (let i = 0; i < 30 && !refusal; i++) {
      const scope = levels.slice(0, 1 + (i % levels.length)).join(':');
      const res = await refusedOrCreated(tenantId, () =>
        call('PUT', `${t}/members/${m.userId}/roles/wide-${Math.floor(i / 8) % 8}`, token, {
          scope: `${scope}`,
        }),
      );
      if (res.status === 200) bound++;
      else refusal = res;
    }
    if (!refusal) throw new Error('no limit was reached');
    expectLimit(refusal, 'effectiveRulesPerPrincipal', 'path.roleId');
    expect(bound).toBe(24);

    // The listing is paged: 25 by default, up to 100, with a cursor; total counts them all.
    const perms = `${t}/members/${m.userId}/permissions`;
    const first = await ok(call('GET', perms, token), 'permissions');
    expect(first.body.total).toBe(4801);
    expect(first.body.items).toHaveLength(25);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const next = await ok(
      call('GET', `${perms}?limit=100&cursor=${first.body.nextCursor}`, token),
      'page 2',
    );
    expect(next.body.items).toHaveLength(100);
    expect(next.body.items[0]).not.toEqual(first.body.items[0]);
    expect((await call('GET', `${perms}?limit=101`, token)).status).toBe(400);
    const forged = await call('GET', `${perms}?cursor=bm90LWEtY3Vyc29y`, token);
    expect(forged.status).toBe(400);
    expect(forged.body.errors[0].path).toBe('query.cursor');

    // A batch of 100 checks of this, the largest principal the limits allow, answers.
    const batch = await ok(
      call('POST', `${t}/check`, token, {
        checks: Array.from({ length: 100 }, (_, i) => ({
          userId: m.userId,
          resource: `${levels.slice(0, 1 + (i % 24)).join(':')}:r0:${i}`,
          action: 'read',
        })),
      }),
      'check 100',
    );
    expect(batch.body.results).toHaveLength(100);
    expect(statuses.filter((s) => s.status >= 500)).toEqual([]);
  });

  it('an item DynamoDB finds too large is the itemSize limit, never a 500, and is not written', async () => {
    const deps = domainDeps();
    const key = { pk: `TENANT#${uniqueId('big')}`, sk: 'POLICY' };
    let caught: unknown;
    try {
      await deps.db.send(
        new PutCommand({
          TableName: deps.tableName,
          Item: { ...key, blob: 'x'.repeat(410 * 1024) },
        }),
      );
    } catch (error) {
      caught = error;
    }
    const problem = errorToProblem(caught);
    expect(problem.statusCode).toBe(409);
    expect(JSON.parse(String(problem.body))).toMatchObject({ limit: 'itemSize' });
    expect(await itemAt(key.pk, key.sk)).toBeUndefined();
  });
});

/** A request that either succeeds or is refused; a refusal must have written nothing. */
async function refusedOrCreated(
  tenantId: string,
  request: () => Promise<ApiResponse>,
): Promise<ApiResponse> {
  const before = await snapshotTenant(tenantId);
  const res = await request();
  if (res.status >= 300) expect(await snapshotTenant(tenantId)).toEqual(before);
  return res;
}
