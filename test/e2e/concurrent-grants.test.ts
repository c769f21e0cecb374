/**
 * Many grants to one member at once (a tool granting in parallel): every one lands, none is
 * answered 409 because the others won the optimistic race, and no 409 body carries internal
 * flags.
 */
import { beforeAll, expect, it } from 'vitest';
import { addUser, api, createTenantWithOwner, type TestUser } from '../support/stack-client.js';

let tenantId: string;
let owner: TestUser;
let member: TestUser;

beforeAll(async () => {
  ({ tenantId, owner } = await createTenantWithOwner());
  member = await addUser(tenantId, owner.accessToken);
});

it('lands 50 concurrent grants to one member, each answered 204', async () => {
  const n = 50;
  const answers = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      api(
        'PUT',
        `/v1/tenants/${tenantId}/acls/${encodeURIComponent(`app:parallel:r${i}`)}/users/${member.userId}/read`,
        { token: owner.accessToken },
      ),
    ),
  );
  const conflicts = answers.filter((a) => a.status === 409);
  for (const c of conflicts) expect(c.body).not.toHaveProperty('retryable');
  expect(answers.map((a) => a.status)).toEqual(Array(n).fill(204));
  const after = await api('GET', `/v1/tenants/${tenantId}/members/${member.userId}`, {
    token: owner.accessToken,
  });
  expect(after.status).toBe(200);
  const granted = JSON.stringify(after.body);
  for (let i = 0; i < n; i++) expect(granted).toContain(`app:parallel:r${i}"`);
}, 60_000);
