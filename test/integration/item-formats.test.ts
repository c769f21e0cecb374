/**
 * The contract between versions (issue 16): the authorizer, as deployed (metrics on), meets each
 * item kind it reads written with a format one higher than it knows, and denies with its own
 * reason (`unknown-item-format`), counting `UnknownItemFormat` by kind and never a fault; with the
 * format put back the same request is allowed again, so the format alone decided. And member
 * items written by the previous version (format 2, rules as a list, written raw here) are still
 * read, then upgraded to format 3 by the backfill. And the management functions refuse an item of a
 * newer format (500 problem, counted) rather than read it and write it back without what they do
 * not know.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApiToken } from '#shared/api-tokens/api-token-service.js';
import { createPersonalToken } from '#shared/api-tokens/personal-token-service.js';
import type { Caller } from '#shared/app/context.js';
import { fetchJwks } from '#shared/auth/token-verifier.js';
import { getMember, grantMemberRule } from '#shared/members/member-service.js';
import { createRole } from '#shared/roles/role-service.js';
import type { RouteAuth } from '#shared/routes/route-types.js';
import {
  createServiceAccount,
  grantServiceAccountRule,
} from '#shared/service-accounts/service-account-service.js';
import { backfillTenant } from '#shared/sessions/decision-backfill.js';
import { keys } from '#shared/store/keys.js';
import {
  ITEM_FORMATS,
  type ItemKind,
  UnknownItemFormatError,
} from '#shared/store/records/item-format.js';
import { PACKED_RULES_ATTRIBUTE } from '#shared/store/records/packed-rules.js';
import { POLICY_VERSION_SHARDS } from '#shared/store/records/policy-record.js';
import { deleteThings, readThings, requirements } from '../support/authorizer-kit.js';
import { domainDeps } from '../support/domain-deps.js';
import { captureOutput, coldStartInLambda, metricsNamed } from '../support/lambda-output.js';
import {
  addUser,
  api,
  createTenantWithOwner,
  createUser,
  ddb,
  type OwnedTenant,
  stack,
  uniqueId,
} from '../support/stack-client.js';

const TableName = stack.dynamodb.tableName;
const issuer = `${stack.cognito.endpoint}/${stack.cognito.userPoolId}`;
const jwksUri = `${issuer}/.well-known/jwks.json`;
const deps = domainDeps();
const ME = 'GET /me';

let tenant: OwnedTenant;
let apiToken: string;
let apiTokenId: string;
let personalToken: string;
let personalTokenId: string;
let serviceAccountId: string;
let jwks: Awaited<ReturnType<typeof fetchJwks>>;

beforeAll(async () => {
  jwks = await fetchJwks(jwksUri);
  tenant = await createTenantWithOwner();
  const owner: Caller = {
    userId: tenant.owner.userId,
    email: tenant.owner.email,
    credential: 'session',
    authTime: Math.floor(Date.now() / 1000),
  };
  serviceAccountId = uniqueId('sa');
  await createServiceAccount(deps, owner, tenant.tenantId, { serviceAccountId, name: 'Bot' });
  await grantServiceAccountRule(deps, owner, tenant.tenantId, serviceAccountId, {
    resource: 'apps:things',
    action: 'read',
  });
  const mint = { name: 'formats', expiresInDays: 1 };
  ({ token: apiToken, tokenId: apiTokenId } = await createApiToken(
    deps,
    owner,
    tenant.tenantId,
    serviceAccountId,
    mint,
  ));
  ({ token: personalToken, tokenId: personalTokenId } = await createPersonalToken(
    deps,
    owner,
    tenant.tenantId,
    owner.userId,
    mint,
  ));
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

/**
 * A fresh authorizer as deployed (a Lambda cold start: metrics written), deciding the example
 * app's routes and `GET /me` (outside tenants); returns each decision's context and metrics.
 */
async function deployedAuthorizer() {
  coldStartInLambda();
  const { createAuthorizer } = await import('#shared/auth/authorizer.js');
  const { createSnapshotReader } = await import('#shared/auth/snapshot-reader.js');
  const { createAccessTokenVerifier } = await import('#shared/auth/token-verifier.js');
  const { createDocumentClient, sdkTransport } = await import('#shared/store/dynamo-client.js');
  const { flushMetrics } = await import('#shared/observability/metrics.js');
  const { systemClock } = await import('#shared/platform/clock.js');
  const db = createDocumentClient({
    AWS_REGION: stack.dynamodb.region,
    DYNAMODB_ENDPOINT: stack.dynamodb.endpoint,
  });
  const authorize = createAuthorizer({
    verifier: createAccessTokenVerifier({
      issuer,
      clientId: stack.cognito.clientId,
      jwksUri,
      jwks,
    }),
    snapshots: createSnapshotReader(sdkTransport(db), TableName),
    requirements: (routeKey): RouteAuth | undefined =>
      routeKey === ME ? { kind: 'authenticated' } : requirements(routeKey),
    clock: systemClock,
    mode: 'internal',
  });
  return async (token: string, routeKey = readThings) => {
    const event = {
      type: 'REQUEST',
      routeKey,
      headers: { authorization: `Bearer ${token}` },
      pathParameters: { tenantId: tenant.tenantId },
    } as unknown as APIGatewayRequestAuthorizerEventV2;
    const out = captureOutput();
    try {
      const { context } = await authorize(event);
      flushMetrics();
      return { context, emf: out.emf() };
    } finally {
      out.stop();
    }
  };
}

/** Sets (or, with undefined, removes) the `format` of the items at `itemKeys`, raw. */
async function setFormat(itemKeys: Record<string, string>[], format: number | undefined) {
  for (const Key of itemKeys) {
    await ddb.send(
      new UpdateCommand({
        TableName,
        Key,
        UpdateExpression: format === undefined ? 'REMOVE #f' : 'SET #f = :f',
        ExpressionAttributeNames: { '#f': 'format' },
        ...(format === undefined ? {} : { ExpressionAttributeValues: { ':f': format } }),
      }),
    );
  }
}

const shardKeys = () =>
  Array.from({ length: POLICY_VERSION_SHARDS }, (_, k) =>
    keys.policyVersionShard(tenant.tenantId, k),
  );

/** Each item kind: where its items are, the format they hold now, and a request that reads it. */
const cases: {
  kind: ItemKind;
  itemKeys: () => Record<string, string>[];
  now: number | undefined;
  token: () => string;
  route?: string;
  setUp?: () => Promise<void>;
  tearDown?: () => Promise<void>;
}[] = [
  {
    kind: 'member',
    itemKeys: () => [keys.member(tenant.tenantId, tenant.owner.userId)],
    now: ITEM_FORMATS.member,
    token: () => tenant.owner.accessToken,
  },
  { kind: 'policy-version', itemKeys: shardKeys, now: 1, token: () => tenant.owner.accessToken },
  // Read by a cold authorizer, to compile the policy.
  {
    kind: 'policy',
    itemKeys: () => [keys.policy(tenant.tenantId)],
    now: 1,
    token: () => tenant.owner.accessToken,
  },
  {
    kind: 'api-token',
    itemKeys: () => [keys.apiToken(tenant.tenantId, serviceAccountId, apiTokenId)],
    now: 1,
    token: () => apiToken,
  },
  {
    kind: 'service-account',
    itemKeys: () => [keys.serviceAccount(tenant.tenantId, serviceAccountId)],
    now: 1,
    token: () => apiToken,
  },
  {
    kind: 'personal-token',
    itemKeys: () => [keys.personalToken(tenant.tenantId, tenant.owner.userId, personalTokenId)],
    now: 1,
    token: () => personalToken,
  },
  // Read by routes outside tenants.
  {
    kind: 'user-sessions',
    itemKeys: () => [keys.userSessions(tenant.owner.userId)],
    now: 1,
    token: () => tenant.owner.accessToken,
    route: ME,
  },
  // Read only beside a member item of format 1 (before folding): the owner's, made so here.
  {
    kind: 'session-floor',
    itemKeys: () => [keys.memberSessionFloor(tenant.tenantId, tenant.owner.userId)],
    now: 1,
    token: () => tenant.owner.accessToken,
    setUp: () => setFormat([keys.member(tenant.tenantId, tenant.owner.userId)], undefined),
    tearDown: async () => {
      await setFormat([keys.member(tenant.tenantId, tenant.owner.userId)], ITEM_FORMATS.member);
      await ddb.send(
        new DeleteCommand({
          TableName,
          Key: keys.memberSessionFloor(tenant.tenantId, tenant.owner.userId),
        }),
      );
    },
  },
];

describe('an item of a format the authorizer does not know', () => {
  it('covers every item kind the authorizer reads', () => {
    expect(cases.map((c) => c.kind).sort()).toEqual(Object.keys(ITEM_FORMATS).sort());
  });

  for (const c of cases) {
    it(`${c.kind}: denies with reason unknown-item-format and counts UnknownItemFormat, never a fault`, async () => {
      await c.setUp?.();
      const allowedBefore = await (await deployedAuthorizer())(c.token(), c.route);
      expect(allowedBefore.context.decision).toBe('allow');
      await setFormat(c.itemKeys(), ITEM_FORMATS[c.kind] + 1);
      try {
        const { context, emf } = await (await deployedAuthorizer())(c.token(), c.route);
        expect(context.decision).toBe('unknown-item-format');
        expect(context.reason).toContain(`unknown-item-format: ${c.kind} item has format`);
        expect(metricsNamed(emf, 'UnknownItemFormat')).toMatchObject([
          {
            UnknownItemFormat: 1,
            kind: c.kind,
            stage: 'test',
            _aws: { CloudWatchMetrics: [{ Dimensions: [['service', 'stage', 'kind']] }] },
          },
        ]);
        expect(metricsNamed(emf, 'Denied')).toMatchObject([
          { Denied: 1, reason: 'unknown-item-format' },
        ]);
        expect(metricsNamed(emf, 'AuthorizerFault')).toEqual([]);
        expect(metricsNamed(emf, 'Allowed')).toEqual([]);
      } finally {
        await setFormat(c.itemKeys(), c.now);
        await c.tearDown?.();
      }
      // The format alone decided: put back, the same request is allowed.
      expect((await (await deployedAuthorizer())(c.token(), c.route)).context.decision).toBe(
        'allow',
      );
    });
  }

  it('answers 403 problem+json naming the reason through the API (the handler chain)', async () => {
    const member = keys.member(tenant.tenantId, tenant.owner.userId);
    expect((await api('GET', tenant.t, tenant.as)).status).toBe(200);
    await setFormat([member], ITEM_FORMATS.member + 1);
    try {
      const res = await api('GET', tenant.t, tenant.as);
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(String(res.body.detail)).toContain('unknown-item-format');
    } finally {
      await setFormat([member], ITEM_FORMATS.member);
    }
    expect((await api('GET', tenant.t, tenant.as)).status).toBe(200);
  });
});

describe('member items written by the previous version (format 2)', () => {
  /** A member item exactly as format 2 wrote it: folded stamps, rules as a list of maps. */
  async function writeFormat2Member(userId: string, email: string) {
    const item = {
      ...keys.member(tenant.tenantId, userId),
      ...keys.byUser(userId, tenant.tenantId),
      ...keys.memberByEmail(tenant.tenantId, email),
      type: 'member',
      tenantId: tenant.tenantId,
      userId,
      email,
      status: 'active',
      joinedAt: new Date().toISOString(),
      groups: ['everyone'],
      roles: [],
      rules: [
        { resource: 'apps:things', action: 'read' },
        { resource: 'apps:other/deep/path', action: 'full' },
      ],
      sessionsValidAfter: 0,
      superuser: false,
      version: 3,
      incarnation: uniqueId('inc'),
      format: 2,
    };
    await ddb.send(new PutCommand({ TableName, Item: item }));
  }

  it('decides from its rule list, reads it in the API, and the backfill packs it into format 3', async () => {
    const user = await createUser();
    await writeFormat2Member(user.userId, user.email);
    const decide = await deployedAuthorizer();
    expect((await decide(user.accessToken)).context.decision).toBe('allow');
    expect((await decide(user.accessToken, deleteThings)).context.decision).toBe('forbidden');
    const read = await getMember(deps, tenant.tenantId, user.userId);
    expect(read).toMatchObject({ userId: user.userId, email: user.email, status: 'active' });

    const report = await backfillTenant(deps, tenant.tenantId);
    expect(report).toMatchObject({ folded: 0 });
    expect(report.packed).toBeGreaterThanOrEqual(1);
    const item = await deps.table.get(keys.member(tenant.tenantId, user.userId));
    expect(item).toMatchObject({ format: 3, version: 4 });
    expect(item).not.toHaveProperty('rules');
    expect(item?.[PACKED_RULES_ATTRIBUTE]).toBeInstanceOf(Uint8Array);
    const upgraded = await deployedAuthorizer();
    expect((await upgraded(user.accessToken)).context.decision).toBe('allow');
    expect((await upgraded(user.accessToken, deleteThings)).context.decision).toBe('forbidden');
    // Running it again changes nothing.
    expect(await backfillTenant(deps, tenant.tenantId)).toMatchObject({ folded: 0, packed: 0 });
  });

  it('keeps its rules when a grant rewrites it (as format 3)', async () => {
    const user = await createUser();
    await writeFormat2Member(user.userId, user.email);
    const owner: Caller = { userId: tenant.owner.userId, email: tenant.owner.email };
    await grantMemberRule(deps, owner, tenant.tenantId, user.userId, {
      resource: 'apps:things',
      action: 'delete',
    });
    const item = await deps.table.get(keys.member(tenant.tenantId, user.userId));
    expect(item).toMatchObject({ format: 3 });
    expect(item).not.toHaveProperty('rules');
    const decide = await deployedAuthorizer();
    expect((await decide(user.accessToken)).context.decision).toBe('allow');
    expect((await decide(user.accessToken, deleteThings)).context.decision).toBe('allow');
  });
});

describe('management over an item of a newer format (a rollback below a written format)', () => {
  /** Marks the item at `key` as written by a newer version: a higher format and a field this one does not know. */
  async function makeNewer(key: Record<string, string>, kind: ItemKind) {
    await ddb.send(
      new UpdateCommand({
        TableName,
        Key: key,
        UpdateExpression: 'SET #f = :f, futureField = :x',
        ExpressionAttributeNames: { '#f': 'format' },
        ExpressionAttributeValues: { ':f': ITEM_FORMATS[kind] + 1, ':x': 'kept' },
      }),
    );
  }
  const raw = async (key: Record<string, string>) =>
    (await ddb.send(new GetCommand({ TableName, Key: key, ConsistentRead: true }))).Item;
  const owner = (): Caller => ({
    userId: tenant.owner.userId,
    email: tenant.owner.email,
    credential: 'session',
    authTime: Math.floor(Date.now() / 1000),
  });

  it("member: a grant on another member's newer item answers a 500 problem naming it and writes nothing", async () => {
    const target = await addUser(tenant.tenantId, tenant.owner.accessToken);
    const key = keys.member(tenant.tenantId, target.userId);
    await makeNewer(key, 'member');
    const before = await raw(key);
    const grant = `${tenant.t}/acls/${encodeURIComponent('apps:future')}/users/${target.userId}/read`;
    const res = await api('PUT', grant, tenant.as);
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ title: 'Item format not supported', kind: 'member' });
    expect(await raw(key)).toEqual(before);
    // Reads refuse it too, rather than show a record missing what it does not know, and so
    // does a check of that member (its rules are not read in a format this version lacks).
    expect((await api('GET', `${tenant.t}/members/${target.userId}`, tenant.as)).status).toBe(500);
    const check = await api('POST', `${tenant.t}/check`, {
      ...tenant.as,
      body: { userId: target.userId, resource: 'apps:future', action: 'read' },
    });
    expect(check.status).toBe(500);
    expect(check.body).toMatchObject({ title: 'Item format not supported', kind: 'member' });
  });

  it('service account: a rule grant on its newer item is refused and writes nothing', async () => {
    const id = uniqueId('sa');
    await createServiceAccount(deps, owner(), tenant.tenantId, {
      serviceAccountId: id,
      name: 'New',
    });
    const key = keys.serviceAccount(tenant.tenantId, id);
    await makeNewer(key, 'service-account');
    const before = await raw(key);
    await expect(
      grantServiceAccountRule(deps, owner(), tenant.tenantId, id, {
        resource: 'apps:future',
        action: 'read',
      }),
    ).rejects.toBeInstanceOf(UnknownItemFormatError);
    expect(await raw(key)).toEqual(before);
  });

  it('policy: a role created over a newer policy item is refused and writes nothing', async () => {
    const other = await createTenantWithOwner();
    const key = keys.policy(other.tenantId);
    await makeNewer(key, 'policy');
    const before = await raw(key);
    const caller: Caller = {
      userId: other.owner.userId,
      email: other.owner.email,
      credential: 'session',
      authTime: Math.floor(Date.now() / 1000),
    };
    await expect(
      createRole(deps, caller, other.tenantId, {
        roleId: 'future',
        name: 'Future',
        permissions: [{ resource: 'apps:future', action: 'read' }],
      }),
    ).rejects.toBeInstanceOf(UnknownItemFormatError);
    expect(await raw(key)).toEqual(before);
  });
});
