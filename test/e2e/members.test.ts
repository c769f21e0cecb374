import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Caller } from '#shared/app/context.js';
import { ConflictError, ForbiddenError } from '#shared/errors/domain-errors.js';
import { addToGroup, grantMemberRule, removeFromGroup } from '#shared/members/member-service.js';
import { rulesOfItem } from '#shared/store/records/packed-rules.js';
import { domainDeps } from '../support/domain-deps.js';
import { tokenOf, waitForMails } from '../support/mail-store.js';
import { allowManyTenants } from '../support/operator.js';
import {
  acceptMailedInvite,
  api,
  createTenantWithOwner,
  createUser,
  ddb,
  joinAsAdded,
  signIn,
  stack,
  type TestUser,
  tenantRow,
  uniqueEmail,
} from '../support/stack-client.js';
import { byUserEntries, tenantItems } from '../support/table-snapshot.js';

const table = stack.dynamodb.tableName;
const deps = domainDeps();
const callerOf = (u: TestUser): Caller => ({ userId: u.userId, email: u.email });

/**
 * Adds a member: an email is added as a pending member; a signed-in user is added and then
 * accepts the mailed invite (their own act), becoming an active member under their own userId.
 */
async function addMember(
  tenantId: string,
  token: string,
  who: string | TestUser,
  roles?: string[],
) {
  if (typeof who !== 'string') {
    await joinAsAdded(tenantId, token, who, roles);
    const res = await api('GET', `/v1/tenants/${tenantId}/members/${who.userId}`, { token });
    return res.body as {
      userId: string;
      email: string;
      status: string;
      roles: { roleId: string }[];
    };
  }
  const res = await api('POST', `/v1/tenants/${tenantId}/members`, {
    token,
    body: roles ? { email: who, roles } : { email: who },
  });
  if (res.status !== 201) throw new Error(`add member: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as {
    userId: string;
    email: string;
    status: string;
    roles: { roleId: string }[];
    inviteId: string;
  };
}

/** Adds an existing Cognito user and makes them a superuser through the `owner` role. */
async function addSuperuser(tenantId: string, ownerToken: string, user: TestUser) {
  await addMember(tenantId, ownerToken, user);
  const res = await api('PUT', `/v1/tenants/${tenantId}/members/${user.userId}/roles/owner`, {
    token: ownerToken,
    body: {},
  });
  expect(res.status).toBe(200);
}

async function memberItems(tenantId: string) {
  return (await tenantItems(tenantId)).filter((i) => String(i.sk).startsWith('MEMBER#'));
}

async function superuserCount(tenantId: string): Promise<number> {
  return Number((await tenantRow(tenantId))?.superuserCount);
}

/** Recounts superusers from the member items alone (built-in policy: group, role or direct rule). */
async function recountSuperusers(tenantId: string): Promise<number> {
  const items = await memberItems(tenantId);
  return items.filter(
    (m) =>
      m.status === 'active' &&
      ((m.groups as string[]).includes('superusers') ||
        (m.roles as { roleId: string }[]).some((r) => r.roleId === 'owner') ||
        rulesOfItem(m).some((r) => r.resource === 'gatehouse:superuser' && r.action === 'full')),
  ).length;
}

describe('at least one active superuser, under concurrent requests', () => {
  const trials = 50;

  async function race(kind: 'delete' | 'disable') {
    const { tenantId: first, owner: a } = await createTenantWithOwner();
    await allowManyTenants(a.userId);
    const b = await createUser();
    const losers: Record<number, number> = {};
    const tenants = [first];
    for (let i = 1; i < trials; i++) {
      const tenantId = `${first}-${i}`;
      const res = await api('POST', '/v1/tenants', {
        token: a.accessToken,
        body: { tenantId, name: 'race' },
      });
      expect(res.status).toBe(201);
      tenants.push(tenantId);
    }
    // b joins every tenant first (added, then their own accept of each invite), ten at a time.
    for (let i = 0; i < tenants.length; i += 10)
      await Promise.all(tenants.slice(i, i + 10).map((t) => addSuperuser(t, a.accessToken, b)));
    for (const tenantId of tenants) {
      expect(await superuserCount(tenantId)).toBe(2);
      const hit = (actor: TestUser, target: TestUser) =>
        kind === 'delete'
          ? api('DELETE', `/v1/tenants/${tenantId}/members/${target.userId}`, {
              token: actor.accessToken,
            })
          : api('PATCH', `/v1/tenants/${tenantId}/members/${target.userId}`, {
              token: actor.accessToken,
              body: { status: 'disabled' },
            });
      const [ra, rb] = await Promise.all([hit(a, b), hit(b, a)]);
      const statuses = [ra.status, rb.status];
      const ok = kind === 'delete' ? 204 : 200;
      expect(statuses.filter((s) => s === ok)).toHaveLength(1);
      const loser = statuses.find((s) => s !== ok) ?? 0;
      // 409 when both passed the authorizer; when the winner committed before the loser's
      // request was authorized, the loser is no longer a member (404) or is disabled (401).
      expect([409, kind === 'delete' ? 404 : 401]).toContain(loser);
      losers[loser] = (losers[loser] ?? 0) + 1;
      expect(await superuserCount(tenantId)).toBe(1);
      expect(await recountSuperusers(tenantId)).toBe(1);
    }
    console.log(`${kind} each other, ${trials} trials: loser statuses`, losers);
    expect(losers[409]).toBeGreaterThan(0);
  }

  it('never leaves zero superusers when two superusers delete each other (50 trials)', async () => {
    await race('delete');
  }, 120_000);

  it('never leaves zero superusers when two superusers disable each other (50 trials)', async () => {
    await race('disable');
  }, 120_000);

  it('does not let a superuser who was just deleted delete another (three superusers, 20 trials)', async () => {
    const { tenantId: first, owner: a } = await createTenantWithOwner();
    await allowManyTenants(a.userId);
    const [b, c] = await Promise.all([createUser(), createUser()]);
    for (let i = 0; i < 20; i++) {
      const tenantId = `${first}-x${i}`;
      expect(
        (await api('POST', '/v1/tenants', { token: a.accessToken, body: { tenantId, name: 'x' } }))
          .status,
      ).toBe(201);
      await addSuperuser(tenantId, a.accessToken, b);
      await addSuperuser(tenantId, a.accessToken, c);
      const del = (actor: TestUser, target: TestUser) =>
        api('DELETE', `/v1/tenants/${tenantId}/members/${target.userId}`, {
          token: actor.accessToken,
        });
      const statuses = (await Promise.all([del(a, b), del(b, a)])).map((r) => r.status);
      // The counter alone (3 -> 1) would let both through; the actor's own item is a condition too.
      expect(statuses.filter((s) => s === 204)).toHaveLength(1);
      const left = (await memberItems(tenantId)).map((m) => m.userId);
      expect(left).toHaveLength(2);
      expect(await superuserCount(tenantId)).toBe(2);
      expect(await recountSuperusers(tenantId)).toBe(2);
    }
  }, 120_000);

  it('refuses an admin acting against the last superuser with 403 (rule 12), the superuser with 409 (rule 3)', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const admin = await createUser();
    await addMember(tenantId, owner.accessToken, admin, ['admin']);
    // An admin holds less than a superuser: acting against one is 403, whatever the count.
    for (const [method, path, body] of [
      ['DELETE', `/v1/tenants/${tenantId}/members/${owner.userId}`, undefined],
      ['PATCH', `/v1/tenants/${tenantId}/members/${owner.userId}`, { status: 'disabled' }],
      ['DELETE', `/v1/tenants/${tenantId}/groups/superusers/members/${owner.userId}`, undefined],
    ] as const) {
      const res = await api(method, path, { token: admin.accessToken, body });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
    // The last superuser cannot step down themself: 409.
    const own = await api(
      'DELETE',
      `/v1/tenants/${tenantId}/groups/superusers/members/${owner.userId}`,
      { token: owner.accessToken },
    );
    expect(own.status).toBe(409);
    expect(await superuserCount(tenantId)).toBe(1);
    const items = await memberItems(tenantId);
    expect(items.find((m) => m.userId === owner.userId)?.status).toBe('active');
  });

  it('refuses to remove the last superuser from the superusers group with 409', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    await expect(
      removeFromGroup(deps, callerOf(owner), tenantId, 'superusers', owner.userId),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(await superuserCount(tenantId)).toBe(1);
    // With a second superuser the same removal succeeds and the counter follows.
    const other = await createUser();
    await addMember(tenantId, owner.accessToken, other);
    await addToGroup(deps, callerOf(owner), tenantId, 'superusers', other.userId);
    expect(await superuserCount(tenantId)).toBe(2);
    await removeFromGroup(deps, callerOf(owner), tenantId, 'superusers', owner.userId);
    expect(await superuserCount(tenantId)).toBe(1);
    expect(await recountSuperusers(tenantId)).toBe(1);
  });

  it('refuses to take anyone out of everyone with 409', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const m = await createUser();
    await addMember(tenantId, owner.accessToken, m);
    await expect(
      removeFromGroup(deps, callerOf(owner), tenantId, 'everyone', m.userId),
    ).rejects.toBeInstanceOf(ConflictError);
    const items = await memberItems(tenantId);
    expect(items.find((i) => i.userId === m.userId)?.groups).toContain('everyone');
  });
});

describe('DELETE /v1/tenants/{t}/members/{userId}', () => {
  it('removes every item of the user in the tenant, from the table and both indexes', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const user = await createUser();
    await addMember(tenantId, owner.accessToken, user, ['admin']);
    await addToGroup(deps, callerOf(owner), tenantId, 'superusers', user.userId);
    await grantMemberRule(deps, callerOf(owner), tenantId, user.userId, {
      resource: 'dcos:service:marathon',
      action: 'read',
    });
    expect(await superuserCount(tenantId)).toBe(2);

    const res = await api('DELETE', `/v1/tenants/${tenantId}/members/${user.userId}`, {
      token: owner.accessToken,
    });
    expect(res.status).toBe(204);

    const partition = await tenantItems(tenantId);
    // The accepted invite keeps its history (acceptedBy); besides it only the session floor stays, on purpose (rule 11): it keeps sessions and tokens from
    // before the deletion dead for any later membership of the same person.
    const mentions = partition.filter(
      (i) => i.type !== 'invite' && JSON.stringify(i).includes(user.userId),
    );
    expect(mentions).toEqual([
      expect.objectContaining({ sk: `SESSIONFLOOR#${user.userId}`, type: 'session-floor' }),
    ]);
    expect(Object.keys(mentions[0] ?? {}).sort()).toEqual(
      // `format`: the item-format contract (docs/data-model.md, Item formats).
      ['pk', 'sk', 'type', 'format', 'tenantId', 'userId', 'sessionsValidAfter'].sort(),
    );
    expect(await byUserEntries(user.userId, tenantId)).toEqual([]);
    const byEmail = await ddb.send(
      new QueryCommand({
        TableName: table,
        IndexName: 'byEmail',
        KeyConditionExpression: 'gsi2pk = :p AND gsi2sk = :e',
        ExpressionAttributeValues: { ':p': `TENANT#${tenantId}#MEMBER`, ':e': user.email },
      }),
    );
    expect(byEmail.Items).toEqual([]);
    expect(await superuserCount(tenantId)).toBe(1);
    // The deleted user's token no longer reaches the tenant.
    const after = await api('GET', `/v1/tenants/${tenantId}`, { token: user.accessToken });
    expect(after.status).toBe(404);
  });

  it('refuses to delete yourself with 409', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const other = await createUser();
    await addSuperuser(tenantId, owner.accessToken, other);
    const res = await api('DELETE', `/v1/tenants/${tenantId}/members/${owner.userId}`, {
      token: owner.accessToken,
    });
    expect(res.status).toBe(409);
    expect((await memberItems(tenantId)).map((m) => m.userId)).toContain(owner.userId);
  });
});

describe('POST /v1/tenants/{t}/members', () => {
  it('adds a new address as pending and invites it; accepting with a chosen password creates the account', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const email = uniqueEmail('direct');
    const added = await addMember(tenantId, owner.accessToken, email);
    expect(added).toMatchObject({ email, status: 'pending', roles: [{ roleId: 'member' }] });
    // Nothing secret goes to the operator, and no account exists before the person acts.
    expect(JSON.stringify(added)).not.toMatch(/password"\s*:\s*"/i);
    await expect(signIn(email, 'Direct-pass-123')).rejects.toThrow();
    const [mail, ...more] = await waitForMails(email);
    expect(more).toEqual([]);
    if (!mail) throw new Error('no invitation mail');
    expect(mail.subject).toContain('Test tenant');
    const accepted = await api('POST', '/v1/invites/accept', {
      body: { token: tokenOf(mail), password: 'Direct-pass-123' },
    });
    expect(accepted.status).toBe(201);
    const { accessToken: token } = await signIn(email, 'Direct-pass-123');
    expect((await api('GET', `/v1/tenants/${tenantId}`, { token })).status).toBe(200);
    const me = await api('GET', '/v1/me', { token });
    expect(me.body.userId).toBe(accepted.body.userId);
  });

  it('adds an existing Cognito user as pending, under an id that is not theirs, without touching their password', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const user = await createUser();
    const added = await addMember(tenantId, owner.accessToken, user.email);
    expect(added.userId).not.toBe(user.userId);
    expect(added.status).toBe('pending');
    expect((await acceptMailedInvite(user, tenantId)).body.userId).toBe(user.userId);
    expect((await signIn(user.email, user.password)).accessToken).toEqual(expect.any(String));
  });

  it('answers 409 when the email is already a member', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const res = await api('POST', `/v1/tenants/${tenantId}/members`, {
      token: owner.accessToken,
      body: { email: owner.email.toUpperCase() },
    });
    expect(res.status).toBe(409);
  });

  it('applies changed default roles only to members who join after the change', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const early = await addMember(tenantId, owner.accessToken, uniqueEmail('early'));
    const patch = await api('PATCH', `/v1/tenants/${tenantId}`, {
      token: owner.accessToken,
      body: { settings: { defaultRoles: ['admin'], defaultGroups: ['everyone'] } },
    });
    expect(patch.status).toBe(200);
    const late = await addMember(tenantId, owner.accessToken, uniqueEmail('late'));
    expect(late.roles).toEqual([{ roleId: 'admin' }]);
    const earlyNow = await api('GET', `/v1/tenants/${tenantId}/members/${early.userId}`, {
      token: owner.accessToken,
    });
    expect(earlyNow.body.roles).toEqual([{ roleId: 'member' }]);
  });
});

describe('nobody grants more than they hold', () => {
  it('answers 403 when an admin binds owner or adds someone as owner or to superusers', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const admin = await createUser();
    await addMember(tenantId, owner.accessToken, admin, ['admin']);
    const plain = await addMember(tenantId, owner.accessToken, uniqueEmail('plain'));

    const bind = await api('PUT', `/v1/tenants/${tenantId}/members/${plain.userId}/roles/owner`, {
      token: admin.accessToken,
      body: {},
    });
    expect(bind.status).toBe(403);
    const self = await api('PUT', `/v1/tenants/${tenantId}/members/${admin.userId}/roles/owner`, {
      token: admin.accessToken,
      body: {},
    });
    expect(self.status).toBe(403);
    const email = uniqueEmail('escalate');
    const add = await api('POST', `/v1/tenants/${tenantId}/members`, {
      token: admin.accessToken,
      body: { email, roles: ['owner'] },
    });
    expect(add.status).toBe(403);
    await expect(
      addToGroup(deps, callerOf(admin), tenantId, 'superusers', plain.userId),
    ).rejects.toBeInstanceOf(ForbiddenError);

    expect(await superuserCount(tenantId)).toBe(1);
    const emails = (await memberItems(tenantId)).map((m) => m.email);
    expect(emails).not.toContain(email);
    // What the admin holds, they may grant.
    const ok = await api('PUT', `/v1/tenants/${tenantId}/members/${plain.userId}/roles/admin`, {
      token: admin.accessToken,
      body: {},
    });
    expect(ok.status).toBe(200);
  });
});

describe('GET /v1/tenants/{t}/members', () => {
  it('filters by group, role, status and email prefix and pages with a cursor', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const prefix = `pg${Date.now().toString(36)}`;
    const added = [];
    for (let i = 0; i < 4; i++) {
      added.push(
        await addMember(
          tenantId,
          owner.accessToken,
          `${prefix}-${i}@example.test`,
          i < 2 ? ['admin'] : undefined,
        ),
      );
    }
    const get = (q: string) =>
      api('GET', `/v1/tenants/${tenantId}/members?${q}`, { token: owner.accessToken });

    const supers = await get('group=superusers');
    expect(supers.body.items.map((m: { userId: string }) => m.userId)).toEqual([owner.userId]);
    const admins = await get('role=admin');
    expect(admins.body.items.map((m: { userId: string }) => m.userId).sort()).toEqual(
      [added[0]?.userId, added[1]?.userId].sort(),
    );
    // Added members are pending until they accept; the owner is the one active member.
    const active = await get('status=active');
    expect(active.body.items.map((m: { userId: string }) => m.userId)).toEqual([owner.userId]);
    const pending = await get('status=pending&role=admin');
    expect(pending.body.items.map((m: { userId: string }) => m.userId).sort()).toEqual(
      [added[0]?.userId, added[1]?.userId].sort(),
    );
    const badStatus = await get('status=asleep');
    expect(badStatus.status).toBe(400);
    expect(JSON.stringify(badStatus.body.errors)).toContain('query.status');
    const byEmail = await get(`email=${prefix.toUpperCase()}-3`);
    expect(byEmail.body.items.map((m: { email: string }) => m.email)).toEqual([
      `${prefix}-3@example.test`,
    ]);

    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      sizes.push(res.body.items.length);
      seen.push(...res.body.items.map((m: { userId: string }) => m.userId));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(sizes).toEqual([2, 2, 1]);
    expect(new Set(seen).size).toBe(5);
    expect(seen).toContain(owner.userId);

    const filteredPage = await get('role=admin&limit=1');
    expect(filteredPage.body.items).toHaveLength(1);
    const next = await get(`role=admin&limit=1&cursor=${filteredPage.body.nextCursor}`);
    expect(next.body.items).toHaveLength(1);
    expect(next.body.items[0].userId).not.toBe(filteredPage.body.items[0].userId);
  });

  it('rejects a cursor of another tenant with 400', async () => {
    const a = await createTenantWithOwner();
    const b = await createTenantWithOwner();
    await addMember(a.tenantId, a.owner.accessToken, uniqueEmail());
    const page = await api('GET', `/v1/tenants/${a.tenantId}/members?limit=1`, {
      token: a.owner.accessToken,
    });
    expect(page.body.nextCursor).toBeTruthy();
    const res = await api(
      'GET',
      `/v1/tenants/${b.tenantId}/members?cursor=${page.body.nextCursor}`,
      { token: b.owner.accessToken },
    );
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe('query.cursor');
  });
});

describe('what a plain member may read', () => {
  it('answers 403 to the member list but 200 to their own membership and permissions', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const m = await createUser();
    await addMember(tenantId, owner.accessToken, m);
    const base = `/v1/tenants/${tenantId}/members`;
    expect((await api('GET', base, { token: m.accessToken })).status).toBe(403);
    const self = await api('GET', `${base}/${m.userId}`, { token: m.accessToken });
    expect(self.status).toBe(200);
    expect(self.body).toMatchObject({ userId: m.userId, rules: [] });
    const perms = await api('GET', `${base}/${m.userId}/permissions`, { token: m.accessToken });
    expect(perms.status).toBe(200);
    expect(perms.body).toMatchObject({ userId: m.userId, superuser: false });
    expect((await api('GET', `${base}/${owner.userId}`, { token: m.accessToken })).status).toBe(
      403,
    );
  });
});

describe('tenant isolation of the member routes', () => {
  it('answers 404 to a member of tenant A on tenant B, and to B ids in A paths; B is unchanged', async () => {
    const a = await createTenantWithOwner();
    const b = await createTenantWithOwner();
    const bMember = await addMember(b.tenantId, b.owner.accessToken, uniqueEmail('b'));
    const tok = { token: a.owner.accessToken };
    const inB = `/v1/tenants/${b.tenantId}/members`;
    const calls: [string, string, unknown?][] = [
      ['GET', inB],
      ['POST', inB, { email: uniqueEmail() }],
      ['GET', `${inB}/${bMember.userId}`],
      ['PATCH', `${inB}/${bMember.userId}`, { status: 'disabled' }],
      ['DELETE', `${inB}/${bMember.userId}`],
      ['PUT', `${inB}/${bMember.userId}/roles/admin`, {}],
      ['DELETE', `${inB}/${bMember.userId}/roles/member`],
      ['GET', `${inB}/${bMember.userId}/permissions`],
      ['POST', `${inB}/${bMember.userId}/logout`],
      ['POST', `/v1/tenants/${b.tenantId}/logout/${bMember.email}`],
    ];
    for (const [method, path, body] of calls) {
      const res = await api(method, path, { ...tok, body });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    const inA = `/v1/tenants/${a.tenantId}/members/${bMember.userId}`;
    for (const [method, path, body] of [
      ['GET', inA],
      ['PATCH', inA, { status: 'disabled' }],
      ['DELETE', inA],
      ['PUT', `${inA}/roles/admin`, {}],
      ['POST', `${inA}/logout`],
      ['POST', `/v1/tenants/${a.tenantId}/logout/${bMember.email}`],
    ] as [string, string, unknown?][]) {
      const res = await api(method, path, { ...tok, body });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    const bItems = await memberItems(b.tenantId);
    const still = bItems.find((m) => m.userId === bMember.userId);
    expect(still).toMatchObject({ status: 'pending', version: 1, sessionsValidAfter: 0 });
    expect(bItems).toHaveLength(2);
  });
});
