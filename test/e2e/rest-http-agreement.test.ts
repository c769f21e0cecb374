/**
 * The REST form of the authorizer decides exactly as the HTTP form on the same route map: each
 * case goes through the local gateway once as an HTTP API and once as a REST API (its IAM policy
 * enforced on the method ARN), and both must answer the same status; allowed requests must
 * hand the backend the same caller.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantMemberRule } from '#shared/members/member-service.js';
import { keys } from '#shared/store/keys.js';
import { ITEM_FORMATS } from '#shared/store/records/item-format.js';
import { domainDeps } from '../support/domain-deps.js';
import { FORMS, startGatewayForms } from '../support/gateway-forms.js';
import {
  addUser,
  api,
  createTenantWithOwner,
  expectStatus,
  type TestUser,
} from '../support/stack-client.js';
import { addServiceAccount } from '../support/tenant-setup.js';

const deps = domainDeps();
const things = (t: string, thing: string) => `/t/${t}/things/${thing}`;
const routes = {
  'GET /t/{tenantId}/things/{thingId+}': [
    { resource: 'apps:things/{thingId}', action: 'read' as const },
  ],
  'PUT /t/{tenantId}/things/{thingId+}': [
    { resource: 'apps:things/{thingId}', action: 'create' as const },
  ],
};
/** Mounted on both gateways, missing from the route map. */
const unmapped = 'DELETE /t/{tenantId}/things/{thingId+}';

type Gateway = Awaited<ReturnType<typeof startGatewayForms>>;
let gateway: Gateway;

/** Everyone the cases need, set up over the API as a tenant's people would. */
interface World {
  tenantId: string;
  owner: TestUser;
  member: TestUser;
  loggedOut: TestUser;
  strangerToken: string;
  serviceToken: string;
  revokedServiceToken: string;
  personalToken: string;
  revokedPersonalToken: string;
}
let w: World;

const bearer = (token: string) => `Bearer ${token}`;

async function mintPersonal(user: TestUser, tenantId: string, name: string) {
  const res = await expectStatus(
    api('POST', `/v1/tenants/${tenantId}/members/${user.userId}/tokens`, {
      token: user.accessToken,
      body: { name },
    }),
    201,
    'mint personal token',
  );
  return res.body as { tokenId: string; token: string };
}

async function setUp(): Promise<World> {
  const { tenantId, owner, t, as } = await createTenantWithOwner();
  const ownerCaller = { userId: owner.userId, email: owner.email };
  const member = await addUser(tenantId, owner.accessToken);
  const loggedOut = await addUser(tenantId, owner.accessToken);
  const canRead = { resource: 'apps:things/alpha', action: 'read' as const };
  for (const u of [member, loggedOut]) {
    await grantMemberRule(deps, ownerCaller, tenantId, u.userId, canRead);
  }
  const stranger = await createTenantWithOwner();

  const sa = await addServiceAccount({ t, as });
  const rid = encodeURIComponent('apps:things');
  await expectStatus(
    api('PUT', `${t}/acls/${rid}/service-accounts/${sa}/read`, as),
    204,
    'grant service account',
  );
  const mintService = async (name: string) =>
    (
      await expectStatus(
        api('POST', `${t}/service-accounts/${sa}/tokens`, { ...as, body: { name } }),
        201,
        'mint service token',
      )
    ).body as { tokenId: string; token: string };
  const service = await mintService('ci');
  const revokedService = await mintService('old');
  await expectStatus(
    api('DELETE', `${t}/service-accounts/${sa}/tokens/${revokedService.tokenId}`, as),
    204,
    'revoke service token',
  );

  const personal = await mintPersonal(member, tenantId, 'script');
  const revokedPersonal = await mintPersonal(member, tenantId, 'old script');
  await expectStatus(
    api('DELETE', `/v1/me/tokens/${revokedPersonal.tokenId}`, { token: member.accessToken }),
    204,
    'revoke personal token',
  );

  // The logged-out member's token works in both forms until the owner ends its sessions.
  for (const form of FORMS) {
    const before = await gateway.call(
      form,
      'GET',
      things(tenantId, 'alpha'),
      bearer(loggedOut.accessToken),
    );
    if (before.status !== 200) throw new Error(`${form} before logout: ${before.status}`);
  }
  await expectStatus(
    api('POST', `${t}/members/${loggedOut.userId}/logout`, as),
    204,
    'forced logout',
  );

  return {
    tenantId,
    owner,
    member,
    loggedOut,
    strangerToken: stranger.owner.accessToken,
    serviceToken: service.token,
    revokedServiceToken: revokedService.token,
    personalToken: personal.token,
    revokedPersonalToken: revokedPersonal.token,
  };
}

beforeAll(async () => {
  gateway = await startGatewayForms(routes, [unmapped]);
  w = await setUp();
});
afterAll(() => gateway?.close());

interface Case {
  name: string;
  method: string;
  path: (w: World) => string;
  authorization: (w: World) => string | undefined;
  status: 200 | 401 | 403;
  /** For an allow: the caller the backend must be told about. */
  caller?: (w: World) => { userId: string; principalKind: string };
}

const cases: Case[] = [
  {
    name: 'a member with the permission is allowed',
    method: 'GET',
    path: (w) => things(w.tenantId, 'alpha/web'),
    authorization: (w) => bearer(w.member.accessToken),
    status: 200,
    caller: (w) => ({ userId: w.member.userId, principalKind: 'user' }),
  },
  {
    name: 'a member missing the permission is denied',
    method: 'PUT',
    path: (w) => things(w.tenantId, 'alpha/web'),
    authorization: (w) => bearer(w.member.accessToken),
    status: 403,
  },
  {
    name: 'a sibling sharing the prefix is denied',
    method: 'GET',
    path: (w) => things(w.tenantId, 'alphabet'),
    authorization: (w) => bearer(w.member.accessToken),
    status: 403,
  },
  {
    name: 'a session ended by a forced logout is refused on the next request',
    method: 'GET',
    path: (w) => things(w.tenantId, 'alpha'),
    authorization: (w) => bearer(w.loggedOut.accessToken),
    status: 401,
  },
  {
    name: "a service account's API token is allowed",
    method: 'GET',
    path: (w) => things(w.tenantId, 'beta'),
    authorization: (w) => bearer(w.serviceToken),
    status: 200,
    caller: () => ({
      userId: expect.stringMatching(/^service-account:/),
      principalKind: 'service-account',
    }),
  },
  {
    name: 'a revoked API token is refused',
    method: 'GET',
    path: (w) => things(w.tenantId, 'beta'),
    authorization: (w) => bearer(w.revokedServiceToken),
    status: 401,
  },
  {
    name: "a member's personal token is allowed",
    method: 'GET',
    path: (w) => things(w.tenantId, 'alpha'),
    authorization: (w) => bearer(w.personalToken),
    status: 200,
    caller: (w) => ({ userId: w.member.userId, principalKind: 'user' }),
  },
  {
    name: 'a revoked personal token is refused',
    method: 'GET',
    path: (w) => things(w.tenantId, 'alpha'),
    authorization: (w) => bearer(w.revokedPersonalToken),
    status: 401,
  },
  {
    name: 'a route missing from the route map is denied, even to a superuser',
    method: 'DELETE',
    path: (w) => things(w.tenantId, 'alpha'),
    authorization: (w) => bearer(w.owner.accessToken),
    status: 403,
  },
  {
    name: 'no token is a 401',
    method: 'GET',
    path: (w) => things(w.tenantId, 'alpha'),
    authorization: () => undefined,
    status: 401,
  },
  {
    name: 'a garbled token is a 401',
    method: 'GET',
    path: (w) => things(w.tenantId, 'alpha'),
    authorization: (w) => bearer(`${w.member.accessToken.slice(0, -6)}AAAAAA`),
    status: 401,
  },
  {
    name: 'a token that is not a bearer token is a 401',
    method: 'GET',
    path: (w) => things(w.tenantId, 'alpha'),
    authorization: () => 'Basic dXNlcjpwYXNz',
    status: 401,
  },
  {
    name: "another tenant's superuser is denied",
    method: 'GET',
    path: (w) => things(w.tenantId, 'alpha'),
    authorization: (w) => bearer(w.strangerToken),
    status: 403,
  },
];

describe('the REST and HTTP forms agree on one route map', () => {
  it.each(cases)('$name', async (c) => {
    const replies = await Promise.all(
      FORMS.map((form) => gateway.call(form, c.method, c.path(w), c.authorization(w))),
    );
    const [http, rest] = replies;
    expect({ http: http?.status, rest: rest?.status }).toEqual({ http: c.status, rest: c.status });
    if (c.status === 200 && c.caller) {
      const caller = { tenantId: w.tenantId, ...c.caller(w) };
      expect(http?.body.context).toMatchObject(caller);
      // Both forms hand the backend the same caller (REST's principalId included), nothing internal.
      expect(rest?.body.context).toEqual(http?.body.context);
      expect(http?.body.context).not.toHaveProperty('decision');
    }
    if (c.status === 401) {
      expect(rest?.body).toEqual({ message: 'Unauthorized' });
    }
    if (c.status === 403) {
      expect(rest?.body).toEqual({
        message: 'User is not authorized to access this resource with an explicit deny',
      });
    }
  });

  it('an item of a format this authorizer does not know is denied in both forms, and allowed again once known', async () => {
    const member = keys.member(w.tenantId, w.member.userId);
    const setFormat = (format: number) =>
      deps.db.send(
        new UpdateCommand({
          TableName: deps.tableName,
          Key: member,
          UpdateExpression: 'SET #f = :f',
          ExpressionAttributeNames: { '#f': 'format' },
          ExpressionAttributeValues: { ':f': format },
        }),
      );
    const call = () =>
      Promise.all(
        FORMS.map((form) =>
          gateway.call(form, 'GET', things(w.tenantId, 'alpha'), bearer(w.member.accessToken)),
        ),
      );
    await setFormat(ITEM_FORMATS.member + 1);
    try {
      const [http, rest] = await call();
      expect({ http: http?.status, rest: rest?.status }).toEqual({ http: 403, rest: 403 });
    } finally {
      await setFormat(ITEM_FORMATS.member);
    }
    const [http, rest] = await call();
    expect({ http: http?.status, rest: rest?.status }).toEqual({ http: 200, rest: 200 });
  });
});
