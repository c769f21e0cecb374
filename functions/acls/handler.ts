/** Lambda entry for the ACL routes (grant, revoke, list) and the check API. */

import { compile } from 'zod/mini';
import { appDeps } from '#shared/app/deps.js';
import { useSchemaCompiler } from '#shared/common/validation.js';
import { apiHandler, httpResult, requireCaller } from '#shared/http/api-handler.js';
import type { CheckInput } from '#shared/permissions/acl-schemas.js';
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
import { aclRoutes } from '#shared/routes/acl-routes.js';

const deps = appDeps();
// The check body is parsed compiled (CheckBody): 100 checks in one generated pass. zod's
// compiler is bundled with this function only.
useSchemaCompiler(compile);
const noContent = () => httpResult(204);

export const handler = apiHandler('acls', aclRoutes, {
  'acls.list': async ({ params, query }) => listAcls(deps, params.tenantId, query),
  'acls.grantUser': async (input) => {
    const { tenantId, userId, rid, action } = input.params;
    await grantUserRule(deps, requireCaller(input), tenantId, userId, ruleFromPath(rid, action));
    return noContent();
  },
  'acls.revokeUser': async (input) => {
    const { tenantId, userId, rid, action } = input.params;
    await revokeUserRule(deps, requireCaller(input), tenantId, userId, ruleFromPath(rid, action));
    return noContent();
  },
  'acls.grantGroup': async (input) => {
    const { tenantId, groupId, rid, action } = input.params;
    await grantGroupRule(deps, requireCaller(input), tenantId, groupId, ruleFromPath(rid, action));
    return noContent();
  },
  'acls.revokeGroup': async (input) => {
    const { tenantId, groupId, rid, action } = input.params;
    await revokeGroupRule(deps, requireCaller(input), tenantId, groupId, ruleFromPath(rid, action));
    return noContent();
  },
  'acls.listNamespaces': async ({ params }) => listNamespaces(deps, params.tenantId),
  'acls.setNamespace': async (input) =>
    setNamespace(
      deps,
      requireCaller(input),
      input.params.tenantId,
      input.params.prefix,
      input.body.actions,
    ),
  'acls.deleteNamespace': async (input) => {
    await deleteNamespace(deps, requireCaller(input), input.params.tenantId, input.params.prefix);
    return noContent();
  },
  'acls.check': async ({ params, body, caller }) => {
    // The policy version the authorizer decided under: a warm function answers from it.
    const under = caller?.policyVersion;
    if (body.checks)
      return { results: await checkAccess(deps, params.tenantId, body.checks, false, under) };
    // Without `checks`, CheckBody's refinement has required `resource` and `action`.
    const [result] = await checkAccess(deps, params.tenantId, [body as CheckInput], true, under);
    return result;
  },
});
