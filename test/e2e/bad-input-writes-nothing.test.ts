/**
 * Rule 8, driven by the route table: bad input never corrupts state. Every route that takes a
 * body is sent unknown fields (at the top and in every nested object), wrong types, oversize
 * strings and arrays, non-object JSON and an oversize body; every list route is sent unknown
 * query fields, bad limits and forged cursors; every path parameter is sent an oversize value.
 * Each answer is a 4xx problem+json naming the field, and the tenant's items, its audit log
 * and Cognito are exactly as before. The tenant comes only from the path.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { mailsTo } from '../support/mail-store.js';
import {
  isMutating,
  pathParams,
  type RouteDefinition,
  routeKey,
  routePath,
  routeTable,
  sampleBody,
  tenantRoutes,
} from '../support/route-samples.js';
import {
  type ApiResponse,
  addUser,
  api,
  createTenantWithOwner,
  ddb,
  joinAsAdded,
  stack,
  storedMemberRules,
  tenantRow,
  uniqueEmail,
  uniqueId,
} from '../support/stack-client.js';
import { auditEvents, cognitoUserExists, snapshotTenant } from '../support/table-snapshot.js';
import { buildTenantFixture, useTenantFixture } from '../support/tenant-fixture.js';

const f = useTenantFixture();

type Path = (string | number)[];
interface Variant {
  name: string;
  body: unknown;
  /** The field the 400 must name. */
  field: string;
}

const fieldName = (path: Path) => ['body', ...path].join('.');

function setAt(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  node[path[path.length - 1] as string | number] = value;
  return copy;
}

function nodes(value: unknown, path: Path = []): [Path, unknown][] {
  const out: [Path, unknown][] = [[path, value]];
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) out.push(...nodes(v, [...path, i]));
  } else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) out.push(...nodes(v, [...path, k]));
  return out;
}

/** The bad versions of a valid sample body, each with the field its 400 must name. */
function badBodies(sample: Record<string, unknown>): Variant[] {
  const out: Variant[] = [];
  const rootKey = 'tenantId' in sample ? 'superuserCount' : 'tenantId';
  out.push({
    name: `unknown field ${rootKey} (the tenant comes only from the path)`,
    body: { ...sample, [rootKey]: 'other-tenant' },
    field: `body.${rootKey}`,
  });
  for (const [path, value] of nodes(sample)) {
    const at = fieldName(path);
    if (path.length > 0 && value && typeof value === 'object' && !Array.isArray(value)) {
      out.push({
        name: `unknown field in ${at}`,
        body: setAt(sample, path, { ...value, injected: true }),
        field: `${at}.injected`,
      });
      out.push({ name: `${at} as a string`, body: setAt(sample, path, 'x'), field: at });
    }
    if (Array.isArray(value)) {
      out.push({
        name: `${at} with 1001 entries`,
        body: setAt(
          sample,
          path,
          Array.from({ length: 1001 }, () => value[0]),
        ),
        field: at,
      });
      out.push({ name: `${at} as an object`, body: setAt(sample, path, {}), field: at });
    }
    if (typeof value === 'string') {
      out.push({
        name: `${at} of 50,000 characters`,
        body: setAt(sample, path, 'a'.repeat(50_000)),
        field: at,
      });
      out.push({ name: `${at} as a number`, body: setAt(sample, path, 12345), field: at });
    }
    if (typeof value === 'number')
      out.push({ name: `${at} as a string`, body: setAt(sample, path, '12'), field: at });
  }
  for (const root of [[], null, 'x', 7])
    out.push({ name: `body ${JSON.stringify(root)}`, body: root, field: 'body' });
  out.push({
    name: 'a body over 256 KiB',
    body: { ...sample, padding: 'x'.repeat(300 * 1024) },
    field: 'body',
  });
  return out;
}

/** Whether the problem names `field` (or the field that holds it, as unions report). */
function namesField(res: ApiResponse, field: string): boolean {
  const paths = ((res.body?.errors ?? []) as { path: string }[]).map((e) => e.path);
  return paths.some((p) => p === field || (p !== 'body' && field.startsWith(`${p}.`)));
}

/** What is wrong with the answer to bad input (undefined: a 400 problem naming `field`). */
function badInputProblem(res: ApiResponse, field: string, what: string): string | undefined {
  const why: string[] = [];
  if (res.status !== 400) why.push(`status ${res.status}`);
  if (res.headers.get('content-type') !== 'application/problem+json')
    why.push(`content-type ${res.headers.get('content-type')}`);
  else if (!namesField(res, field))
    why.push(`errors ${JSON.stringify(res.body?.errors)} do not name ${field}`);
  return why.length ? `${what}: ${why.join(', ')}` : undefined;
}

/** Collects the problems of many answers, to assert once with the whole list. */
function problems() {
  const list: string[] = [];
  return {
    list,
    check(res: ApiResponse, field: string, what: string) {
      const p = badInputProblem(res, field, what);
      if (p) list.push(p);
    },
  };
}

const bodyRoutes = routeTable.filter((r) => r.body);

/** Bad values only one route can know about, by route key. */
const routeSpecificBadBodies: Record<string, (sample: Record<string, unknown>) => Variant[]> = {
  // The user pool's password policy: at least 12 characters, lower, upper, digit and symbol.
  'POST /v1/invites/accept': (sample) =>
    [
      'Short-pa5s!',
      'no-upper-case-123',
      'NO-LOWER-CASE-123',
      'No-digits-at-all',
      'NoSymbols12345ab',
    ].map((password) => ({
      name: `a weak password (${password})`,
      body: { ...sample, password },
      field: 'body.password',
    })),
};

/**
 * Who sends the bad bodies: the owner, except on routes only the member named in the path may
 * use (minting a personal token), so that a body slipping through would really write.
 */
function callerToken(route: RouteDefinition): string | undefined {
  if (route.auth.kind === 'public' || route.auth.kind === 'optional') return undefined;
  if (routeKey(route) === 'POST /v1/tenants/{tenantId}/members/{userId}/tokens')
    return f.member.accessToken;
  return f.owner.accessToken;
}

describe('every route that takes a body', () => {
  it('covers the body routes of the route table', () => {
    expect(bodyRoutes.length).toBeGreaterThanOrEqual(18);
  });

  it.each(bodyRoutes.map((r) => [routeKey(r), r] as const))(
    '%s: answers 400 naming the field to every bad body, and writes nothing',
    async (key, route) => {
      const sample = sampleBody(route, f) as Record<string, unknown>;
      const token = callerToken(route);
      const before = await snapshotTenant(f.tenantId);
      const found = problems();
      const extra = routeSpecificBadBodies[key]?.(sample) ?? [];
      for (const v of [...badBodies(sample), ...extra]) {
        const res = await api(route.method, routePath(route, f), {
          token,
          body: JSON.stringify(v.body),
        });
        found.check(res, v.field, `${key} with ${v.name}`);
      }
      expect(await snapshotTenant(f.tenantId), `${key} changed the tenant`).toEqual(before);
      if (typeof sample.email === 'string')
        expect(await cognitoUserExists(sample.email), `${key} created a user`).toBe(false);
      if (key === 'POST /v1/tenants') {
        const tenantId = String(sample.tenantId);
        expect(await tenantRow(tenantId), `${key} created a tenant`).toBeUndefined();
        expect(await auditEvents(tenantId)).toEqual([]);
      }
      if (key === 'POST /v1/invites/accept') {
        expect(await cognitoUserExists(f.inviteEmails[0] ?? '')).toBe(false);
        const still = await api('POST', '/v1/invites/lookup', {
          body: { token: f.inviteTokens[0] },
        });
        expect(still.status).toBe(200);
      }
      expect(found.list).toEqual([]);
    },
    60_000,
  );

  it('rejects malformed JSON naming the body on every body route, writing nothing', async () => {
    const before = await snapshotTenant(f.tenantId);
    const found = problems();
    for (const route of bodyRoutes) {
      const res = await api(route.method, routePath(route, f), {
        token: f.owner.accessToken,
        body: '{"name": ',
      });
      found.check(res, 'body', `${routeKey(route)} with malformed JSON`);
    }
    expect(found.list).toEqual([]);
    expect(await snapshotTenant(f.tenantId)).toEqual(before);
  });
});

describe('every route that takes no body', () => {
  // Rule 8: unknown fields are rejected. On a route that declares no body every field is
  // unknown, so a JSON body with fields must be refused rather than silently ignored: the
  // product answers 400 naming `body` (only nothing or `{}` is accepted).
  const bodiless = tenantRoutes
    .filter((r) => !r.body && isMutating(r))
    .sort((x, y) => Number(x.method === 'DELETE') - Number(y.method === 'DELETE'));

  it('refuses a JSON body with fields (naming the body) instead of ignoring it, and writes nothing', async () => {
    const g = await buildTenantFixture();
    expect(bodiless.length).toBeGreaterThan(10);
    const found = problems();
    for (const route of bodiless) {
      const key = routeKey(route);
      const before = await snapshotTenant(g.tenantId);
      const res = await api(route.method, routePath(route, g), {
        token: g.owner.accessToken,
        body: { tenantId: 'other-tenant', roles: ['owner'] },
      });
      found.check(res, 'body', key);
      const after = await snapshotTenant(g.tenantId);
      if (JSON.stringify(after) !== JSON.stringify(before)) found.list.push(`${key}: wrote`);
    }
    expect(found.list).toEqual([]);
  }, 120_000);
});

describe('every list route', () => {
  const lists = tenantRoutes.filter((r) => r.method === 'GET' && r.query);

  function forgedCursors(route: RouteDefinition): [string, string][] {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const pk = `TENANT#${f.tenantId}`;
    return [
      ['not base64 JSON', '%%%not-a-cursor'],
      ['a JSON array', b64([])],
      ['a key with a number sort key', b64({ pk, sk: 7 })],
      ['a key without its sort key', b64({ pk })],
      ['a key with extra attributes', b64({ pk, sk: 'MEMBER#x', gsi1pk: 1, other: { a: 1 } })],
      ['a key of another tenant', b64({ pk: 'TENANT#someone-else', sk: 'MEMBER#x' })],
      ['an audit key of another tenant', b64({ pk: 'AUDIT#someone-else', sk: 'x' })],
      ['a huge cursor', 'A'.repeat(3000)],
    ].map(([name, cursor]) => [`${routeKey(route)} with ${name}`, cursor as string]);
  }

  it('answers 400 naming the field to unknown query fields, bad limits and forged cursors', async () => {
    expect(lists.length).toBeGreaterThanOrEqual(9);
    const before = await snapshotTenant(f.tenantId);
    const found = problems();
    for (const route of lists) {
      const base = routePath(route, f);
      const get = (q: string) => api('GET', `${base}?${q}`, { token: f.owner.accessToken });
      const key = routeKey(route);
      found.check(await get('tenantId=other'), 'query.tenantId', `${key} ?tenantId`);
      for (const limit of ['0', '101', 'abc', '-1', '1.5'])
        found.check(await get(`limit=${limit}`), 'query.limit', `${key} ?limit=${limit}`);
      for (const [what, cursor] of forgedCursors(route))
        found.check(await get(`cursor=${encodeURIComponent(cursor)}`), 'query.cursor', what);
    }
    expect(found.list).toEqual([]);
    expect(await snapshotTenant(f.tenantId)).toEqual(before);
  });

  it('answers 400 naming query.cursor to a cursor of another listing of the same tenant', async () => {
    const cursorOf = async (path: string) => {
      const page = await api('GET', `/v1/tenants/${f.tenantId}/${path}?limit=1`, {
        token: f.owner.accessToken,
      });
      expect(page.body.nextCursor, path).toEqual(expect.any(String));
      return String(page.body.nextCursor);
    };
    const groups = await cursorOf('groups');
    const roles = await cursorOf('roles');
    const found = problems();
    for (const route of lists) {
      const key = routeKey(route);
      const foreign = route.path.endsWith('/groups') ? roles : groups;
      const res = await api('GET', `${routePath(route, f)}?cursor=${encodeURIComponent(foreign)}`, {
        token: f.owner.accessToken,
      });
      found.check(res, 'query.cursor', `${key} with a cursor of another listing`);
    }
    expect(found.list).toEqual([]);
  });
});

describe('every path parameter', () => {
  it('answers a 4xx problem (400 naming the parameter, or 404) to an oversize value, writing nothing', async () => {
    const before = await snapshotTenant(f.tenantId);
    const found: string[] = [];
    let probes = 0;
    for (const route of tenantRoutes) {
      for (const param of pathParams(route.path).filter((p) => p !== 'tenantId')) {
        const key = `${routeKey(route)} with a 1500-character {${param}}`;
        const res = await api(route.method, routePath(route, f, { [param]: 'x'.repeat(1500) }), {
          token: f.owner.accessToken,
          body: sampleBody(route, f),
        });
        probes++;
        if (res.status !== 400 && res.status !== 404)
          found.push(`${key}: ${res.status} ${JSON.stringify(res.body)}`);
        else if (res.headers.get('content-type') !== 'application/problem+json')
          found.push(`${key}: not problem+json`);
        else if (res.status === 400 && !namesField(res, `path.${param}`))
          found.push(`${key}: errors ${JSON.stringify(res.body.errors)} do not name path.${param}`);
      }
    }
    expect(probes).toBeGreaterThan(50);
    expect(found).toEqual([]);
    expect(await snapshotTenant(f.tenantId)).toEqual(before);
  });
});

describe('the tenant comes only from the path', () => {
  it('ignores tenant headers: a change in A with headers naming B changes only A', async () => {
    const a = await createTenantWithOwner();
    const b = await createTenantWithOwner();
    // A's owner is also a superuser of B, so a header that picked the tenant would work.
    const join = await joinAsAdded(b.tenantId, b.owner.accessToken, a.owner, ['owner']);
    expect(join.status).toBe(200);
    const before = await snapshotTenant(b.tenantId);
    const res = await api('PATCH', `/v1/tenants/${a.tenantId}`, {
      token: a.owner.accessToken,
      body: { name: 'Changed in A' },
      headers: {
        'x-tenant-id': b.tenantId,
        'x-gatehouse-tenant': b.tenantId,
        tenant: b.tenantId,
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.tenantId).toBe(a.tenantId);
    expect((await tenantRow(a.tenantId))?.name).toBe('Changed in A');
    expect(await snapshotTenant(b.tenantId)).toEqual(before);
  });
});

describe('header injection', () => {
  const crlf = 'Evil\r\nBcc: victim@example.test';

  it('refuses CR/LF in every display name with 400 naming it, writing nothing', async () => {
    const t = `/v1/tenants/${f.tenantId}`;
    const sa = `${t}/service-accounts/${f.params.serviceAccountId}`;
    const before = await snapshotTenant(f.tenantId);
    const newTenant = uniqueId('t');
    const cases: [string, string, unknown, string][] = [
      ['POST', '/v1/tenants', { tenantId: newTenant, name: crlf }, 'body.name'],
      ['PATCH', t, { name: crlf }, 'body.name'],
      ['POST', `${t}/groups`, { groupId: uniqueId('g'), name: crlf }, 'body.name'],
      ['PATCH', `${t}/groups/${f.groupId}`, { name: crlf }, 'body.name'],
      ['POST', `${t}/roles`, { roleId: uniqueId('r'), name: crlf, permissions: [] }, 'body.name'],
      ['PUT', `${t}/roles/${f.roleId}`, { name: crlf, permissions: [] }, 'body.name'],
      [
        'POST',
        `${t}/service-accounts`,
        { serviceAccountId: uniqueId('sa'), name: crlf },
        'body.name',
      ],
      ['PATCH', sa, { name: crlf }, 'body.name'],
      ['POST', `${sa}/tokens`, { name: crlf }, 'body.name'],
      ['POST', `${t}/members`, { email: `${uniqueEmail()}\r\nBcc: x@example.test` }, 'body.email'],
    ];
    const found = problems();
    for (const [method, path, body, field] of cases) {
      const res = await api(method, path, { token: f.owner.accessToken, body });
      found.check(res, field, `${method} ${path}`);
    }
    expect(found.list).toEqual([]);
    expect(await snapshotTenant(f.tenantId)).toEqual(before);
    expect(await tenantRow(newTenant)).toBeUndefined();
  });

  it('refuses CR/LF in an invited address or the message, and no mail goes out', async () => {
    const email = uniqueEmail('crlf');
    const before = await snapshotTenant(f.tenantId);
    for (const body of [
      { emails: [`${email}\r\nBcc: victim@example.test`] },
      { emails: [email], message: crlf },
      { emails: [email], message: 'line\nbreak' },
    ]) {
      const res = await api('POST', `/v1/tenants/${f.tenantId}/invites`, {
        token: f.owner.accessToken,
        body,
      });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect(await snapshotTenant(f.tenantId)).toEqual(before);
    expect(await mailsTo(email)).toEqual([]);
    expect(await mailsTo('victim@example.test')).toEqual([]);
  });
});

describe('tenant settings', () => {
  it('refuses default roles or groups that do not exist, naming the entry, and keeps the settings', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const before = await snapshotTenant(tenantId);
    const found = problems();
    for (const [settings, field] of [
      [{ defaultRoles: ['member', 'no-such-role'] }, 'body.settings.defaultRoles.1'],
      [{ defaultGroups: ['no-such-group'] }, 'body.settings.defaultGroups.0'],
    ] as const) {
      const res = await api('PATCH', `/v1/tenants/${tenantId}`, {
        token: owner.accessToken,
        body: { settings },
      });
      found.check(res, field, JSON.stringify(settings));
    }
    expect(found.list).toEqual([]);
    expect(await snapshotTenant(tenantId)).toEqual(before);
  });
});

describe('registered resource namespaces', () => {
  it('refuses a grant of an action the namespace does not accept, on every grant route, with 400 and no write', async () => {
    const { tenantId, owner, t, as } = await createTenantWithOwner();
    const user = await addUser(tenantId, owner.accessToken);
    const saId = uniqueId('sa');
    expect(
      (
        await api('POST', `${t}/service-accounts`, {
          ...as,
          body: { serviceAccountId: saId, name: 'S' },
        })
      ).status,
    ).toBe(201);
    const roleId = uniqueId('r');
    expect(
      (await api('POST', `${t}/roles`, { ...as, body: { roleId, name: 'R', permissions: [] } }))
        .status,
    ).toBe(201);
    // The API has no route to register a namespace yet (see the audit report), so the test
    // registers DC/OS's Admin Router namespace (only `full`) in the policy item the way a
    // registration would: the namespace map plus a policy version bump.
    await ddb.send(
      new UpdateCommand({
        TableName: stack.dynamodb.tableName,
        Key: { pk: `TENANT#${tenantId}`, sk: 'POLICY' },
        UpdateExpression: 'SET namespaces = :ns ADD policyVersion :one',
        ExpressionAttributeValues: { ':ns': { 'dcos:adminrouter': ['full'] }, ':one': 1 },
      }),
    );
    const rid = encodeURIComponent('dcos:adminrouter:service:marathon');
    const before = await snapshotTenant(tenantId);
    const refused: [string, string, unknown, string][] = [
      ['PUT', `${t}/acls/${rid}/users/${user.userId}/read`, undefined, 'path.action'],
      ['PUT', `${t}/acls/${rid}/groups/everyone/read`, undefined, 'path.action'],
      ['PUT', `${t}/acls/${rid}/service-accounts/${saId}/read`, undefined, 'path.action'],
      [
        'POST',
        `${t}/roles`,
        {
          roleId: uniqueId('r'),
          name: 'R',
          permissions: [{ resource: 'dcos:adminrouter:service:marathon', action: 'read' }],
        },
        'body.permissions.0.action',
      ],
      [
        'PUT',
        `${t}/roles/${roleId}`,
        { name: 'R', permissions: [{ resource: 'dcos:adminrouter', action: 'create' }] },
        'body.permissions.0.action',
      ],
    ];
    const found = problems();
    for (const [method, path, body, field] of refused) {
      const res = await api(method, path, { ...as, body });
      found.check(res, field, `${method} ${path}`);
    }
    expect(found.list).toEqual([]);
    expect(await snapshotTenant(tenantId)).toEqual(before);
    // What the namespace accepts goes through.
    const ok = await api('PUT', `${t}/acls/${rid}/users/${user.userId}/full`, as);
    expect(ok.status).toBe(204);
    expect(await storedMemberRules(tenantId, user.userId)).toEqual([
      { resource: 'dcos:adminrouter:service:marathon', action: 'full' },
    ]);
  });
});
