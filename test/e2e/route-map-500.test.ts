/**
 * A route map of 500 routes (generated) decides each route by its own permissions, in both
 * API Gateway forms: the first, a middle and the last route allow the member they are granted
 * to, a neighbour route they are not granted denies, and a mounted route missing from the map
 * denies. (That lookup does not grow with the map is measured in bench/authorizer-routes.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantMemberRule } from '#shared/members/member-service.js';
import type { RequiredPermission } from '#shared/routes/route-types.js';
import { domainDeps } from '../support/domain-deps.js';
import { FORMS, startGatewayForms } from '../support/gateway-forms.js';
import { addUser, createTenantWithOwner, type TestUser } from '../support/stack-client.js';

const ROUTES = 500;
const routeKey = (i: number) => `GET /t/{tenantId}/svc-${i}/items/{itemId+}`;
const routes: Record<string, RequiredPermission[]> = {};
for (let i = 0; i < ROUTES; i++) {
  routes[routeKey(i)] = [{ resource: `apps:svc-${i}/{itemId}`, action: 'read' }];
}
const granted = [0, 250, ROUTES - 1];

let gateway: Awaited<ReturnType<typeof startGatewayForms>>;
let tenantId: string;
let member: TestUser;

beforeAll(async () => {
  gateway = await startGatewayForms(routes, [routeKey(ROUTES)]);
  const tenant = await createTenantWithOwner();
  tenantId = tenant.tenantId;
  member = await addUser(tenantId, tenant.owner.accessToken);
  const caller = { userId: tenant.owner.userId, email: tenant.owner.email };
  const deps = domainDeps();
  for (const i of granted) {
    await grantMemberRule(deps, caller, tenantId, member.userId, {
      resource: `apps:svc-${i}`,
      action: 'read',
    });
  }
});
afterAll(() => gateway?.close());

const statusOf = async (i: number) => {
  const replies = await Promise.all(
    FORMS.map((form) =>
      gateway.call(
        form,
        'GET',
        `/t/${tenantId}/svc-${i}/items/a/b`,
        `Bearer ${member.accessToken}`,
      ),
    ),
  );
  return Object.fromEntries(FORMS.map((form, k) => [form, replies[k]?.status]));
};

describe(`a route map of ${ROUTES} routes`, () => {
  it.each([
    ['the first route', 0, 200],
    ['a middle route', 250, 200],
    ['the last route', ROUTES - 1, 200],
    ['a route next to a granted one', 1, 403],
    ['a route next to the last one', ROUTES - 2, 403],
    ['a mounted route missing from the map', ROUTES, 403],
  ])('decides %s (svc-%i): %i in both forms', async (_name, i, status) => {
    expect(await statusOf(i)).toEqual({ http: status, rest: status });
  });
});
