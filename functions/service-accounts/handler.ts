/** Lambda entry for service accounts, their grants and their API tokens. */

import {
  createApiToken,
  listApiTokens,
  revokeApiToken,
} from '#shared/api-tokens/api-token-service.js';
import { appDeps } from '#shared/app/deps.js';
import {
  apiHandler,
  httpResult,
  type OperationInput,
  requireCaller,
} from '#shared/http/api-handler.js';
import { ruleFromPath } from '#shared/permissions/acl-service.js';
import { serviceAccountRoutes } from '#shared/routes/service-account-routes.js';
import {
  addServiceAccountToGroup,
  bindServiceAccountRole,
  createServiceAccount,
  deleteServiceAccount,
  getServiceAccount,
  grantServiceAccountRule,
  listServiceAccounts,
  patchServiceAccount,
  removeServiceAccountFromGroup,
  revokeServiceAccountRule,
  serviceAccountPermissions,
  unbindServiceAccountRole,
} from '#shared/service-accounts/service-account-service.js';

const deps = appDeps();
const noContent = () => httpResult(204);
type ServiceAccountInput = Pick<OperationInput, 'caller'> & {
  params: { tenantId: string; serviceAccountId: string };
};
/** The caller, tenant and service account of a route under `.../service-accounts/{serviceAccountId}`. */
const ids = (input: ServiceAccountInput) => ({
  caller: requireCaller(input),
  tenantId: input.params.tenantId,
  id: input.params.serviceAccountId,
});

export const handler = apiHandler('service-accounts', serviceAccountRoutes, {
  'serviceAccounts.list': async ({ params, query }) =>
    listServiceAccounts(deps, params.tenantId, query),
  'serviceAccounts.create': async (input) =>
    createServiceAccount(deps, requireCaller(input), input.params.tenantId, input.body),
  'serviceAccounts.get': async ({ params }) =>
    getServiceAccount(deps, params.tenantId, params.serviceAccountId),
  'serviceAccounts.update': async (input) => {
    const { caller, tenantId, id } = ids(input);
    return patchServiceAccount(deps, caller, tenantId, id, input.body);
  },
  'serviceAccounts.delete': async (input) => {
    const { caller, tenantId, id } = ids(input);
    await deleteServiceAccount(deps, caller, tenantId, id);
    return noContent();
  },
  'serviceAccounts.permissions': async ({ params, query }) =>
    serviceAccountPermissions(deps, params.tenantId, params.serviceAccountId, query),
  'serviceAccounts.bindRole': async (input) => {
    const { caller, tenantId, id } = ids(input);
    return bindServiceAccountRole(
      deps,
      caller,
      tenantId,
      id,
      input.params.roleId,
      input.body.scope,
    );
  },
  'serviceAccounts.unbindRole': async (input) => {
    const { caller, tenantId, id } = ids(input);
    await unbindServiceAccountRole(deps, caller, tenantId, id, input.params.roleId);
    return noContent();
  },
  'serviceAccounts.addToGroup': async (input) => {
    const { caller, tenantId, id } = ids(input);
    return addServiceAccountToGroup(deps, caller, tenantId, id, input.params.groupId);
  },
  'serviceAccounts.removeFromGroup': async (input) => {
    const { caller, tenantId, id } = ids(input);
    await removeServiceAccountFromGroup(deps, caller, tenantId, id, input.params.groupId);
    return noContent();
  },
  'serviceAccounts.grantRule': async (input) => {
    const { caller, tenantId, id } = ids(input);
    const rule = ruleFromPath(input.params.rid, input.params.action);
    await grantServiceAccountRule(deps, caller, tenantId, id, rule);
    return noContent();
  },
  'serviceAccounts.revokeRule': async (input) => {
    const { caller, tenantId, id } = ids(input);
    const rule = ruleFromPath(input.params.rid, input.params.action);
    await revokeServiceAccountRule(deps, caller, tenantId, id, rule);
    return noContent();
  },
  'serviceAccounts.createToken': async (input) => {
    const { caller, tenantId, id } = ids(input);
    return createApiToken(deps, caller, tenantId, id, input.body);
  },
  'serviceAccounts.listTokens': async ({ params, query }) =>
    listApiTokens(deps, params.tenantId, params.serviceAccountId, query),
  'serviceAccounts.revokeToken': async (input) => {
    const { caller, tenantId, id } = ids(input);
    await revokeApiToken(deps, caller, tenantId, id, input.params.tokenId);
    return noContent();
  },
});
