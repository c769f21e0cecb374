/**
 * A tenant with one of everything the route table can address: members, a custom group and
 * role (bound to a member and to the group), direct rules, pending invites (with the tokens from
 * their mails), service accounts and API tokens. Tests use it to call every route with real ids.
 */
import { beforeAll } from 'vitest';
import { mailsTo, tokenOf, waitForMails } from './mail-store.js';
import {
  addUser,
  api,
  createTenantWithOwner,
  expectStatus,
  type TestUser,
  uniqueEmail,
  uniqueId,
} from './stack-client.js';
import { waitForOutboxDrained } from './table-snapshot.js';

export interface TenantFixture {
  tenantId: string;
  /** Superuser (the creator). */
  owner: TestUser;
  /** In `groupId`, bound to `roleId`, holding `rid` read directly. */
  member: TestUser;
  /** Only the tenant defaults (role `member`, group `everyone`). */
  plain: TestUser;
  groupId: string;
  roleId: string;
  /** A resource only this tenant uses; the custom role, group and member hold it (read). */
  rid: string;
  inviteIds: string[];
  inviteEmails: string[];
  /** The raw tokens of the pending invites, read from their mails. */
  inviteTokens: string[];
  /** The first is in the group, bound to the role and granted `rid` read; the second has nothing. */
  serviceAccountIds: string[];
  /** Ids of the two tokens of the first service account. */
  tokenIds: string[];
  /** Ids of the two personal API tokens `member` minted in this tenant. */
  personalTokenIds: string[];
  /** An API token of the first service account (holds only what it was granted). */
  apiToken: string;
  /** An API token of the second service account (holds nothing). */
  bareApiToken: string;
  /** A value for every path parameter of the route table, naming this tenant's things. */
  params: Record<string, string>;
  /** Strings that appear only in this tenant's data (ids and emails). */
  markers: string[];
}

/**
 * Builds the fixture, again from a fresh tenant when a setup step answered 503 (a dependency
 * too slow on a loaded 2-core CI machine; nothing of a failed step was written). Three fresh
 * clones' CI runs lost tenant-isolation's whole file to one such 503 in this setup.
 */
export async function buildTenantFixture(): Promise<TenantFixture> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await buildTenantFixtureOnce();
    } catch (error) {
      if (attempt >= 6 || !/\b(503|409)\b/.test(String(error))) throw error;
      await new Promise((r) => setTimeout(r, 15_000));
    }
  }
}

async function buildTenantFixtureOnce(): Promise<TenantFixture> {
  const { tenantId, owner } = await createTenantWithOwner();
  const t = `/v1/tenants/${tenantId}`;
  const as = { token: owner.accessToken };
  const [member, plain] = await Promise.all([
    addUser(tenantId, owner.accessToken),
    addUser(tenantId, owner.accessToken),
  ]);
  const groupId = uniqueId('fg');
  const roleId = uniqueId('fr');
  const rid = `app:${tenantId}:things`;
  const enc = encodeURIComponent(rid);
  await expectStatus(
    api('POST', `${t}/roles`, {
      ...as,
      body: { roleId, name: 'Fixture role', permissions: [{ resource: rid, action: 'read' }] },
    }),
    201,
    'create role',
  );
  await expectStatus(
    api('POST', `${t}/groups`, { ...as, body: { groupId, name: 'Fixture group' } }),
    201,
    'create group',
  );
  await expectStatus(
    api('PUT', `${t}/groups/${groupId}/members/${member.userId}`, as),
    204,
    'join group',
  );
  await expectStatus(
    api('PUT', `${t}/groups/${groupId}/roles/${roleId}`, { ...as, body: {} }),
    200,
    'bind role to group',
  );
  await expectStatus(
    api('PUT', `${t}/members/${member.userId}/roles/${roleId}`, { ...as, body: {} }),
    200,
    'bind role to member',
  );
  await expectStatus(
    api('PUT', `${t}/acls/${enc}/users/${member.userId}/read`, as),
    204,
    'grant member rule',
  );
  await expectStatus(
    api('PUT', `${t}/acls/${enc}/groups/${groupId}/read`, as),
    204,
    'grant group rule',
  );

  const inviteEmails = [uniqueEmail('finv'), uniqueEmail('finv')];
  const invited = await expectStatus(
    api('POST', `${t}/invites`, { ...as, body: { emails: inviteEmails } }),
    200,
    'invite',
  );
  const inviteIds = (invited.body.results as { inviteId: string }[]).map((r) => r.inviteId);

  const serviceAccountIds = [uniqueId('fsa'), uniqueId('fsa')];
  for (const serviceAccountId of serviceAccountIds) {
    await expectStatus(
      api('POST', `${t}/service-accounts`, { ...as, body: { serviceAccountId, name: 'Fixture' } }),
      201,
      'create service account',
    );
  }
  const [sa, bare] = serviceAccountIds as [string, string];
  const saPath = `${t}/service-accounts/${sa}`;
  await expectStatus(api('PUT', `${saPath}/groups/${groupId}`, as), 200, 'sa group');
  await expectStatus(api('PUT', `${saPath}/roles/${roleId}`, { ...as, body: {} }), 200, 'sa role');
  await expectStatus(
    api('PUT', `${t}/acls/${enc}/service-accounts/${sa}/read`, as),
    204,
    'sa rule',
  );
  const tokens = [];
  for (const name of ['first', 'second']) {
    tokens.push(
      (await expectStatus(api('POST', `${saPath}/tokens`, { ...as, body: { name } }), 201, 'mint'))
        .body,
    );
  }
  const bareToken = await expectStatus(
    api('POST', `${t}/service-accounts/${bare}/tokens`, { ...as, body: { name: 'bare' } }),
    201,
    'mint bare',
  );

  const personalTokenIds: string[] = [];
  for (const name of ['laptop', 'ci']) {
    const minted = await expectStatus(
      // Only the member themself mints, with their session, under their own membership path.
      api('POST', `${t}/members/${member.userId}/tokens`, {
        token: member.accessToken,
        body: { name },
      }),
      201,
      'mint personal token',
    );
    personalTokenIds.push(String(minted.body.tokenId));
  }

  // Let the mailer settle the invites (so later snapshots are stable) and keep their tokens.
  await Promise.all(inviteIds.map((id) => waitForOutboxDrained(id)));
  const inviteTokens: string[] = [];
  for (const email of inviteEmails) {
    const [mail] = await waitForMails(email);
    if (!mail) throw new Error(`no invite mail reached ${email}: ${(await mailsTo(email)).length}`);
    inviteTokens.push(tokenOf(mail));
  }

  const tokenIds = tokens.map((tk) => String(tk.tokenId));
  const params: Record<string, string> = {
    tenantId,
    userId: member.userId,
    roleId,
    groupId,
    inviteId: inviteIds[0] ?? '',
    identifier: member.email,
    rid,
    prefix: rid,
    action: 'read',
    serviceAccountId: sa,
    tokenId: tokenIds[0] ?? '',
  };
  return {
    tenantId,
    owner,
    member,
    plain,
    groupId,
    roleId,
    rid,
    inviteIds,
    inviteEmails,
    inviteTokens,
    serviceAccountIds,
    tokenIds,
    personalTokenIds,
    apiToken: String(tokens[0]?.token),
    bareApiToken: String(bareToken.body.token),
    params,
    markers: [
      tenantId,
      owner.userId,
      owner.email,
      member.userId,
      member.email,
      plain.userId,
      plain.email,
      groupId,
      roleId,
      ...inviteIds,
      ...inviteEmails,
      ...serviceAccountIds,
      ...tokenIds,
      ...personalTokenIds,
    ],
  };
}

/**
 * One fixture tenant for the whole file, built before its first test: the returned object is
 * filled in by `beforeAll`, so read it only inside tests and hooks.
 */
export function useTenantFixture(): TenantFixture {
  const f = {} as TenantFixture;
  beforeAll(async () => {
    Object.assign(f, await buildTenantFixture());
  }, 120_000);
  return f;
}
