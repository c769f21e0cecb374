/**
 * Members' personal API tokens (`ghm_...`): minted by a member for one tenant, carrying exactly
 * that membership's permissions, and dying with it: revoked, expired, membership disabled or
 * deleted, or a forced logout stamped after the token was minted. Admins list and revoke them
 * under the member.
 */
import { compilePrincipal } from '#shared/acl/engine.js';
import { assertOutranks } from '#shared/acl/hierarchy.js';
import { formatPersonalToken } from '#shared/api-tokens/api-token-format.js';
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
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
} from '#shared/errors/domain-errors.js';
import { loadMember } from '#shared/members/member-lookup.js';
import { loadTenantState, type TenantState } from '#shared/policy/tenant-state.js';
import type { CreateTokenInput } from '#shared/service-accounts/service-account-schemas.js';
import { signedInBefore } from '#shared/sessions/session-time.js';
import { membershipTenants } from '#shared/sessions/sign-out.js';
import { keys } from '#shared/store/keys.js';
import type { Page } from '#shared/store/pagination.js';
import {
  grantsOf,
  type MemberRecord,
  memberExists,
  memberVersionBump,
} from '#shared/store/records/member-record.js';
import { countTokens, personalTokenPut, tokenExists } from '#shared/store/records/token-record.js';

/** Token items per membership, revoked and expired ones included until TTL removes them. */
export const MAX_TOKENS_PER_MEMBER = 20;

type PersonalTokenView = ReturnType<typeof tokenView> & { tenantId: string };

const memberTarget = (userId: string) => `member:${userId}`;

/**
 * The minter's membership, on fresh state: active, not ended by a forced logout since the
 * session signed in (the authorizer looked earlier), and under its token limit.
 */
async function mintingMember(
  deps: StoreDeps,
  state: TenantState,
  signedInAt: number,
): Promise<MemberRecord> {
  const actor = state.actor;
  if (!actor) throw new NotFoundError('Tenant not found');
  if (actor.status !== 'active') throw new ForbiddenError('Your membership is disabled');
  if (signedInBefore(signedInAt, actor.sessionsValidAfter)) {
    throw new UnauthorizedError(
      'Your session in this tenant was ended by a forced logout; sign in again',
    );
  }
  const held = await countTokens(
    deps.table,
    state.tenantId,
    keys.personalTokenPrefix(actor.userId),
  );
  if (held >= MAX_TOKENS_PER_MEMBER) {
    throw new ConflictError(
      `A member holds at most ${MAX_TOKENS_PER_MEMBER} personal tokens per tenant; revoke unused ones`,
    );
  }
  return actor;
}

/**
 * Mints a personal token for the caller in `tenantId`: `ghm_<userId>.<tokenId>_<secret>`,
 * returned once. Only the member themself, signed in with a session (an API token cannot mint
 * more tokens); the authorizer has already refused a disabled membership or a session ended by
 * a forced logout. The write bumps the membership's version, so a concurrent logout, disable or
 * delete either sees the token or makes this mint fail: no token outlives its membership.
 */
export async function createPersonalToken(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  userId: string,
  input: CreateTokenInput,
) {
  if (caller.userId !== userId) {
    throw new ForbiddenError('Personal tokens are minted by their owner only');
  }
  const signedInAt = caller.authTime;
  if (signedInAt === undefined || caller.credential !== 'session') {
    throw new ForbiddenError(MINT_NEEDS_SESSION);
  }
  return withOptimisticRetry(async () => {
    const state = await loadTenantState(deps, tenantId, caller);
    const actor = await mintingMember(deps, state, signedInAt);
    const { now, tokenId, secret, record, stored } = newToken(deps, input);
    const event = {
      tenantId,
      actor: caller.userId,
      action: 'personal-token.create' as const,
      target: memberTarget(userId),
      after: record,
    };
    await deps.table.transact([
      personalTokenPut(tenantId, actor, stored),
      memberVersionBump(tenantId, actor),
      auditPut(event, now),
    ]);
    return { ...record, tenantId, token: formatPersonalToken({ userId, tokenId, secret }) };
  });
}

/** One membership's personal tokens, one page; never the secret or its hash. */
export async function listMemberTokens(
  deps: StoreDeps,
  tenantId: string,
  userId: string,
  query: { limit: number; cursor?: string },
): Promise<Page<PersonalTokenView>> {
  const page = await listTokenItems(deps, tenantId, keys.personalTokenPrefix(userId), query);
  return { ...page, items: page.items.map((t) => ({ ...t, tenantId })) };
}

/** A member's personal tokens in the tenant, for the member or an admin; 404 for a non-member. */
export async function listTokensOfMember(
  deps: StoreDeps,
  tenantId: string,
  userId: string,
  query: { limit: number; cursor?: string },
): Promise<Page<PersonalTokenView>> {
  if (!(await memberExists(deps.table, tenantId, userId)))
    throw new NotFoundError(`Member '${userId}' not found`);
  return listMemberTokens(deps, tenantId, userId, query);
}

/** The caller's personal tokens in every tenant they belong to (at most MAX_TOKENS_PER_MEMBER each). */
export async function listPersonalTokens(
  deps: StoreDeps,
  caller: Caller,
): Promise<Page<PersonalTokenView>> {
  const items: PersonalTokenView[] = [];
  for (const tenantId of await membershipTenants(deps, caller.userId)) {
    const page = await listMemberTokens(deps, tenantId, caller.userId, {
      limit: MAX_TOKENS_PER_MEMBER,
    });
    items.push(...page.items);
  }
  return { items, nextCursor: null };
}

/** Rule 12: an admin revokes only the tokens of someone who holds no more than they do. */
async function assertMayRevokeTokensOf(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  userId: string,
) {
  if (caller.userId === userId) return;
  const state = await loadTenantState(deps, tenantId, caller);
  const owner = await loadMember(deps, tenantId, userId);
  assertOutranks(
    state.actorPermissions,
    compilePrincipal(state.compiled, grantsOf(owner)),
    'revoke the tokens of',
  );
}

/**
 * Revokes one personal token of `userId` in `tenantId`: refused by the authorizer from the next
 * request on. Idempotent for an already revoked token; unknown tokens are 404.
 */
export async function revokeMemberToken(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  userId: string,
  tokenId: string,
) {
  const key = keys.personalToken(tenantId, userId, tokenId);
  await withOptimisticRetry(async () => {
    await assertMayRevokeTokensOf(deps, caller, tenantId, userId);
    await revokeToken(
      deps,
      caller,
      tenantId,
      { key, tokenId },
      { action: 'personal-token.revoke', target: memberTarget(userId) },
    );
  });
}

/** Revokes one of the caller's own tokens, in whichever of their tenants it lives. */
export async function revokePersonalToken(deps: StoreDeps, caller: Caller, tokenId: string) {
  for (const tenantId of await membershipTenants(deps, caller.userId)) {
    if (await tokenExists(deps.table, keys.personalToken(tenantId, caller.userId, tokenId)))
      return revokeMemberToken(deps, caller, tenantId, caller.userId, tokenId);
  }
  throw new NotFoundError(`Token '${tokenId}' not found`);
}
