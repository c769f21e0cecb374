/** Setup steps over the API for tests that need some of a tenant's things; each checks its status. */
import { expect } from 'vitest';
import { tokenOf, waitForMails } from './mail-store.js';
import {
  api,
  expectStatus,
  type OwnedTenant,
  type TestUser,
  uniqueEmail,
  uniqueId,
} from './stack-client.js';
import { waitForOutboxDrained } from './table-snapshot.js';

type Owned = Pick<OwnedTenant, 't' | 'as'>;

/** Creates a service account (named `S`) as the tenant's owner; returns its id. */
export async function addServiceAccount(
  tenant: Owned,
  serviceAccountId = uniqueId('sa'),
): Promise<string> {
  await expectStatus(
    api('POST', `${tenant.t}/service-accounts`, {
      ...tenant.as,
      body: { serviceAccountId, name: 'S' },
    }),
    201,
    'create service account',
  );
  return serviceAccountId;
}

/** Creates a group as the tenant's owner; returns its id. */
export async function addGroup(
  tenant: Owned,
  groupId = uniqueId('g'),
  name = 'G',
): Promise<string> {
  await expectStatus(
    api('POST', `${tenant.t}/groups`, { ...tenant.as, body: { groupId, name } }),
    201,
    'create group',
  );
  return groupId;
}

/** Creates a custom role with `permissions` as the tenant's owner; returns its id. */
export async function addRole(
  tenant: Owned,
  permissions: { resource: string; action: string }[],
  roleId = uniqueId('r'),
  name = 'R',
): Promise<string> {
  await expectStatus(
    api('POST', `${tenant.t}/roles`, { ...tenant.as, body: { roleId, name, permissions } }),
    201,
    'create role',
  );
  return roleId;
}

/** Changes the tenant's settings as its owner. */
export async function changeSettings(tenant: Owned, settings: Record<string, unknown>) {
  await expectStatus(
    api('PATCH', tenant.t, { ...tenant.as, body: { settings } }),
    200,
    'change settings',
  );
}

/**
 * Invites one address as `owner` and waits until the mailer is done with it; returns the invite
 * and the token from the mail.
 */
export async function inviteOne(tenantId: string, owner: TestUser, email = uniqueEmail('inv')) {
  const res = await api('POST', `/v1/tenants/${tenantId}/invites`, {
    token: owner.accessToken,
    body: { emails: [email] },
  });
  expect(res.body.results[0].status).toBe('invited');
  const inviteId = String(res.body.results[0].inviteId);
  const [mail] = await waitForMails(email);
  if (!mail) throw new Error(`no mail reached ${email}`);
  await waitForOutboxDrained(inviteId);
  return {
    email,
    inviteId,
    token: tokenOf(mail),
    expiresAt: String(res.body.results[0].expiresAt),
  };
}
