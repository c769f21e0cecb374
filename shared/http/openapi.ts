/** The OpenAPI 3.1 document, generated from the route table and its zod schemas so they cannot drift. */
import * as z from 'zod/mini';
import { type RouteDefinition, routeKey } from '#shared/routes/route-types.js';

const toSchema = (schema: z.core.$ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;

const problem = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { path: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

const errorText: Record<number, string> = {
  400: 'Invalid input; `errors` names each field',
  401: 'Missing, invalid or logged-out token',
  403: 'The caller lacks a permission the route needs',
  404: 'Not found, or a tenant the caller is not a member of',
  409: 'Conflicts with current state, an invariant or a tenant limit (`limit` names it)',
  410: 'Expired, revoked or used',
  415: 'The body is not application/json',
  422: 'Idempotency key reused with another body',
  429: 'A mail or tenant-creation limit was reached; see Retry-After',
  503: 'A dependency is down or slow; retry after Retry-After',
};

/** Routes that send mail or create a tenant, and so count against rule 16's rate limits. */
export const RATE_LIMITED_ROUTES: ReadonlySet<string> = new Set([
  'POST /v1/tenants',
  'POST /v1/tenants/{tenantId}/invites',
  'POST /v1/tenants/{tenantId}/invites/{inviteId}/resend',
  'POST /v1/tenants/{tenantId}/members',
]);

function errorStatuses(route: RouteDefinition): number[] {
  const out = new Set<number>([400, 503]);
  if (route.auth.kind !== 'public') out.add(401);
  if (route.auth.kind === 'tenant') {
    out.add(403);
    out.add(404);
  }
  if (route.method !== 'GET') out.add(409);
  if (route.body) out.add(415);
  if (RATE_LIMITED_ROUTES.has(routeKey(route))) out.add(429);
  return [...out].sort();
}

function queryParameters(route: RouteDefinition) {
  if (!route.query) return [];
  const json = toSchema(route.query, 'input') as {
    properties?: Record<string, unknown>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    schema,
  }));
}

function pathParameters(path: string) {
  return [...path.matchAll(/\{([A-Za-z0-9_]+)\+?\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
}

function permissionText(route: RouteDefinition): string {
  switch (route.auth.kind) {
    case 'public':
      return 'No token needed.';
    case 'optional':
      return 'Bearer token optional.';
    case 'authenticated':
      return 'Any valid access token.';
    case 'tenant': {
      const perms = route.auth.permissions
        .map((p) => `\`${p.resource}\` ${p.action}`)
        .join(' and ');
      const self = route.auth.self ? ` (or the caller's own \`${route.auth.self}\`)` : '';
      return `Requires ${perms || 'membership'}${self}.`;
    }
  }
}

/** Builds the whole document. */
export function openApiDocument(routes: readonly RouteDefinition[], serverUrl = '/') {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const responses: Record<string, unknown> = {
      [String(route.status)]: route.response
        ? {
            description: 'Success',
            content: { 'application/json': { schema: toSchema(route.response, 'output') } },
          }
        : { description: 'Success' },
    };
    for (const status of errorStatuses(route)) {
      responses[String(status)] = {
        description: errorText[status],
        content: {
          'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
        },
      };
    }
    const path = route.path.replace(/\{([A-Za-z0-9_]+)\+\}/g, '{$1}');
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[route.method.toLowerCase()] = {
      operationId: `${route.method.toLowerCase()}${route.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      summary: route.summary,
      description: permissionText(route),
      tags: route.tags ?? [],
      'x-gatehouse-permissions': route.auth.kind === 'tenant' ? route.auth.permissions : [],
      security:
        route.auth.kind === 'public'
          ? []
          : route.auth.kind === 'optional'
            ? [{}, { bearer: [] }]
            : [{ bearer: [] }],
      parameters: [...pathParameters(route.path), ...queryParameters(route)],
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: toSchema(route.body, 'input') } },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Gatehouse API',
      version: '1.0.0',
      description:
        'Multi-tenant user access management: tenants, invitations, members, groups, roles, hierarchical ACLs, permission checks and forced logout.',
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'Cognito access token (JWT)' },
      },
      schemas: { Problem: problem },
    },
  };
}
