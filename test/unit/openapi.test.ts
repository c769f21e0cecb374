/** The OpenAPI document covers every route of the route table, each described. */
import { describe, expect, it } from 'vitest';
import { openApiDocument, RATE_LIMITED_ROUTES } from '#shared/http/openapi.js';
import { routeTable } from '#shared/routes/route-table.js';
import { routeKey } from '#shared/routes/route-types.js';

describe('OpenAPI document', () => {
  const doc = openApiDocument(routeTable);

  it('describes every route of the route table with a summary', () => {
    for (const route of routeTable) {
      const op = (
        doc.paths[route.path.replace('+}', '}')] as Record<string, { summary?: string }> | undefined
      )?.[route.method.toLowerCase()];
      expect(op, `${route.method} ${route.path}`).toBeDefined();
      expect(route.summary.length, `${route.method} ${route.path} needs a summary`).toBeGreaterThan(
        10,
      );
    }
  });

  it('documents 503 everywhere, 415 on body routes and 429 on the rate-limited ones', () => {
    const keys = routeTable.map(routeKey);
    for (const key of RATE_LIMITED_ROUTES) expect(keys, key).toContain(key);
    for (const route of routeTable) {
      const op = (
        doc.paths[route.path.replace('+}', '}')] as Record<
          string,
          { responses: Record<string, unknown> }
        >
      )[route.method.toLowerCase()];
      const statuses = Object.keys(op?.responses ?? {});
      const key = routeKey(route);
      expect(statuses, key).toContain('503');
      if (route.body) expect(statuses, key).toContain('415');
      expect(statuses.includes('429'), key).toBe(RATE_LIMITED_ROUTES.has(key));
    }
  });

  it('gives every body route a JSON request schema that rejects unknown fields', () => {
    for (const route of routeTable.filter((r) => r.body)) {
      const op = (
        doc.paths[route.path] as Record<
          string,
          { requestBody?: { content: Record<string, { schema: Record<string, unknown> }> } }
        >
      )[route.method.toLowerCase()];
      const schema = op?.requestBody?.content['application/json']?.schema;
      expect(schema, `${route.method} ${route.path}`).toBeDefined();
    }
  });

  it('marks tenant routes with the permissions they need and the bearer scheme', () => {
    const op = (doc.paths['/v1/tenants/{tenantId}'] as Record<string, Record<string, unknown>>)
      .patch;
    expect(op?.['x-gatehouse-permissions']).toEqual([
      { resource: 'gatehouse:tenant', action: 'update' },
    ]);
    expect(op?.security).toEqual([{ bearer: [] }]);
  });
});
