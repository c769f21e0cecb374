/**
 * Issue 19: a decision reads one policy-version shard and the member item, with the tenant floor
 * and the user's sign-out stamp folded into the member item. These tests try to break that:
 * a sign-out racing a join, a delete and re-add with a floor, a sign-out across tenants, member
 * items and tenants from before (no format, no shards), and a format from the future.
 */
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '#shared/app/context.js';
import { createAccessTokenVerifier, fetchJwks } from '#shared/auth/token-verifier.js';
import { withOptimisticRetry } from '#shared/common/optimistic-retry.js';
import { isRaceLost } from '#shared/errors/domain-errors.js';
import { deleteMember, grantMemberRule, planNewMember } from '#shared/members/member-service.js';
import { loadTenantState } from '#shared/policy/tenant-state.js';
import { backfillTenant } from '#shared/sessions/decision-backfill.js';
import { stampUserSessions } from '#shared/sessions/sign-out.js';
import { keys } from '#shared/store/keys.js';
import { MEMBER_FORMAT } from '#shared/store/records/member-record.js';
import { POLICY_VERSION_SHARDS } from '#shared/store/records/policy-record.js';
import { appDecider, countingClient, readThings } from '../support/authorizer-kit.js';
import { domainDeps } from '../support/domain-deps.js';
import {
  api,
  createTenantWithOwner,
  createUser,
  ddb,
  join,
  type OwnedTenant,
  signInAgain,
  stack,
  type TestUser,
} from '../support/stack-client.js';

const TableName = stack.dynamodb.tableName;
const issuer = `${stack.cognito.endpoint}/${stack.cognito.userPoolId}`;
const jwksUri = `${issuer}/.well-known/jwks.json`;
const deps = domainDeps();
const rule = { resource: 'apps:things', action: 'read' } as const;
const callerOf = (u: TestUser): Caller => ({ userId: u.userId, email: u.email });

let verifier: ReturnType<typeof createAccessTokenVerifier>;
beforeAll(async () => {
  verifier = createAccessTokenVerifier({
    issuer,
    clientId: stack.cognito.clientId,
    jwksUri,
    jwks: await fetchJwks(jwksUri),
  });
});

/** A fresh authorizer (cold caches) that records the sort keys of every read it sends (BatchGetItem, GetItem). */
function authorizer() {
  const { db, total } = countingClient();
  const batches: string[][] = [];
  db.middlewareStack.add(
    (next, context) => async (args) => {
      // The document client's keys, or the marshalled ones beneath it ({ S: '...' }).
      type Sk = string | { S?: string };
      const skOf = (k: { sk: Sk }) => (typeof k.sk === 'string' ? k.sk : String(k.sk.S));
      if (/^BatchGet/.test(String(context.commandName))) {
        const input = args.input as { RequestItems: Record<string, { Keys: { sk: Sk }[] }> };
        batches.push((input.RequestItems[TableName]?.Keys ?? []).map(skOf));
      } else if (/^GetItem|^Get/.test(String(context.commandName))) {
        // The port reads a batch of one key with GetItem.
        batches.push([skOf((args.input as { Key: { sk: Sk } }).Key)]);
      }
      return next(args);
    },
    { step: 'initialize' },
  );
  const decideIn = appDecider(db, verifier);
  return {
    batches,
    /** Decides `GET /apps/{tenantId}/things`; returns the decision and the requests it sent. */
    async decide(tenantId: string, token: string) {
      const before = total();
      const { decision } = await decideIn(readThings, tenantId, token);
      return { decision, requests: total() - before };
    },
  };
}

/** `user` joins `tenant` (added, then their own accept) and may read things there. */
async function joinWithRule(tenant: OwnedTenant, user: TestUser) {
  await join(tenant.tenantId, tenant.owner.accessToken, user);
  await grantMemberRule(deps, callerOf(tenant.owner), tenant.tenantId, user.userId, rule);
}

function memberRow(tenantId: string, userId: string) {
  return deps.table.get(keys.member(tenantId, userId));
}

/** Plans `user` joining `tenantId` directly (as an invite accept does), committed by the caller. */
async function planJoin(tenantId: string, owner: TestUser, user: TestUser) {
  const state = await loadTenantState(deps, tenantId);
  return planNewMember(deps, state, user, {}, owner.userId, 'invite.accept');
}

describe('the steady state', () => {
  it('reads one version shard and the member item: one BatchGetItem of two keys', async () => {
    const tenant = await createTenantWithOwner();
    const user = await createUser();
    await joinWithRule(tenant, user);
    const { decide, batches } = authorizer();
    expect(await decide(tenant.tenantId, user.accessToken)).toEqual({
      decision: 'allow',
      requests: 2, // cold: the policy itself, once
    });
    batches.length = 0;
    for (let i = 0; i < 5; i++) {
      expect(await decide(tenant.tenantId, user.accessToken)).toEqual({
        decision: 'allow',
        requests: 1,
      });
    }
    expect(batches).toHaveLength(5);
    for (const batch of batches) expect(batch).toEqual(['V', `MEMBER#${user.userId}`]);
    const item = await memberRow(tenant.tenantId, user.userId);
    expect(item?.format).toBe(MEMBER_FORMAT);
  });

  it('writes every shard at tenant creation and moves them all with a policy change', async () => {
    const tenant = await createTenantWithOwner();
    const versions = async () => {
      const found = await deps.table.batchGet(
        Array.from({ length: POLICY_VERSION_SHARDS }, (_, k) =>
          keys.policyVersionShard(tenant.tenantId, k),
        ),
      );
      return [...found.values()].map((i) => i.policyVersion);
    };
    expect(await versions()).toEqual(Array(POLICY_VERSION_SHARDS).fill(1));
    const res = await api('POST', `${tenant.t}/groups`, {
      ...tenant.as,
      body: { groupId: 'ops', name: 'Ops' },
    });
    expect(res.status).toBe(201);
    expect(await versions()).toEqual(Array(POLICY_VERSION_SHARDS).fill(2));
  });
});

describe('sign-out everywhere against a join (rule 6)', () => {
  it('fails a join planned before a sign-out and committed after it; the retry carries the stamp', async () => {
    const tenant = await createTenantWithOwner();
    const user = await createUser();
    const planned = await planJoin(tenant.tenantId, tenant.owner, user);
    const at = await stampUserSessions(deps, user.userId);
    const lost = await deps.table.transact(planned.items).catch((e: unknown) => e);
    expect(isRaceLost(lost)).toBe(true);
    const again = await planJoin(tenant.tenantId, tenant.owner, user);
    await deps.table.transact(again.items);
    await grantMemberRule(deps, callerOf(tenant.owner), tenant.tenantId, user.userId, rule);
    expect(Number((await memberRow(tenant.tenantId, user.userId))?.sessionsValidAfter)).toBe(at);
    const { decide } = authorizer();
    // The token from before the sign-out is refused in the tenant joined during it.
    expect((await decide(tenant.tenantId, user.accessToken)).decision).toBe('unauthenticated');
    const fresh = await signInAgain(user, at);
    expect((await decide(tenant.tenantId, fresh.accessToken)).decision).toBe('allow');
  });

  it('stamps a membership that committed just before the sign-out (the tenants set)', async () => {
    const tenant = await createTenantWithOwner();
    const user = await createUser();
    await deps.table.transact((await planJoin(tenant.tenantId, tenant.owner, user)).items);
    const sessions = await deps.table.get(keys.userSessions(user.userId));
    expect(sessions?.tenants).toEqual(new Set([tenant.tenantId]));
    const at = await stampUserSessions(deps, user.userId);
    expect(Number((await memberRow(tenant.tenantId, user.userId))?.sessionsValidAfter)).toBe(at);
  });

  it('never lets a pre-sign-out token into a tenant joined concurrently (10 races)', async () => {
    const tenant = await createTenantWithOwner();
    const { decide } = authorizer();
    for (let trial = 0; trial < 10; trial++) {
      const user = await createUser();
      const joining = withOptimisticRetry(async () => {
        await deps.table.transact((await planJoin(tenant.tenantId, tenant.owner, user)).items);
      });
      await Promise.all([joining, stampUserSessions(deps, user.userId)]);
      await grantMemberRule(deps, callerOf(tenant.owner), tenant.tenantId, user.userId, rule);
      expect((await decide(tenant.tenantId, user.accessToken)).decision).toBe('unauthenticated');
    }
  }, 120_000);

  it('stamps every membership of the user before answering, in every tenant', async () => {
    const user = await createUser();
    const tenants = [
      await createTenantWithOwner(),
      await createTenantWithOwner(),
      await createTenantWithOwner(),
    ];
    for (const tenant of tenants) await joinWithRule(tenant, user);
    const { decide } = authorizer();
    for (const tenant of tenants) {
      expect((await decide(tenant.tenantId, user.accessToken)).decision).toBe('allow');
    }
    const res = await api('POST', '/v1/me/logout', { token: user.accessToken });
    expect(res.status).toBe(204);
    for (const tenant of tenants) {
      const item = await memberRow(tenant.tenantId, user.userId);
      expect(Number(item?.sessionsValidAfter)).toBeGreaterThan(0);
      // Still the two-item read, and refused on the very next request.
      expect(await decide(tenant.tenantId, user.accessToken)).toEqual({
        decision: 'unauthenticated',
        requests: 1,
      });
    }
  });
});

describe('delete and re-add (rule 11)', () => {
  it('folds the floor of the deleted membership into the new one', async () => {
    const tenant = await createTenantWithOwner();
    const user = await createUser();
    await joinWithRule(tenant, user);
    const { decide } = authorizer();
    expect((await decide(tenant.tenantId, user.accessToken)).decision).toBe('allow');
    await deleteMember(deps, callerOf(tenant.owner), tenant.tenantId, user.userId);
    const deletedAt = Date.now();
    await joinWithRule(tenant, user);
    const item = await memberRow(tenant.tenantId, user.userId);
    expect(item?.format).toBe(MEMBER_FORMAT);
    expect(Number(item?.sessionsValidAfter)).toBeGreaterThan(0);
    expect(await decide(tenant.tenantId, user.accessToken)).toEqual({
      decision: 'unauthenticated',
      requests: 1,
    });
    const fresh = await signInAgain(user, deletedAt);
    expect((await decide(tenant.tenantId, fresh.accessToken)).decision).toBe('allow');
  });

  it('fails a re-add planned before the deletion and committed after it (the floor moved)', async () => {
    const tenant = await createTenantWithOwner();
    const user = await createUser();
    await joinWithRule(tenant, user);
    const planned = await planJoin(tenant.tenantId, tenant.owner, user);
    await deleteMember(deps, callerOf(tenant.owner), tenant.tenantId, user.userId);
    const lost = await deps.table.transact(planned.items).catch((e: unknown) => e);
    expect(isRaceLost(lost)).toBe(true);
    expect(await deps.table.get(keys.member(tenant.tenantId, user.userId))).toBeUndefined();
    // The deletion took the tenant out of the user's set.
    const sessions = await deps.table.get(keys.userSessions(user.userId));
    expect(sessions?.tenants).toBeUndefined();
  });
});

describe('data from before (no format, no shards) and from the future', () => {
  /** Makes a member item look as it did before folding: no format, only its own stamp. */
  async function unfold(tenantId: string, userId: string) {
    await ddb.send(
      new UpdateCommand({
        TableName,
        Key: keys.member(tenantId, userId),
        UpdateExpression: 'SET sessionsValidAfter = :zero REMOVE #f',
        ExpressionAttributeNames: { '#f': 'format' },
        ExpressionAttributeValues: { ':zero': 0 },
      }),
    );
  }

  it('reads the floor and the user stamp for an unmarked member item, until the backfill folds them', async () => {
    const tenant = await createTenantWithOwner();
    const user = await createUser();
    await joinWithRule(tenant, user);
    const { decide, batches } = authorizer();
    await decide(tenant.tenantId, user.accessToken); // warm the policy cache
    // Signed out everywhere, but the member item does not carry it (as before this change).
    const at = await stampUserSessions(deps, user.userId);
    await unfold(tenant.tenantId, user.userId);
    batches.length = 0;
    expect(await decide(tenant.tenantId, user.accessToken)).toEqual({
      decision: 'unauthenticated',
      requests: 2,
    });
    expect(batches[1]).toEqual([`SESSIONFLOOR#${user.userId}`, 'SESSIONS']);
    expect(await backfillTenant(deps, tenant.tenantId)).toMatchObject({
      shards: false,
      folded: 1,
    });
    const item = await memberRow(tenant.tenantId, user.userId);
    expect(item?.format).toBe(MEMBER_FORMAT);
    expect(Number(item?.sessionsValidAfter)).toBe(at);
    expect(await decide(tenant.tenantId, user.accessToken)).toEqual({
      decision: 'unauthenticated',
      requests: 1,
    });
    const fresh = await signInAgain(user, at);
    expect((await decide(tenant.tenantId, fresh.accessToken)).decision).toBe('allow');
    // Running it again changes nothing.
    expect(await backfillTenant(deps, tenant.tenantId)).toMatchObject({
      shards: false,
      folded: 0,
      packed: 0,
      current: 2,
    });
  });

  it('reads the policy item of a tenant without shards (one more read) until the backfill writes them', async () => {
    const tenant = await createTenantWithOwner();
    const user = await createUser();
    await joinWithRule(tenant, user);
    for (let k = 0; k < POLICY_VERSION_SHARDS; k++) {
      await ddb.send(
        new DeleteCommand({ TableName, Key: keys.policyVersionShard(tenant.tenantId, k) }),
      );
    }
    const { decide, batches } = authorizer();
    expect((await decide(tenant.tenantId, user.accessToken)).decision).toBe('allow');
    batches.length = 0;
    expect(await decide(tenant.tenantId, user.accessToken)).toEqual({
      decision: 'allow',
      requests: 2,
    });
    expect(batches[1]).toEqual(['POLICY']);
    expect(await backfillTenant(deps, tenant.tenantId)).toMatchObject({ shards: true });
    expect(await decide(tenant.tenantId, user.accessToken)).toEqual({
      decision: 'allow',
      requests: 1,
    });
  });

  it('denies a member item of a format it does not know (fail closed, its own reason)', async () => {
    const tenant = await createTenantWithOwner();
    const user = await createUser();
    await joinWithRule(tenant, user);
    const { decide } = authorizer();
    expect((await decide(tenant.tenantId, user.accessToken)).decision).toBe('allow');
    await ddb.send(
      new UpdateCommand({
        TableName,
        Key: keys.member(tenant.tenantId, user.userId),
        UpdateExpression: 'SET #f = :next',
        ExpressionAttributeNames: { '#f': 'format' },
        ExpressionAttributeValues: { ':next': MEMBER_FORMAT + 1 },
      }),
    );
    expect((await decide(tenant.tenantId, user.accessToken)).decision).toBe('unknown-item-format');
  });
});
