/**
 * One email, one member per tenant (pending or active), enforced by a uniqueness item written in
 * the same transaction as the member; `POST /logout/{email}` therefore always stamps that member.
 */
import { AdminDeleteUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it } from 'vitest';
import { tokenOf, waitForMails } from '../support/mail-store.js';
import {
  api,
  cognito,
  createTenantWithOwner,
  createUser,
  stack,
  uniqueEmail,
} from '../support/stack-client.js';
import { itemAt } from '../support/table-snapshot.js';

describe('one member per (tenant, email)', () => {
  it('re-adding the email of a member whose Cognito user was deleted does not create a second member', async () => {
    const { tenantId, t, as: o } = await createTenantWithOwner();
    const email = uniqueEmail('ghost');
    // Joins through an invite, with an account created on accept.
    await api('POST', `${t}/invites`, { ...o, body: { emails: [email] } });
    const [mail] = await waitForMails(email);
    if (!mail) throw new Error('no invite mail');
    const joined = await api('POST', '/v1/invites/accept', {
      body: { token: tokenOf(mail), password: 'Ghost-pass-1234' },
    });
    expect(joined.status).toBe(201);
    await cognito.send(
      new AdminDeleteUserCommand({ UserPoolId: stack.cognito.userPoolId, Username: email }),
    );

    const again = await api('POST', `${t}/members`, { ...o, body: { email } });
    expect(again.status).toBe(409);
    const listed = await api('GET', `${t}/members?email=${encodeURIComponent(email)}`, o);
    expect(listed.body.items).toHaveLength(1);
    expect(await itemAt(`TENANT#${tenantId}`, `MEMBEREMAIL#${email}`)).toMatchObject({
      userId: joined.body.userId,
    });
  });

  it('concurrent adds of one address make exactly one member', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const person = await createUser(uniqueEmail('twice'));
    const spellings = [person.email, person.email.toUpperCase(), ` ${person.email} `];
    const results = await Promise.all(
      Array.from({ length: 9 }, (_, i) =>
        api('POST', `/v1/tenants/${tenantId}/members`, {
          token: owner.accessToken,
          body: { email: spellings[i % 3] },
        }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    const listed = await api(
      'GET',
      `/v1/tenants/${tenantId}/members?email=${encodeURIComponent(person.email)}`,
      { token: owner.accessToken },
    );
    expect(listed.body.items).toHaveLength(1);
  });

  it('POST /logout/{email} stamps the one member of that email, every time', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const email = uniqueEmail('stamped');
    const added = await api('POST', `/v1/tenants/${tenantId}/members`, {
      token: owner.accessToken,
      body: { email },
    });
    expect(added.status).toBe(201);
    const key = `MEMBER#${added.body.userId}`;
    for (let i = 0; i < 3; i++) {
      const before = Number((await itemAt(`TENANT#${tenantId}`, key))?.sessionsValidAfter ?? 0);
      await new Promise((r) => setTimeout(r, 5));
      const res = await api('POST', `/v1/tenants/${tenantId}/logout/${encodeURIComponent(email)}`, {
        token: owner.accessToken,
      });
      expect(res.status).toBe(204);
      const after = Number((await itemAt(`TENANT#${tenantId}`, key))?.sessionsValidAfter ?? 0);
      expect(after).toBeGreaterThan(before);
    }
  });
});
