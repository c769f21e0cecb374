/**
 * A batch of 100 checks on distinct subjects (more keys than one BatchGetItem takes, with the
 * tenant state): every kind of subject answers as its single check does, in order.
 */
import { describe, expect, it } from 'vitest';
import { addUser, api, createTenantWithOwner, createUser } from '../support/stack-client.js';
import { addServiceAccount } from '../support/tenant-setup.js';

const enc = encodeURIComponent;

describe('POST /v1/tenants/{tenantId}/check with 100 subjects', () => {
  it('answers each check like its single check: members, service accounts, unknown, pending', async () => {
    const tenant = await createTenantWithOwner();
    const { tenantId, owner, t, as } = tenant;
    const user = await addUser(tenantId, owner.accessToken);
    const disabled = await addUser(tenantId, owner.accessToken);
    const pending = await createUser();
    const added = await api('POST', `${t}/members`, { ...as, body: { email: pending.email } });
    expect(added.body.status).toBe('pending');
    const pendingId = String(added.body.userId);
    const sa = await addServiceAccount(tenant);
    const offSa = await addServiceAccount(tenant);
    for (const [kind, id] of [
      ['users', user.userId],
      ['users', disabled.userId],
      ['users', pendingId],
      ['service-accounts', sa],
      ['service-accounts', offSa],
    ]) {
      const res = await api('PUT', `${t}/acls/${enc('app:services/prod')}/${kind}/${id}/read`, as);
      expect(res.status).toBe(204);
    }
    const off = { ...as, body: { status: 'disabled' } };
    expect((await api('PATCH', `${t}/members/${disabled.userId}`, off)).status).toBe(200);
    expect((await api('PATCH', `${t}/service-accounts/${offSa}`, off)).status).toBe(200);

    const resource = 'app:services/prod/web';
    const known = [
      { userId: user.userId, resource, action: 'read' },
      { userId: user.userId, resource, action: 'update' },
      { userId: owner.userId, resource, action: 'delete' },
      { email: user.email.toUpperCase(), resource, action: 'read' },
      { userId: disabled.userId, resource, action: 'read' },
      { serviceAccountId: sa, resource, action: 'read' },
      { serviceAccountId: sa, resource: 'app:other', action: 'read' },
      { serviceAccountId: offSa, resource, action: 'read' },
    ];
    const unknown = [
      { userId: pendingId, resource, action: 'read' },
      { email: pending.email, resource, action: 'read' },
      { serviceAccountId: 'no-such-account', resource, action: 'read' },
      { email: 'ghost@example.test', resource, action: 'read' },
      ...Array.from({ length: 100 - known.length - 4 }, (_, i) => ({
        userId: `nobody-${i}`,
        resource,
        action: 'read',
      })),
    ];
    // Interleaved, so answers must come back in the order asked, not grouped by kind.
    const checks = [...unknown];
    known.forEach((c, i) => {
      checks.splice(i * 11, 0, c);
    });
    expect(checks).toHaveLength(100);

    const res = await api('POST', `${t}/check`, { ...as, body: { checks } });
    expect(res.status).toBe(200);
    const results = res.body.results as Record<string, unknown>[];
    expect(results).toHaveLength(100);

    const at = (c: object | undefined) => results[checks.indexOf(c as (typeof checks)[number])];
    expect(at(known[0])).toMatchObject({
      allowed: true,
      reason: 'app:services/prod read granted directly',
      userId: user.userId,
    });
    expect(at(known[1])).toMatchObject({ allowed: false, userId: user.userId });
    expect(at(known[2])).toMatchObject({ allowed: true, userId: owner.userId });
    expect(at(known[3])).toMatchObject({ allowed: true, userId: user.userId });
    expect(at(known[4])).toMatchObject({ allowed: false, reason: 'member is disabled' });
    expect(at(known[5])).toMatchObject({ allowed: true, userId: `service-account:${sa}` });
    expect(at(known[6])).toMatchObject({ allowed: false, userId: `service-account:${sa}` });
    expect(at(known[7])).toMatchObject({ allowed: false, reason: 'member is disabled' });
    for (const c of known) {
      const single = await api('POST', `${t}/check`, { ...as, body: c });
      expect(single.status).toBe(200);
      expect(at(c)).toEqual(single.body);
    }
    for (const c of unknown) {
      const subject = 'userId' in c ? c.userId : 'email' in c ? c.email : c.serviceAccountId;
      expect(at(c)).toEqual({
        allowed: false,
        reason: `no member ${subject}`,
        resource,
        action: 'read',
      });
    }
    const single = await api('POST', `${t}/check`, { ...as, body: unknown[0] });
    expect(single.status).toBe(404);
  });
});
