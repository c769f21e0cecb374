/**
 * The packaged authorizer (the bundle `npm pack` ships, built fresh from this source) decides
 * against items written by today's code: the e2e fixture tenant, written through the local API.
 * Session tokens, service-account API tokens, missing permissions, unmapped routes and forced
 * logout, and only the backend's context keys on an allow.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantMemberRule } from '#shared/members/member-service.js';
import { buildAuthorizerBundle } from '../../packages/authorizer/scripts/build.js';
import {
  loadPackagedAuthorizer,
  type PackagedAuthorizer,
  requestEvent,
} from '../../packages/authorizer/scripts/load-bundle.js';
import { domainDeps } from '../support/domain-deps.js';
import {
  addUser,
  api,
  createTenantWithOwner,
  expectStatus,
  stack,
} from '../support/stack-client.js';
import { useTenantFixture } from '../support/tenant-fixture.js';

const READ = 'GET /t/{tenantId}/resources/{rid+}';
const WRITE = 'PUT /t/{tenantId}/resources/{rid+}';
const routes = {
  [READ]: [{ resource: '{rid}', action: 'read' as const }],
  [WRITE]: [{ resource: '{rid}', action: 'update' as const }],
};

const f = useTenantFixture();
const deps = domainDeps();
let buildDir: string;
let authorizer: PackagedAuthorizer;

beforeAll(async () => {
  buildDir = mkdtempSync(join(tmpdir(), 'gatehouse-packaged-'));
  const bundle = await buildAuthorizerBundle(join(buildDir, 'bundle'));
  authorizer = await loadPackagedAuthorizer(bundle, routes, stack);
}, 120_000);

afterAll(() => {
  if (buildDir) rmSync(buildDir, { recursive: true, force: true });
  if (authorizer) rmSync(authorizer.dir, { recursive: true, force: true });
});

const decide = (routeKey: string, token?: string, rid = f.rid) =>
  authorizer.handler(requestEvent(routeKey, { tenantId: f.tenantId, rid }, token));

describe("the packaged authorizer on items written by today's code", () => {
  it('allows a member holding the permission and passes only the backend keys', async () => {
    const res = await decide(READ, f.member.accessToken);
    expect(res.isAuthorized).toBe(true);
    expect(res.context).toEqual({
      tenantId: f.tenantId,
      principalId: f.member.userId,
      principalKind: 'user',
      email: f.member.email,
      permissions: JSON.stringify([{ resource: f.rid, action: 'read' }]),
      userId: f.member.userId,
    });
  });

  it("denies a permission the member does not hold, and another tenant's member", async () => {
    expect((await decide(WRITE, f.member.accessToken)).isAuthorized).toBe(false);
    expect((await decide(READ, f.plain.accessToken)).isAuthorized).toBe(false);
  });

  it('denies a route missing from the map, and answers 401 without a token', async () => {
    const unmapped = authorizer.handler(
      requestEvent(
        'DELETE /t/{tenantId}/resources/{rid+}',
        { tenantId: f.tenantId, rid: f.rid },
        f.owner.accessToken,
      ),
    );
    expect((await unmapped).isAuthorized).toBe(false);
    await expect(decide(READ)).rejects.toThrow('Unauthorized');
  });

  it("takes service-account API tokens as Gatehouse's own API does", async () => {
    const allowed = await decide(READ, f.apiToken);
    expect(allowed.isAuthorized).toBe(true);
    expect(allowed.context).toMatchObject({ principalKind: 'service-account', email: '' });
    expect(allowed.context.principalId).not.toContain(':');
    expect((await decide(READ, f.bareApiToken)).isAuthorized).toBe(false);
    await expect(decide(READ, `${f.apiToken.slice(0, -4)}AAAA`)).rejects.toThrow('Unauthorized');
  });

  it('ends a session on the next request after a forced logout', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const user = await addUser(tenantId, owner.accessToken);
    const caller = { userId: owner.userId, email: owner.email };
    await grantMemberRule(deps, caller, tenantId, user.userId, {
      resource: 'apps',
      action: 'read',
    });
    const decideFor = (token: string) =>
      authorizer.handler(requestEvent(READ, { tenantId, rid: 'apps' }, token));
    expect((await decideFor(user.accessToken)).isAuthorized).toBe(true);
    const logout = `/v1/tenants/${tenantId}/members/${user.userId}/logout`;
    await expectStatus(api('POST', logout, { token: owner.accessToken }), 204, 'forced logout');
    await expect(decideFor(user.accessToken)).rejects.toThrow('Unauthorized');
  });
});
