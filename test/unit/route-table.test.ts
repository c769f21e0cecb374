/** The route table's own invariants: unique ids, and path schemas that match the path templates. */
import { describe, expect, it } from 'vitest';
import { routeTable } from '#shared/routes/route-table.js';
import { routeKey } from '#shared/routes/route-types.js';

const placeholders = (path: string) =>
  [...path.matchAll(/\{([A-Za-z0-9_]+)\+?\}/g)].map((m) => m[1]).sort();

describe('route table', () => {
  it('gives every route a unique `<capability>.<operation>` id', () => {
    const ids = routeTable.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z]*\.[a-z][A-Za-z]*$/);
  });

  it('declares a path schema with exactly the parameters of each path template', () => {
    for (const route of routeTable) {
      expect(Object.keys(route.params.shape).sort(), routeKey(route)).toEqual(
        placeholders(route.path),
      );
    }
  });

  it('names the tenant parameter of every tenant route in its path schema', () => {
    for (const route of routeTable.filter((r) => r.auth.kind === 'tenant')) {
      if (route.auth.kind !== 'tenant') continue;
      expect(Object.keys(route.params.shape), routeKey(route)).toContain(route.auth.tenantParam);
    }
  });
});
