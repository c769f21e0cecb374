/**
 * The red team's findings of the first security release, each named after the rule it broke,
 * and the class tests behind them: incarnations (rule 11) over every principal kind, hierarchy
 * (rule 12) over every route that acts against a principal, token derivation (rule 13) over
 * every credential kind, and inviter authority (rule 14).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  type ApiResponse,
  addUser,
  api,
  createTenantWithOwner,
  createUser,
  ddb,
  join,
  signInAgain,
  stack,
  type TestUser,
  uniqueEmail,
} from '../support/stack-client.js';

const table = stack.dynamodb.tableName;

/** Signs the user in again once the second of every stamp so far has passed. */
const freshSignIn = (user: TestUser) => signInAgain(user);

const del = (path: string, token: string) => api('DELETE', path, { token });

async function mintPersonal(user: TestUser, tenantId: string) {
  const res = await api('POST', `/v1/tenants/${tenantId}/members/${user.userId}/tokens`, {
    token: user.accessToken,
    body: { name: 'laptop' },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return String(res.body.token);
}

async function createAccount(tenantId: string, token: string, id: string, roles: string[] = []) {
  const base = `/v1/tenants/${tenantId}/service-accounts`;
  const made = await api('POST', base, { token, body: { serviceAccountId: id, name: id } });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  for (const roleId of roles) {
    const bound = await api('PUT', `${base}/${id}/roles/${roleId}`, { token, body: {} });
    expect(bound.status, JSON.stringify(bound.body)).toBe(200);
  }
  return `${base}/${id}`;
}

async function mintAccountToken(accountPath: string, token: string): Promise<ApiResponse> {
  return api('POST', `${accountPath}/tokens`, { token, body: { name: 'ci' } });
}

const listMembers = (tenantId: string, token: string) =>
  api('GET', `/v1/tenants/${tenantId}/members`, { token });

describe('rule 11: a principal deleted and created again is a new principal', () => {
  it('H1: a deleted admin re-added as a plain member gets no admin rights (cache warmed first)', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const admin = await addUser(tenantId, owner.accessToken, ['admin']);
    const victim = await addUser(tenantId, owner.accessToken);
    // Warm every cache the authorizer has with the admin's rights.
    expect((await listMembers(tenantId, admin.accessToken)).status).toBe(200);
    expect(
      (await del(`/v1/tenants/${tenantId}/members/${admin.userId}`, owner.accessToken)).status,
    ).toBe(204);
    await join(tenantId, owner.accessToken, admin);
    const again = await freshSignIn(admin);
    expect((await listMembers(tenantId, again.accessToken)).status).toBe(403);
    expect(
      (await del(`/v1/tenants/${tenantId}/members/${victim.userId}`, again.accessToken)).status,
    ).toBe(403);
    const sa = await createAccount(tenantId, owner.accessToken, 'h1-probe', ['admin']);
    expect((await mintAccountToken(sa, again.accessToken)).status).toBe(403);
    // The old session (from before the deletion) is dead for the new membership.
    expect((await listMembers(tenantId, admin.accessToken)).status).toBe(401);
  });

  it('H1: a service account deleted and re-created with the same id: old tokens die, old grants are gone', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const sa = await createAccount(tenantId, owner.accessToken, 'deploy', ['admin']);
    const minted = await mintAccountToken(sa, owner.accessToken);
    expect(minted.status).toBe(201);
    const old = String(minted.body.token);
    expect((await listMembers(tenantId, old)).status).toBe(200);
    expect((await del(sa, owner.accessToken)).status).toBe(204);
    await createAccount(tenantId, owner.accessToken, 'deploy');
    expect((await listMembers(tenantId, old)).status).toBe(401);
    // Bring the new account's item to the version the old one had when its rights were cached
    // (create 1, a change 2, the mint 3): a cache keyed by id and version would hand it admin.
    const renamed = await api('PATCH', sa, { token: owner.accessToken, body: { name: 'renamed' } });
    expect(renamed.status).toBe(200);
    const fresh = await mintAccountToken(sa, owner.accessToken);
    expect(fresh.status).toBe(201);
    // The new account holds nothing: the old one's admin binding did not come back.
    expect((await listMembers(tenantId, String(fresh.body.token))).status).toBe(403);
  });

  it('M1: delete + re-add never brings a token from before a forced logout back to life', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const m = await addUser(tenantId, owner.accessToken);
    const stolen = m.accessToken;
    expect((await api('GET', `/v1/tenants/${tenantId}`, { token: stolen })).status).toBe(200);
    const out = await api('POST', `/v1/tenants/${tenantId}/members/${m.userId}/logout`, {
      token: owner.accessToken,
    });
    expect(out.status).toBe(204);
    expect((await api('GET', `/v1/tenants/${tenantId}`, { token: stolen })).status).toBe(401);
    expect(
      (await del(`/v1/tenants/${tenantId}/members/${m.userId}`, owner.accessToken)).status,
    ).toBe(204);
    await join(tenantId, owner.accessToken, m);
    expect((await api('GET', `/v1/tenants/${tenantId}`, { token: stolen })).status).toBe(401);
    const again = await freshSignIn(m);
    expect((await api('GET', `/v1/tenants/${tenantId}`, { token: again.accessToken })).status).toBe(
      200,
    );
  });

  it('class: every credential kind of a deleted member stays dead after re-creation (session, personal token, minted API token)', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const m = await addUser(tenantId, owner.accessToken, ['admin']);
    const personal = await mintPersonal(m, tenantId);
    const sa = await createAccount(tenantId, owner.accessToken, 'by-m', ['member']);
    const minted = await mintAccountToken(sa, m.accessToken);
    expect(minted.status).toBe(201);
    const apiToken = String(minted.body.token);
    for (const token of [m.accessToken, personal, apiToken]) {
      expect((await api('GET', `/v1/tenants/${tenantId}`, { token })).status).toBe(200);
    }
    expect(
      (await del(`/v1/tenants/${tenantId}/members/${m.userId}`, owner.accessToken)).status,
    ).toBe(204);
    await join(tenantId, owner.accessToken, m, ['admin']);
    for (const [kind, token] of [
      ['session', m.accessToken],
      ['personal token', personal],
      ['API token minted by the old membership', apiToken],
    ] as const) {
      expect((await api('GET', `/v1/tenants/${tenantId}`, { token })).status, kind).toBe(401);
    }
  });

  it('a forged personal-token item of an earlier membership (same ids) is refused', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const m = await addUser(tenantId, owner.accessToken);
    const personal = await mintPersonal(m, tenantId);
    const tokenId = personal.split('.')[1]?.split('_')[0] ?? '';
    const key = { pk: `TENANT#${tenantId}`, sk: `UTOKEN#${m.userId}#${tokenId}` };
    const item = (await ddb.send(new GetCommand({ TableName: table, Key: key }))).Item;
    expect(item?.memberIncarnation).toEqual(expect.any(String));
    expect(
      (await del(`/v1/tenants/${tenantId}/members/${m.userId}`, owner.accessToken)).status,
    ).toBe(204);
    await join(tenantId, owner.accessToken, m);
    // Even if the token item had survived (it is deleted with the membership), its incarnation
    // names the old membership: put it back as it was and try.
    const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
    await ddb.send(new PutCommand({ TableName: table, Item: item }));
    const res = await api('GET', `/v1/tenants/${tenantId}`, { token: personal });
    expect(res.status).toBe(401);
  });
});

describe('rule 12: nobody acts against someone who holds more', () => {
  it('M4: an admin cannot log out, demote, disable, delete or revoke the tokens of a superuser', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const admin = await addUser(tenantId, owner.accessToken, ['admin']);
    const second = await addUser(tenantId, owner.accessToken, ['owner']);
    const ownerToken = await mintPersonal(owner, tenantId);
    const tokenId = ownerToken.split('.')[1]?.split('_')[0] ?? '';
    const t = `/v1/tenants/${tenantId}`;
    const attempts: [string, string, unknown][] = [];
    for (const target of [owner, second]) {
      const m = `${t}/members/${target.userId}`;
      attempts.push(
        ['POST', `${m}/logout`, undefined],
        ['POST', `${t}/logout/${target.userId}`, undefined],
        ['POST', `${t}/logout/${encodeURIComponent(target.email)}`, undefined],
        ['PATCH', m, { status: 'disabled' }],
        ['DELETE', `${t}/groups/superusers/members/${target.userId}`, undefined],
        ['DELETE', m, undefined],
      );
    }
    attempts.push(
      ['DELETE', `${t}/members/${second.userId}/roles/owner`, undefined],
      ['DELETE', `${t}/members/${owner.userId}/tokens/${tokenId}`, undefined],
    );
    for (const [method, path, body] of attempts) {
      const res = await api(method, path, { token: admin.accessToken, body });
      expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(403);
    }
    // Nothing happened: both are still active superusers, the owner's token still works.
    expect((await api('GET', t, { token: owner.accessToken })).status).toBe(200);
    expect((await api('GET', t, { token: second.accessToken })).status).toBe(200);
    expect((await api('GET', t, { token: ownerToken })).status).toBe(200);
    // A superuser may act against another superuser.
    expect(
      (await api('POST', `${t}/members/${second.userId}/logout`, { token: owner.accessToken }))
        .status,
    ).toBe(204);
  });

  it('class: a custom admin cannot act against a member who holds a right they lack, but can against one who holds less', async () => {
    const { tenantId, owner, t } = await createTenantWithOwner();
    const role = (roleId: string, permissions: { resource: string; action: string }[]) =>
      api('POST', `${t}/roles`, {
        token: owner.accessToken,
        body: { roleId, name: roleId, permissions },
      });
    const manage = [
      { resource: 'gatehouse:members', action: 'full' },
      { resource: 'gatehouse:sessions', action: 'full' },
      { resource: 'gatehouse:groups', action: 'full' },
      { resource: 'gatehouse:acls', action: 'full' },
      { resource: 'gatehouse:service-accounts', action: 'full' },
      { resource: 'gatehouse:tenant', action: 'read' },
    ];
    expect((await role('manager', manage)).status).toBe(201);
    expect((await role('billing', [{ resource: 'billing', action: 'full' }])).status).toBe(201);
    const manager = await createUser();
    const richer = await createUser();
    const poorer = await createUser();
    await join(tenantId, owner.accessToken, manager, ['manager']);
    await join(tenantId, owner.accessToken, richer, ['billing']);
    await join(tenantId, owner.accessToken, poorer);
    const as = { token: manager.accessToken };
    const actsAgainst = (u: TestUser) => [
      api('POST', `${t}/members/${u.userId}/logout`, as),
      api('DELETE', `${t}/members/${u.userId}/roles/member`, as),
    ];
    for (const res of await Promise.all(actsAgainst(richer))) expect(res.status).toBe(403);
    const poor = await Promise.all(actsAgainst(poorer));
    expect(poor.map((r) => r.status)).toEqual([204, 204]);
    // Service accounts too: one holding `billing` is out of the manager's reach.
    const sa = await createAccount(tenantId, owner.accessToken, 'biller', ['billing']);
    expect((await api('PATCH', sa, { ...as, body: { status: 'disabled' } })).status).toBe(403);
    expect((await api('DELETE', sa, as)).status).toBe(403);
    expect((await api('DELETE', `${sa}/roles/billing`, as)).status).toBe(403);
    const plain = await createAccount(tenantId, owner.accessToken, 'plain');
    expect((await api('DELETE', plain, as)).status).toBe(204);
  });
});

describe('rule 13: credentials do not breed', () => {
  it('M2: a personal token can neither mint a token nor keep one alive through a service account', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const admin = await addUser(tenantId, owner.accessToken, ['admin']);
    const personal = await mintPersonal(admin, tenantId);
    const sa = await createAccount(tenantId, personal, 'bred', ['admin']);
    const bred = await mintAccountToken(sa, personal);
    expect(bred.status).toBe(403);
    expect(bred.body.detail).toMatch(/signed-in person/);
    const ownMint = await api('POST', `/v1/tenants/${tenantId}/members/${admin.userId}/tokens`, {
      token: personal,
      body: { name: 'again' },
    });
    expect(ownMint.status).toBe(403);
  });

  it('class: a service-account token dies with the session and membership of whoever minted it', async () => {
    const { tenantId, owner, t } = await createTenantWithOwner();
    const sa = await createAccount(tenantId, owner.accessToken, 'worker', ['member']);
    const probe = (token: string) => api('GET', t, { token });
    const ends: [string, (u: TestUser) => Promise<ApiResponse>][] = [
      [
        'forced logout',
        (u) => api('POST', `${t}/members/${u.userId}/logout`, { token: owner.accessToken }),
      ],
      [
        'disable',
        (u) =>
          api('PATCH', `${t}/members/${u.userId}`, {
            token: owner.accessToken,
            body: { status: 'disabled' },
          }),
      ],
      ['delete', (u) => del(`${t}/members/${u.userId}`, owner.accessToken)],
      ['sign-out everywhere', (u) => api('POST', '/v1/me/logout', { token: u.accessToken })],
    ];
    for (const [what, end] of ends) {
      const minter = await addUser(tenantId, owner.accessToken, ['admin']);
      const minted = await mintAccountToken(sa, minter.accessToken);
      expect(minted.status).toBe(201);
      const token = String(minted.body.token);
      expect((await probe(token)).status, what).toBe(200);
      expect([200, 204]).toContain((await end(minter)).status);
      const after = await probe(token);
      expect(after.status, what).toBe(401);
    }
    // A token minted by a member who stays keeps working.
    const kept = await mintAccountToken(sa, owner.accessToken);
    expect((await probe(String(kept.body.token))).status).toBe(200);
  });

  it('a token string whose minter was swapped for another member is refused', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const other = await addUser(tenantId, owner.accessToken, ['admin']);
    const sa = await createAccount(tenantId, owner.accessToken, 'swap', ['member']);
    const minted = String((await mintAccountToken(sa, owner.accessToken)).body.token);
    const swapped = minted.replace(`.${owner.userId}_`, `.${other.userId}_`);
    expect(swapped).not.toBe(minted);
    expect((await api('GET', `/v1/tenants/${tenantId}`, { token: swapped })).status).toBe(401);
    const stripped = minted.replace(`.${owner.userId}_`, '_');
    expect((await api('GET', `/v1/tenants/${tenantId}`, { token: stripped })).status).toBe(401);
  });
});

describe('rule 14: an invite carries its inviter authority only while the inviter has it', () => {
  async function inviteAs(tenantId: string, token: string, email: string, roles: string[]) {
    const res = await api('POST', `/v1/tenants/${tenantId}/invites`, {
      token,
      body: { emails: [email], roles },
    });
    expect(res.status).toBe(200);
    const inviteId = String(res.body.results[0].inviteId);
    const mails = (await (await fetch(stack.mail.storeUrl)).json()) as {
      emails: { destination: { to: string[] }; body: { text: string } }[];
    };
    const mail = mails.emails.filter((e) => e.destination.to.includes(email)).at(-1);
    const token_ = /token=([A-Za-z0-9_-]+)/.exec(mail?.body.text ?? '')?.[1];
    return { inviteId, token: token_ };
  }

  async function waitForToken(tenantId: string, token: string, email: string, roles: string[]) {
    const sent = await inviteAs(tenantId, token, email, roles);
    for (let i = 0; i < 100 && !sent.token; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const mails = (await (await fetch(stack.mail.storeUrl)).json()) as {
        emails: { destination: { to: string[] }; body: { text: string } }[];
      };
      const mail = mails.emails.filter((e) => e.destination.to.includes(email)).at(-1);
      sent.token = /token=([A-Za-z0-9_-]+)/.exec(mail?.body.text ?? '')?.[1];
    }
    expect(sent.token).toBeTruthy();
    return sent as { inviteId: string; token: string };
  }

  for (const [what, end] of [
    [
      'deleted',
      (t: string, owner: string, u: string) => del(`/v1/tenants/${t}/members/${u}`, owner),
    ],
    [
      'disabled',
      (t: string, owner: string, u: string) =>
        api('PATCH', `/v1/tenants/${t}/members/${u}`, {
          token: owner,
          body: { status: 'disabled' },
        }),
    ],
    [
      'demoted',
      (t: string, owner: string, u: string) =>
        del(`/v1/tenants/${t}/members/${u}/roles/admin`, owner),
    ],
  ] as const) {
    it(`M3: an admin invites an accomplice as admin and is ${what}: the accept is 410, nobody joins`, async () => {
      const { tenantId, owner } = await createTenantWithOwner();
      const admin = await addUser(tenantId, owner.accessToken, ['admin']);
      const email = uniqueEmail('accomplice');
      const sent = await waitForToken(tenantId, admin.accessToken, email, ['admin']);
      expect([200, 204]).toContain((await end(tenantId, owner.accessToken, admin.userId)).status);
      const accepted = await api('POST', '/v1/invites/accept', {
        body: { token: sent.token, password: 'Accomplice-pass-1!' },
      });
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(410);
      const members = await listMembers(tenantId, owner.accessToken);
      expect(JSON.stringify(members.body)).not.toContain(email);
      if (what !== 'demoted') {
        const invite = await api('GET', `/v1/tenants/${tenantId}/invites/${sent.inviteId}`, {
          token: owner.accessToken,
        });
        expect(invite.body.status).toBe('revoked');
      }
    });
  }
});

describe('L1, L3: stamps everywhere, and a 401 that says what to do', () => {
  it('L1: a token from before sign-out everywhere cannot accept an invite', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const m = await createUser();
    const res = await api('POST', `/v1/tenants/${tenantId}/invites`, {
      token: owner.accessToken,
      body: { emails: [m.email] },
    });
    expect(res.status).toBe(200);
    let token: string | undefined;
    for (let i = 0; i < 100 && !token; i++) {
      const mails = (await (await fetch(stack.mail.storeUrl)).json()) as {
        emails: { destination: { to: string[] }; body: { text: string } }[];
      };
      const mail = mails.emails.filter((e) => e.destination.to.includes(m.email)).at(-1);
      token = /token=([A-Za-z0-9_-]+)/.exec(mail?.body.text ?? '')?.[1];
      if (!token) await new Promise((r) => setTimeout(r, 100));
    }
    expect((await api('POST', '/v1/me/logout', { token: m.accessToken })).status).toBe(204);
    const accepted = await api('POST', '/v1/invites/accept', {
      token: m.accessToken,
      body: { token },
    });
    expect(accepted.status).toBe(401);
    const again = await freshSignIn(m);
    const ok = await api('POST', '/v1/invites/accept', {
      token: again.accessToken,
      body: { token },
    });
    expect(ok.status).toBe(200);
  });

  it('L3: a session refused for a forced logout is told to sign in again and to wait a second', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const m = await addUser(tenantId, owner.accessToken);
    await api('POST', `/v1/tenants/${tenantId}/members/${m.userId}/logout`, {
      token: owner.accessToken,
    });
    const res = await api('GET', `/v1/tenants/${tenantId}`, { token: m.accessToken });
    expect(res.status).toBe(401);
    expect(res.body.detail).toMatch(/sign in again/);
    expect(res.body.detail).toMatch(/wait a second/);
  });
});

describe('audit: the credential is part of the actor', () => {
  it('records session, personal token (with its id) and API token (with its id)', async () => {
    const { tenantId, owner, t } = await createTenantWithOwner();
    const personal = await mintPersonal(owner, tenantId);
    const personalId = personal.split('.')[1]?.split('_')[0];
    const sa = await createAccount(tenantId, owner.accessToken, 'auditor', ['admin']);
    const minted = await mintAccountToken(sa, owner.accessToken);
    const apiToken = String(minted.body.token);
    const group = (groupId: string, token: string) =>
      api('POST', `${t}/groups`, { token, body: { groupId, name: groupId } });
    expect((await group('by-session', owner.accessToken)).status).toBe(201);
    expect((await group('by-personal', personal)).status).toBe(201);
    expect((await group('by-api', apiToken)).status).toBe(201);
    const audit = await api('GET', `${t}/audit?limit=100`, { token: owner.accessToken });
    const created = (id: string) =>
      audit.body.items.find(
        (e: { action: string; target: string }) =>
          e.action === 'group.create' && e.target.includes(id),
      );
    expect(created('by-session')).toMatchObject({ actor: owner.userId, credential: 'session' });
    expect(created('by-session').tokenId).toBeUndefined();
    expect(created('by-personal')).toMatchObject({
      actor: owner.userId,
      credential: 'personal-token',
      tokenId: personalId,
    });
    expect(created('by-api')).toMatchObject({
      actor: 'service-account:auditor',
      credential: 'api-token',
      tokenId: minted.body.tokenId,
    });
  });
});

describe('rule 13 over the route table: no mint route accepts a token', () => {
  it('answers every POST .../tokens route presented with a personal or an API token with 401/403, minting nothing', async () => {
    const { routeTable } = await import('#shared/routes/route-table.js');
    const mintRoutes = routeTable.filter((r) => r.method === 'POST' && r.path.endsWith('/tokens'));
    // Both kinds: a member's personal tokens and a service account's API tokens.
    expect(mintRoutes.map((r) => r.path).sort()).toEqual([
      '/v1/tenants/{tenantId}/members/{userId}/tokens',
      '/v1/tenants/{tenantId}/service-accounts/{serviceAccountId}/tokens',
    ]);
    const { tenantId, owner } = await createTenantWithOwner();
    const sa = await createAccount(tenantId, owner.accessToken, 'minter', ['admin']);
    const apiToken = String((await mintAccountToken(sa, owner.accessToken)).body.token);
    const personal = await mintPersonal(owner, tenantId);
    const before = await api('GET', `/v1/tenants/${tenantId}/audit?limit=100`, {
      token: owner.accessToken,
    });
    for (const route of mintRoutes) {
      const path = route.path
        .replace('{tenantId}', tenantId)
        .replace('{userId}', owner.userId)
        .replace('{serviceAccountId}', 'minter');
      for (const [kind, token] of [
        ['personal token', personal],
        ['API token', apiToken],
      ] as const) {
        const res = await api('POST', path, { token, body: { name: 'bred' } });
        expect([401, 403], `${kind} on ${route.path}: ${res.status}`).toContain(res.status);
      }
    }
    const after = await api('GET', `/v1/tenants/${tenantId}/audit?limit=100`, {
      token: owner.accessToken,
    });
    expect(after.body.items.length).toBe(before.body.items.length);
  });
});

describe('rule 12 over the route table: every act against a principal', () => {
  it('refuses, on every route that acts against a member or service account, a caller who holds less than the target, writing nothing', async () => {
    const { routeTable } = await import('#shared/routes/route-table.js');
    const { routeKey } = await import('#shared/routes/route-types.js');
    const { snapshotTenant } = await import('../support/table-snapshot.js');
    // Acting against = changing or ending a principal's rights, sessions or tokens: every route
    // on a member or account but reads, grants (PUT, rule 4) and mints (rule 13).
    const acting = routeTable
      .filter(
        (r) =>
          r.method !== 'GET' &&
          r.method !== 'PUT' &&
          !(r.method === 'POST' && r.path.endsWith('/tokens')) &&
          /\{(userId|serviceAccountId|identifier)\}/.test(r.path),
      )
      .map(routeKey)
      .sort();

    const { tenantId, owner, t, as: o } = await createTenantWithOwner();
    const rid = encodeURIComponent('billing:ledger');
    expect(
      (
        await api('POST', `${t}/roles`, {
          ...o,
          body: {
            roleId: 'billing',
            name: 'Billing',
            permissions: [{ resource: 'billing', action: 'full' }],
          },
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await api('POST', `${t}/roles`, {
          ...o,
          body: {
            roleId: 'manager',
            name: 'Manager',
            permissions: [
              'gatehouse:members',
              'gatehouse:sessions',
              'gatehouse:groups',
              'gatehouse:acls',
              'gatehouse:service-accounts',
            ]
              .map((resource) => ({ resource, action: 'full' }))
              .concat([{ resource: 'gatehouse:tenant', action: 'read' }]),
          },
        })
      ).status,
    ).toBe(201);
    expect(
      (await api('POST', `${t}/groups`, { ...o, body: { groupId: 'billers', name: 'B' } })).status,
    ).toBe(201);
    const manager = await addUser(tenantId, owner.accessToken, ['manager']);
    const richer = await addUser(tenantId, owner.accessToken, ['billing']);
    expect((await api('PUT', `${t}/groups/billers/members/${richer.userId}`, o)).status).toBe(204);
    expect((await api('PUT', `${t}/acls/${rid}/users/${richer.userId}/read`, o)).status).toBe(204);
    const personal = await mintPersonal(richer, tenantId);
    const personalId = personal.split('.')[1]?.split('_')[0];
    const sa = await createAccount(tenantId, owner.accessToken, 'biller', ['billing']);
    expect((await api('PUT', `${sa}/groups/billers`, o)).status).toBeLessThan(300);
    expect(
      (await api('PUT', `${t}/acls/${rid}/service-accounts/biller/read`, o)).status,
    ).toBeLessThan(300);
    const saTokenId = String((await mintAccountToken(sa, owner.accessToken)).body.tokenId);

    const m = `${t}/members/${richer.userId}`;
    const attempts: [string, string, string, unknown][] = [
      ['PATCH /v1/tenants/{tenantId}/members/{userId}', 'PATCH', m, { status: 'disabled' }],
      ['DELETE /v1/tenants/{tenantId}/members/{userId}', 'DELETE', m, undefined],
      [
        'DELETE /v1/tenants/{tenantId}/members/{userId}/roles/{roleId}',
        'DELETE',
        `${m}/roles/billing`,
        undefined,
      ],
      ['POST /v1/tenants/{tenantId}/members/{userId}/logout', 'POST', `${m}/logout`, undefined],
      [
        'POST /v1/tenants/{tenantId}/logout/{identifier}',
        'POST',
        `${t}/logout/${encodeURIComponent(richer.email)}`,
        undefined,
      ],
      [
        'DELETE /v1/tenants/{tenantId}/members/{userId}/tokens/{tokenId}',
        'DELETE',
        `${m}/tokens/${personalId}`,
        undefined,
      ],
      [
        'DELETE /v1/tenants/{tenantId}/groups/{groupId}/members/{userId}',
        'DELETE',
        `${t}/groups/billers/members/${richer.userId}`,
        undefined,
      ],
      [
        'DELETE /v1/tenants/{tenantId}/acls/{rid}/users/{userId}/{action}',
        'DELETE',
        `${t}/acls/${rid}/users/${richer.userId}/read`,
        undefined,
      ],
      [
        'PATCH /v1/tenants/{tenantId}/service-accounts/{serviceAccountId}',
        'PATCH',
        sa,
        { status: 'disabled' },
      ],
      [
        'DELETE /v1/tenants/{tenantId}/service-accounts/{serviceAccountId}',
        'DELETE',
        sa,
        undefined,
      ],
      [
        'DELETE /v1/tenants/{tenantId}/service-accounts/{serviceAccountId}/roles/{roleId}',
        'DELETE',
        `${sa}/roles/billing`,
        undefined,
      ],
      [
        'DELETE /v1/tenants/{tenantId}/service-accounts/{serviceAccountId}/groups/{groupId}',
        'DELETE',
        `${sa}/groups/billers`,
        undefined,
      ],
      [
        'DELETE /v1/tenants/{tenantId}/acls/{rid}/service-accounts/{serviceAccountId}/{action}',
        'DELETE',
        `${t}/acls/${rid}/service-accounts/biller/read`,
        undefined,
      ],
      [
        'DELETE /v1/tenants/{tenantId}/service-accounts/{serviceAccountId}/tokens/{tokenId}',
        'DELETE',
        `${sa}/tokens/${saTokenId}`,
        undefined,
      ],
    ];
    expect(attempts.map(([key]) => key).sort()).toEqual(acting);
    const before = await snapshotTenant(tenantId);
    for (const [key, method, path, body] of attempts) {
      const res = await api(method, path, { token: manager.accessToken, body });
      expect(res.status, `${key}: ${JSON.stringify(res.body)}`).toBe(403);
    }
    expect(await snapshotTenant(tenantId)).toEqual(before);
  });
});
