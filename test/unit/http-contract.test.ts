/**
 * The route table against DESIGN.md's HTTP contract (v1): every route the contract names exists
 * (outside tools drive exactly these paths), there is no bulk delete (rule 7), the tenant comes
 * only from the path (rule 8), and every request body described in OpenAPI refuses unknown
 * fields at every level (no mass assignment).
 */
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '#shared/http/openapi.js';
import { routeTable } from '#shared/routes/route-table.js';
import { routeKey } from '#shared/routes/route-types.js';

const t = '/v1/tenants/{tenantId}';

/** DESIGN.md "HTTP contract (v1)", route by route. */
const CONTRACT = [
  'POST /v1/tenants',
  `GET ${t}`,
  `PATCH ${t}`,
  'GET /v1/me',
  'POST /v1/me/logout',
  `POST ${t}/invites`,
  `GET ${t}/invites`,
  `GET ${t}/invites/{inviteId}`,
  `POST ${t}/invites/{inviteId}/resend`,
  `DELETE ${t}/invites/{inviteId}`,
  'POST /v1/invites/lookup',
  'POST /v1/invites/accept',
  `GET ${t}/members`,
  `POST ${t}/members`,
  `GET ${t}/members/{userId}`,
  `PATCH ${t}/members/{userId}`,
  `DELETE ${t}/members/{userId}`,
  `PUT ${t}/members/{userId}/roles/{roleId}`,
  `DELETE ${t}/members/{userId}/roles/{roleId}`,
  `GET ${t}/members/{userId}/permissions`,
  `POST ${t}/members/{userId}/logout`,
  `POST ${t}/logout/{identifier}`,
  `GET ${t}/groups`,
  `POST ${t}/groups`,
  `GET ${t}/groups/{groupId}`,
  `PATCH ${t}/groups/{groupId}`,
  `DELETE ${t}/groups/{groupId}`,
  `PUT ${t}/groups/{groupId}/members/{userId}`,
  `DELETE ${t}/groups/{groupId}/members/{userId}`,
  `PUT ${t}/groups/{groupId}/roles/{roleId}`,
  `DELETE ${t}/groups/{groupId}/roles/{roleId}`,
  `GET ${t}/roles`,
  `POST ${t}/roles`,
  `GET ${t}/roles/{roleId}`,
  `PUT ${t}/roles/{roleId}`,
  `DELETE ${t}/roles/{roleId}`,
  `GET ${t}/acls`,
  `PUT ${t}/acls/{rid}/users/{userId}/{action}`,
  `DELETE ${t}/acls/{rid}/users/{userId}/{action}`,
  `PUT ${t}/acls/{rid}/groups/{groupId}/{action}`,
  `DELETE ${t}/acls/{rid}/groups/{groupId}/{action}`,
  `POST ${t}/check`,
  `GET ${t}/service-accounts`,
  `POST ${t}/service-accounts`,
  `GET ${t}/service-accounts/{serviceAccountId}`,
  `PATCH ${t}/service-accounts/{serviceAccountId}`,
  `DELETE ${t}/service-accounts/{serviceAccountId}`,
  `GET ${t}/service-accounts/{serviceAccountId}/tokens`,
  `POST ${t}/service-accounts/{serviceAccountId}/tokens`,
  `DELETE ${t}/service-accounts/{serviceAccountId}/tokens/{tokenId}`,
  `PUT ${t}/acls/{rid}/service-accounts/{serviceAccountId}/{action}`,
  `DELETE ${t}/acls/{rid}/service-accounts/{serviceAccountId}/{action}`,
  // Personal tokens are minted under the member's own path (the tenant comes from the path).
  `POST ${t}/members/{userId}/tokens`,
  'GET /v1/me/tokens',
  `GET ${t}/audit`,
];

const keys = new Set(routeTable.map(routeKey));

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: unknown;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
}

/** Paths (in the schema) of object schemas that accept properties they do not declare. */
function openObjects(schema: JsonSchema | undefined, at = 'body'): string[] {
  if (!schema || typeof schema !== 'object') return [];
  const out: string[] = [];
  const isObject = schema.type === 'object' || schema.properties !== undefined;
  if (isObject && schema.additionalProperties !== false) out.push(at);
  for (const [k, v] of Object.entries(schema.properties ?? {}))
    out.push(...openObjects(v, `${at}.${k}`));
  if (schema.items) out.push(...openObjects(schema.items, `${at}[]`));
  for (const alt of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])])
    out.push(...openObjects(alt, at));
  return out;
}

describe('the HTTP contract of DESIGN.md', () => {
  it('has every route of the contract in the route table', () => {
    expect(CONTRACT.filter((k) => !keys.has(k))).toEqual([]);
  });

  it('deletes one thing at a time: every DELETE names its target in the path (no bulk delete)', () => {
    const bulk = routeTable
      .filter((r) => r.method === 'DELETE' && !/\}$/.test(r.path))
      .map(routeKey);
    expect(bulk).toEqual([]);
    expect(keys.has(`DELETE ${t}/members`)).toBe(false);
  });

  it('takes the tenant of every tenant route from its own path', () => {
    for (const route of routeTable) {
      if (route.auth.kind !== 'tenant') continue;
      expect(route.path, routeKey(route)).toContain(`{${route.auth.tenantParam}}`);
    }
  });

  it('never takes a tenant from a body or a query (only POST /v1/tenants names the new one)', () => {
    const shapeOf = (s: unknown) =>
      (s as { shape?: Record<string, unknown> } | undefined)?.shape ?? {};
    const offenders = routeTable
      .filter((r) => routeKey(r) !== 'POST /v1/tenants')
      .flatMap((r) => [
        ...('tenantId' in shapeOf(r.body) ? [`${routeKey(r)} body.tenantId`] : []),
        ...('tenantId' in shapeOf(r.query) ? [`${routeKey(r)} query.tenantId`] : []),
      ]);
    expect(offenders).toEqual([]);
  });

  it('describes every request body as closed objects at every level (unknown fields refused)', () => {
    const doc = openApiDocument(routeTable) as unknown as {
      paths: Record<
        string,
        Record<string, { requestBody?: { content: Record<string, { schema: JsonSchema }> } }>
      >;
    };
    const open: string[] = [];
    for (const route of routeTable.filter((r) => r.body)) {
      const op = doc.paths[route.path]?.[route.method.toLowerCase()];
      const schema = op?.requestBody?.content['application/json']?.schema;
      expect(schema, routeKey(route)).toBeDefined();
      open.push(...openObjects(schema).map((p) => `${routeKey(route)} ${p}`));
    }
    expect(open).toEqual([]);
  });
});
