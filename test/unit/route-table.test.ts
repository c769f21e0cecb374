/**
 * The route table's own invariants: unique ids, and path schemas that match the path templates;
 * and that a function built over its route file serves exactly the table's routes of that function.
 */
import { describe, expect, it } from 'vitest';
import { apiHandler, type Operations } from '#shared/http/api-handler.js';
import { inviteRoutes } from '#shared/routes/invite-routes.js';
import { memberRoutes } from '#shared/routes/member-routes.js';
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

describe('a function over its route file', () => {
  const served = async () => ({});
  const operationsOf = (fn: string) =>
    Object.fromEntries(routeTable.filter((r) => r.fn === fn).map((r) => [r.id, served]));

  it('builds when the route file declares every route the table gives the function', () => {
    const ops = operationsOf('invites') as unknown as Operations<'invites'>;
    expect(() => apiHandler('invites', inviteRoutes, ops)).not.toThrow();
  });

  it('refuses at cold start a route file that lacks one of its routes, naming it', () => {
    const ops = operationsOf('invites') as unknown as Operations<'invites'>;
    // The wrong file: none of the invite routes is declared there, so none would be served.
    expect(() => apiHandler('invites', memberRoutes, ops)).toThrow(/undeclared: invites\.create/);
    const withoutAccept = inviteRoutes.filter((r) => r.id !== 'invites.accept');
    expect(() => apiHandler('invites', withoutAccept, ops)).toThrow(/undeclared: invites\.accept/);
  });

  it('refuses at cold start a function missing an operation of its route file', () => {
    const { 'invites.revoke': _revoke, ...rest } = operationsOf('invites');
    const ops = rest as unknown as Operations<'invites'>;
    expect(() => apiHandler('invites', inviteRoutes, ops)).toThrow(/missing: invites\.revoke/);
  });
});
