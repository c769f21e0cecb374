/**
 * A check answers from the policy version the authorizer decided under: a warm acls function
 * holding an older version compiled must never answer from it. Each change to a group's grant
 * (a policy write) is followed at once by checks, single and batched, that must see it.
 */
import { describe, expect, it } from 'vitest';
import { addUser, api, createTenantWithOwner } from '../support/stack-client.js';

const enc = encodeURIComponent;

describe('POST /check after a policy change', () => {
  it('sees every grant and revoke on the very next request', async () => {
    const { tenantId, owner, t, as } = await createTenantWithOwner();
    const user = await addUser(tenantId, owner.accessToken);
    expect(
      (await api('POST', `${t}/groups`, { ...as, body: { groupId: 'ops', name: 'Ops' } })).status,
    ).toBe(201);
    expect((await api('PUT', `${t}/groups/ops/members/${user.userId}`, as)).status).toBeLessThan(
      300,
    );
    const resource = 'app:payments/ledger';
    const grant = `${t}/acls/${enc('app:payments')}/groups/ops/read`;
    const single = { userId: user.userId, resource, action: 'read' };
    const batch = { checks: [single, { ...single, resource: 'app:other' }] };

    for (let round = 0; round < 4; round++) {
      expect((await api('PUT', grant, as)).status).toBeLessThan(300);
      const granted = await api('POST', `${t}/check`, { ...as, body: single });
      expect(granted.body).toMatchObject({ allowed: true });
      const both = await api('POST', `${t}/check`, { ...as, body: batch });
      expect((both.body.results as { allowed: boolean }[]).map((r) => r.allowed)).toEqual([
        true,
        false,
      ]);

      expect((await api('DELETE', grant, as)).status).toBeLessThan(300);
      const revoked = await api('POST', `${t}/check`, { ...as, body: single });
      expect(revoked.body).toMatchObject({ allowed: false });
      const after = await api('POST', `${t}/check`, { ...as, body: batch });
      expect((after.body.results as { allowed: boolean }[]).map((r) => r.allowed)).toEqual([
        false,
        false,
      ]);
    }
  });
});
