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
const list = '/v1/tenants/{tenantId}/service-accounts';
const one = `${list}/{serviceAccountId}`;
const acl = '/v1/tenants/{tenantId}/acls/{rid}/service-accounts/{serviceAccountId}/{action}';
const noContent = () => httpResult(204);
const ids = (input: OperationInput) => ({
  caller: requireCaller(input),
  tenantId: String(input.params.tenantId),
  id: String(input.params.serviceAccountId),
});

export const handler = apiHandler('service-accounts', {
  [`GET ${list}`]: async ({ params, query }) =>
    listServiceAccounts(deps, String(params.tenantId), query),
  [`POST ${list}`]: async (input) =>
    createServiceAccount(deps, requireCaller(input), String(input.params.tenantId), input.body),
  [`GET ${one}`]: async (input) => {
    const { tenantId, id } = ids(input);
    return getServiceAccount(deps, tenantId, id);
  },
  [`PATCH ${one}`]: async (input) => {
    const { caller, tenantId, id } = ids(input);
    return patchServiceAccount(deps, caller, tenantId, id, input.body);
  },
  [`DELETE ${one}`]: async (input) => {
    const { caller, tenantId, id } = ids(input);
    await deleteServiceAccount(deps, caller, tenantId, id);
    return noContent();
  },
  [`GET ${one}/permissions`]: async (input) => {
    const { tenantId, id } = ids(input);
    return serviceAccountPermissions(deps, tenantId, id, input.query);
  },
  [`PUT ${one}/roles/{roleId}`]: async (input) => {
    const { caller, tenantId, id } = ids(input);
    const roleId = String(input.params.roleId);
    return bindServiceAccountRole(deps, caller, tenantId, id, roleId, input.body.scope);
  },
  [`DELETE ${one}/roles/{roleId}`]: async (input) => {
    const { caller, tenantId, id } = ids(input);
    await unbindServiceAccountRole(deps, caller, tenantId, id, String(input.params.roleId));
    return noContent();
  },
  [`PUT ${one}/groups/{groupId}`]: async (input) => {
    const { caller, tenantId, id } = ids(input);
    return addServiceAccountToGroup(deps, caller, tenantId, id, String(input.params.groupId));
  },
  [`DELETE ${one}/groups/{groupId}`]: async (input) => {
    const { caller, tenantId, id } = ids(input);
    await removeServiceAccountFromGroup(deps, caller, tenantId, id, String(input.params.groupId));
    return noContent();
  },
  [`PUT ${acl}`]: async (input) => {
    const { caller, tenantId, id } = ids(input);
    const rule = ruleFromPath(String(input.params.rid), String(input.params.action));
    await grantServiceAccountRule(deps, caller, tenantId, id, rule);
    return noContent();
  },
  [`DELETE ${acl}`]: async (input) => {
    const { caller, tenantId, id } = ids(input);
    const rule = ruleFromPath(String(input.params.rid), String(input.params.action));
    await revokeServiceAccountRule(deps, caller, tenantId, id, rule);
    return noContent();
  },
  [`POST ${one}/tokens`]: async (input) => {
    const { caller, tenantId, id } = ids(input);
    return createApiToken(deps, caller, tenantId, id, input.body);
  },
  [`GET ${one}/tokens`]: async (input) => {
    const { tenantId, id } = ids(input);
    return listApiTokens(deps, tenantId, id, input.query);
  },
  [`DELETE ${one}/tokens/{tokenId}`]: async (input) => {
    const { caller, tenantId, id } = ids(input);
    await revokeApiToken(deps, caller, tenantId, id, String(input.params.tokenId));
    return noContent();
  },
});
