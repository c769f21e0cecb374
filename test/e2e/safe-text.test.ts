/**
 * Issue 20, input side, driven by the route table: every string field of every route body
 * refuses control characters (C0, C1) and bidi controls with a 400 naming that field, and
 * nothing is written. Display text (tenant, group, role and service-account names and
 * descriptions, token names, the invite message) refuses tab and newline too.
 */
import { describe, expect, it } from 'vitest';
import { routeKey, routePath, routeTable, sampleBody } from '../support/route-samples.js';
import { type ApiResponse, api, uniqueId } from '../support/stack-client.js';
import { snapshotTenant } from '../support/table-snapshot.js';
import { useTenantFixture } from '../support/tenant-fixture.js';

const f = useTenantFixture();

/** Control and bidi characters a terminal or a reader would be fooled by. */
const HOSTILE: [string, string][] = [
  ['OSC 52 (clipboard)', '\u001b]52;c;aGk=\u0007'],
  ['CSI 2J (clear screen)', '\u001b[2J'],
  ['a C1 CSI', '\u009b31m'],
  ['NUL', '\u0000'],
  ['DEL', '\u007f'],
  ['a right-to-left override', '\u202e'],
  ['a left-to-right embedding', '\u202a'],
  ['a first-strong isolate', '\u2068'],
  ['a pop directional isolate', '\u2069'],
  ['a right-to-left mark', '\u200f'],
  ['a left-to-right mark', '\u200e'],
];

type Path = (string | number)[];

function stringLeaves(value: unknown, path: Path = []): Path[] {
  if (typeof value === 'string') return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringLeaves(v, [...path, i]));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => stringLeaves(v, [...path, k]));
  return [];
}

function withValue(root: unknown, path: Path, value: string): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  node[path[path.length - 1] as string | number] = value;
  return copy;
}

function notA400(res: ApiResponse, field: string, what: string): string | undefined {
  const paths = ((res.body?.errors ?? []) as { path: string }[]).map((e) => e.path);
  if (res.status !== 400) return `${what}: status ${res.status}`;
  if (res.headers.get('content-type') !== 'application/problem+json')
    return `${what}: content-type ${res.headers.get('content-type')}`;
  if (!paths.includes(field))
    return `${what}: errors ${JSON.stringify(paths)} do not name ${field}`;
  return undefined;
}

function callerToken(key: string, auth: string): string | undefined {
  if (auth === 'public' || auth === 'optional') return undefined;
  if (key === 'POST /v1/tenants/{tenantId}/members/{userId}/tokens') return f.member.accessToken;
  return f.owner.accessToken;
}

describe('every string field of every route body', () => {
  const bodyRoutes = routeTable.filter((r) => r.body);

  it.each(bodyRoutes.map((r) => [routeKey(r), r] as const))(
    '%s: refuses control and bidi characters in each string, naming it, writing nothing',
    async (key, route) => {
      const sample = sampleBody(route, f);
      const leaves = stringLeaves(sample);
      const before = await snapshotTenant(f.tenantId);
      const found: string[] = [];
      for (const leaf of leaves) {
        const field = ['body', ...leaf].join('.');
        const value = String(leaf.reduce<unknown>((n, k) => (n as never)[k], sample));
        for (const [name, bad] of HOSTILE) {
          // In the middle, so trimming cannot remove it.
          const hostile = `${value.slice(0, 1)}${bad}${value.slice(1)}`;
          const res = await api(route.method, routePath(route, f), {
            token: callerToken(key, route.auth.kind),
            body: withValue(sample, leaf, hostile),
          });
          const problem = notA400(res, field, `${field} with ${name}`);
          if (problem) found.push(problem);
        }
      }
      expect(found).toEqual([]);
      expect(await snapshotTenant(f.tenantId)).toEqual(before);
    },
    120_000,
  );
});

describe('display text', () => {
  it('refuses tab and newline in names, descriptions, token names and the invite message', async () => {
    const t = `/v1/tenants/${f.tenantId}`;
    const sa = `${t}/service-accounts/${f.params.serviceAccountId}`;
    const before = await snapshotTenant(f.tenantId);
    const found: string[] = [];
    for (const bad of ['a\tb', 'a\nb', 'a\rb']) {
      const cases: [string, string, unknown, string][] = [
        ['PATCH', t, { name: bad }, 'body.name'],
        [
          'POST',
          `${t}/groups`,
          { groupId: uniqueId('g'), name: 'G', description: bad },
          'body.description',
        ],
        ['PATCH', `${t}/groups/${f.groupId}`, { name: bad }, 'body.name'],
        ['PUT', `${t}/roles/${f.roleId}`, { name: bad, permissions: [] }, 'body.name'],
        ['PATCH', sa, { description: bad }, 'body.description'],
        ['POST', `${sa}/tokens`, { name: bad }, 'body.name'],
        ['POST', `${t}/invites`, { emails: ['x@example.test'], message: bad }, 'body.message'],
      ];
      for (const [method, path, body, field] of cases) {
        const res = await api(method, path, { token: f.owner.accessToken, body });
        const problem = notA400(res, field, `${method} ${path} ${JSON.stringify(body)}`);
        if (problem) found.push(problem);
      }
    }
    expect(found).toEqual([]);
    expect(await snapshotTenant(f.tenantId)).toEqual(before);
  });

  it('still accepts ordinary Unicode text (the control)', async () => {
    const res = await api('PATCH', `/v1/tenants/${f.tenantId}/groups/${f.groupId}`, {
      token: f.owner.accessToken,
      body: { name: 'Équipe  — 開発 👩‍💻', description: 'Zoë’s team: ops & dev' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });
});

describe('query strings', () => {
  it('refuse a control character in a filter, naming it', async () => {
    const res = await api(
      'GET',
      `/v1/tenants/${f.tenantId}/audit?actor=${encodeURIComponent('a\u001b[2Jb')}`,
      { token: f.owner.accessToken },
    );
    expect(notA400(res, 'query.actor', 'audit actor')).toBeUndefined();
  });
});
