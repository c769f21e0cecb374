/**
 * API tokens of service accounts: mint (the secret is returned once and only its SHA-256 is
 * stored), list (never the secret) and revoke (effective on the next request).
 */
import { assertOutranks } from '#shared/acl/hierarchy.js';
import { formatApiToken } from '#shared/api-tokens/api-token-format.js';
import {
  listTokenItems,
  MINT_NEEDS_SESSION,
  newToken,
  revokeToken,
  type tokenView,
} from '#shared/api-tokens/token-items.js';
import type { Caller, StoreDeps } from '#shared/app/context.js';
import { auditPut } from '#shared/audit/audit-event.js';
import { withOptimisticRetry } from '#shared/common/optimistic-retry.js';
import { ConflictError, ForbiddenError } from '#shared/errors/domain-errors.js';
import { loadTenantState } from '#shared/policy/tenant-state.js';
import type { CreateTokenInput } from '#shared/service-accounts/service-account-schemas.js';
import {
  actingMember,
  loadServiceAccount,
  permissionsOf,
} from '#shared/service-accounts/service-account-service.js';
import { keys } from '#shared/store/keys.js';
import type { Page } from '#shared/store/pagination.js';
import {
  serviceAccountPrincipal,
  serviceAccountVersionBump,
} from '#shared/store/records/service-account-record.js';
import { apiTokenPut, countTokens } from '#shared/store/records/token-record.js';

/** Token items per account, revoked and expired ones included until TTL removes them. */
export const MAX_TOKENS_PER_ACCOUNT = 50;

/**
 * Mints a token for a service account: `ghs_<accountId>.<tokenId>_<secret>`, with 32 random
 * bytes of secret. Returned here once; the item stores only the secret's SHA-256. The account's
 * version is bumped in the same transaction so a concurrent delete cannot leave it orphaned.
 */
export async function createApiToken(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  serviceAccountId: string,
  input: CreateTokenInput,
) {
  if (caller.credential !== 'session') throw new ForbiddenError(MINT_NEEDS_SESSION);
  return withOptimisticRetry(async () => {
    const state = await loadTenantState(deps, tenantId, caller);
    const actorCheck = actingMember(deps, state, caller);
    const minter = state.actor;
    if (!minter) throw new ForbiddenError(MINT_NEEDS_SESSION);
    const sa = await loadServiceAccount(deps, tenantId, serviceAccountId);
    const held = await countTokens(deps.table, tenantId, keys.apiTokenPrefix(serviceAccountId));
    if (held >= MAX_TOKENS_PER_ACCOUNT) {
      throw new ConflictError(
        `A service account holds at most ${MAX_TOKENS_PER_ACCOUNT} tokens; revoke unused ones`,
      );
    }
    const { now, tokenId, secret, record, stored } = newToken(deps, input);
    const event = {
      tenantId,
      actor: caller.userId,
      action: 'api-token.create' as const,
      target: serviceAccountPrincipal(serviceAccountId),
      after: record,
    };
    await deps.table.transact([
      apiTokenPut(tenantId, sa, minter, stored),
      serviceAccountVersionBump(sa),
      actorCheck,
      auditPut(event, now),
    ]);
    return {
      ...record,
      mintedBy: minter.userId,
      token: formatApiToken({ serviceAccountId, tokenId, mintedBy: minter.userId, secret }),
    };
  });
}

/** Lists a service account's tokens: id, name, times and status; never the secret or its hash. */
export async function listApiTokens(
  deps: StoreDeps,
  tenantId: string,
  serviceAccountId: string,
  query: { limit: number; cursor?: string },
): Promise<Page<ReturnType<typeof tokenView>>> {
  await loadServiceAccount(deps, tenantId, serviceAccountId);
  return listTokenItems(deps, tenantId, keys.apiTokenPrefix(serviceAccountId), query);
}

/** Revokes a token: the authorizer refuses it from the next request on. Idempotent. */
export async function revokeApiToken(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  serviceAccountId: string,
  tokenId: string,
) {
  await withOptimisticRetry(async () => {
    const state = await loadTenantState(deps, tenantId, caller);
    const actorCheck = actingMember(deps, state, caller);
    const account = await loadServiceAccount(deps, tenantId, serviceAccountId);
    assertOutranks(state.actorPermissions, permissionsOf(state, account), 'revoke the tokens of');
    await revokeToken(
      deps,
      caller,
      tenantId,
      { key: keys.apiToken(tenantId, serviceAccountId, tokenId), tokenId },
      { action: 'api-token.revoke', target: serviceAccountPrincipal(serviceAccountId) },
      [actorCheck],
    );
  });
}
