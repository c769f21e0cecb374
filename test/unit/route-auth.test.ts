/**
 * The authorizer decides from shared/routes/route-auth.ts, a generated copy of the route table's
 * auth (so its bundle carries no zod schema). A stale copy would let a route through with the
 * wrong permissions or refuse a new route: it must equal the table, route for route.
 */
import { describe, expect, it } from 'vitest';
import { findRoute as authOf, ROUTE_AUTH } from '#shared/routes/route-auth.js';
import { findRoute, routeTable } from '#shared/routes/route-table.js';
import { routeKey } from '#shared/routes/route-types.js';

describe('route auth copy (regenerate with `npx tsx ops/route-auth.ts`)', () => {
  it('holds exactly the route keys of the route table', () => {
    expect(Object.keys(ROUTE_AUTH).sort()).toEqual(routeTable.map(routeKey).sort());
  });

  it("carries each route's auth unchanged", () => {
    for (const route of routeTable) {
      expect(authOf(routeKey(route)), routeKey(route)).toEqual({ auth: route.auth });
    }
  });

  it('knows no route the table does not, nor inherited keys', () => {
    for (const key of ['GET /v1/nothing', 'toString', '__proto__', 'constructor']) {
      expect(authOf(key), key).toBeUndefined();
      expect(findRoute(key), key).toBeUndefined();
    }
  });
});
