/** Lambda entry for the ACL routes (grant, revoke, list) and the check API. */

import { appDeps } from '#shared/app/deps.js';
import { parseInput } from '#shared/common/validation.js';
import { apiHandler, httpResult, requireCaller } from '#shared/http/api-handler.js';
import { GroupAclPath, UserAclPath } from '#shared/permissions/acl-schemas.js';
import {
  checkAccess,
  grantGroupRule,
  grantUserRule,
  listAcls,
  revokeGroupRule,
  revokeUserRule,
  ruleFromPath,
} from '#shared/permissions/acl-service.js';
import { deleteNamespace, listNamespaces, setNamespace } from '#shared/policy/namespace-service.js';

const deps = appDeps();
const acls = '/v1/tenants/{tenantId}/acls';
const users = `${acls}/{rid}/users/{userId}/{action}`;
const groups = `${acls}/{rid}/groups/{groupId}/{action}`;
const noContent = () => httpResult(204);
const tenantOf = (params: Record<string, string>) => String(params.tenantId);

function userTarget(params: Record<string, string>) {
  const p = parseInput(UserAclPath, params, 'path');
  return { userId: p.userId, rule: ruleFromPath(p.rid, p.action) };
}

function groupTarget(params: Record<string, string>) {
  const p = parseInput(GroupAclPath, params, 'path');
  return { groupId: p.groupId, rule: ruleFromPath(p.rid, p.action) };
}

export const handler = apiHandler('acls', {
  [`GET ${acls}`]: async ({ params, query }) => listAcls(deps, tenantOf(params), query),
  [`PUT ${users}`]: async (input) => {
    const { userId, rule } = userTarget(input.params);
    await grantUserRule(deps, requireCaller(input), tenantOf(input.params), userId, rule);
    return noContent();
  },
  [`DELETE ${users}`]: async (input) => {
    const { userId, rule } = userTarget(input.params);
    await revokeUserRule(deps, requireCaller(input), tenantOf(input.params), userId, rule);
    return noContent();
  },
  [`PUT ${groups}`]: async (input) => {
    const { groupId, rule } = groupTarget(input.params);
    await grantGroupRule(deps, requireCaller(input), tenantOf(input.params), groupId, rule);
    return noContent();
  },
  [`DELETE ${groups}`]: async (input) => {
    const { groupId, rule } = groupTarget(input.params);
    await revokeGroupRule(deps, requireCaller(input), tenantOf(input.params), groupId, rule);
    return noContent();
  },
  'GET /v1/tenants/{tenantId}/namespaces': async ({ params }) =>
    listNamespaces(deps, tenantOf(params)),
  'PUT /v1/tenants/{tenantId}/namespaces/{prefix}': async (input) =>
    setNamespace(
      deps,
      requireCaller(input),
      tenantOf(input.params),
      String(input.params.prefix),
      input.body.actions,
    ),
  'DELETE /v1/tenants/{tenantId}/namespaces/{prefix}': async (input) => {
    await deleteNamespace(
      deps,
      requireCaller(input),
      tenantOf(input.params),
      String(input.params.prefix),
    );
    return noContent();
  },
  'POST /v1/tenants/{tenantId}/check': async ({ params, body }) => {
    if (body.checks)
      return { results: await checkAccess(deps, tenantOf(params), body.checks, false) };
    const [result] = await checkAccess(deps, tenantOf(params), [body], true);
    return result;
  },
});
