/**
 * A check compiles a principal's permissions once per item content and policy version in a warm
 * acls function (as the authorizer does), never once per member: each change to a member's own
 * item (a direct rule revoked, a role unbound, the member disabled) is followed at once by checks,
 * single and batched, that must see it, while a member holding the very same grants keeps its
 * own answer and its own userId.
 */
import { describe, expect, it } from 'vitest';
import {
  addUser,
  api,
  createTenantWithOwner,
  expectStatus,
  uniqueId,
} from '../support/stack-client.js';

const enc = encodeURIComponent;

interface Result {
  allowed: boolean;
  userId: string;
  reason: string;
}

describe('POST /check after a change to the member', () => {
  it('sees a revoked rule, an unbound role and a disabled member on the very next request', async () => {
    const { tenantId, owner, t, as } = await createTenantWithOwner();
    const a = await addUser(tenantId, owner.accessToken);
    const b = await addUser(tenantId, owner.accessToken);
    const rule = `${t}/acls/${enc('app:ledger')}/users`;
    const roleId = uniqueId('reader');
    await expectStatus(
      api('POST', `${t}/roles`, {
        ...as,
        body: { roleId, name: 'Reader', permissions: [{ resource: 'app:books', action: 'read' }] },
      }),
      201,
    );
    // Both members hold the very same grants: one rule and one role.
    for (const user of [a, b]) {
      await expectStatus(api('PUT', `${rule}/${user.userId}/read`, as), 204);
      await expectStatus(
        api('PUT', `${t}/members/${user.userId}/roles/${roleId}`, { ...as, body: {} }),
        200,
      );
    }
    const batch = (resource: string) => ({
      checks: [a, b].map((u) => ({ userId: u.userId, resource, action: 'read' })),
    });
    const check = async (resource: string) => {
      const res = await api('POST', `${t}/check`, { ...as, body: batch(resource) });
      expect(res.status).toBe(200);
      return res.body.results as Result[];
    };
    const single = async (userId: string, resource: string) => {
      const res = await api('POST', `${t}/check`, {
        ...as,
        body: { userId, resource, action: 'read' },
      });
      expect(res.status).toBe(200);
      return res.body as Result;
    };

    // Warm: the same grants answered several times, each result under its own member.
    for (let i = 0; i < 3; i++) {
      const results = await check('app:ledger/2026');
      expect(results.map((r) => [r.userId, r.allowed])).toEqual([
        [a.userId, true],
        [b.userId, true],
      ]);
    }

    await expectStatus(api('DELETE', `${rule}/${a.userId}/read`, as), 204);
    expect(await single(a.userId, 'app:ledger/2026')).toMatchObject({ allowed: false });
    expect((await check('app:ledger/2026')).map((r) => r.allowed)).toEqual([false, true]);

    expect((await check('app:books/1')).map((r) => r.allowed)).toEqual([true, true]);
    await expectStatus(api('DELETE', `${t}/members/${a.userId}/roles/${roleId}`, as), 204);
    expect(await single(a.userId, 'app:books/1')).toMatchObject({ allowed: false });
    expect((await check('app:books/1')).map((r) => r.allowed)).toEqual([false, true]);

    await expectStatus(
      api('PATCH', `${t}/members/${b.userId}`, { ...as, body: { status: 'disabled' } }),
      200,
    );
    expect(await single(b.userId, 'app:books/1')).toMatchObject({
      allowed: false,
      reason: 'member is disabled',
    });
    expect((await check('app:ledger/2026')).map((r) => [r.allowed, r.reason])).toEqual([
      [false, expect.any(String)],
      [false, 'member is disabled'],
    ]);
  });
});
