/** Signing a user out everywhere: one user-wide stamp the authorizer reads, and Cognito GlobalSignOut. */
import type { Caller, StoreDeps } from '#shared/app/context.js';
import type { IdentityProvider } from '#shared/identity/identity-provider.js';
import { logger } from '#shared/observability/logger.js';
import { recordForcedLogout } from '#shared/observability/metrics.js';
import {
  getUserSessionsValidAfter,
  membershipTenantIds,
  raiseMemberStamp,
  raiseUserSessionsStamp,
} from '#shared/store/records/session-record.js';

/** Member items a sign-out raises at once (each is one UpdateItem). */
const MEMBER_STAMPS_IN_FLIGHT = 16;

/**
 * cognito-local answers GlobalSignOut and AdminUserGlobalSignOut with this error; real Cognito
 * implements both. Only this exact gap is tolerated, so a real failure is never swallowed.
 */
export function isEmulatorGlobalSignOutGap(error: unknown): boolean {
  // The emulator answers 500, which the client boundary reports as an outage with this cause.
  const cause = error instanceof Error ? (error.cause ?? error) : undefined;
  return cause instanceof Error && /Unsupported x-amz-target header/i.test(cause.message);
}

/** The tenants the user is a member of (byUser index), every page. */
export function membershipTenants(deps: StoreDeps, userId: string): Promise<string[]> {
  return membershipTenantIds(deps.table, userId);
}

/**
 * Signs the caller out everywhere: the user-wide stamp `sessionsValidAfter = now` and its copy
 * in every member item of the user (see {@link stampUserSessions}), which the authorizer reads
 * (in every tenant, outside tenants, and for the personal tokens and service-account tokens the
 * user minted), then Cognito GlobalSignOut with the caller's access token revokes their refresh
 * tokens. No tenant learns of it: a person's sign-out is not an event of the tenants they belong
 * to (rule 17), so no audit event is written. The stamps go first: they are what our authorizer
 * enforces, and a retry after a failed GlobalSignOut repeats them harmlessly.
 */
export async function signOutEverywhere(
  deps: StoreDeps,
  identity: IdentityProvider,
  caller: Caller,
  accessToken: string,
): Promise<void> {
  await stampUserSessions(deps, caller.userId);
  recordForcedLogout('sign-out-everywhere');
  try {
    await identity.globalSignOut(accessToken);
  } catch (error) {
    if (!isEmulatorGlobalSignOutGap(error)) throw error;
    logger.warn(
      'GlobalSignOut is not supported by this identity emulator; sessions ended by stamp only',
      { userId: caller.userId },
    );
  }
}

/** When the user last signed out everywhere (or was offboarded): epoch ms, 0 if never. */
export function userSessionsValidAfter(deps: StoreDeps, userId: string): Promise<number> {
  return getUserSessionsValidAfter(deps.table, userId);
}

/**
 * Ends every session and token of a user, in every tenant: the user-wide stamp becomes now
 * (never lowered), then so does the stamp folded into each of their member items, and only then
 * does this return (rule 6: the next request is refused). The memberships come from the
 * `tenants` set the raise itself returns (a membership created after it reads the new stamp
 * when it joins), united with the byUser index for memberships from before the set existed.
 * Used by sign-out everywhere and when the identity provider deletes or disables the user
 * (offboarding). One UpdateItem, one Query, and one UpdateItem per membership.
 */
export async function stampUserSessions(deps: StoreDeps, userId: string): Promise<number> {
  const at = deps.clock.now().getTime();
  const [joined, indexed] = await Promise.all([
    raiseUserSessionsStamp(deps.table, userId, at),
    membershipTenantIds(deps.table, userId),
  ]);
  const tenants = [...new Set([...joined, ...indexed])];
  for (let i = 0; i < tenants.length; i += MEMBER_STAMPS_IN_FLIGHT) {
    await Promise.all(
      tenants
        .slice(i, i + MEMBER_STAMPS_IN_FLIGHT)
        .map((tenantId) => raiseMemberStamp(deps.table, tenantId, userId, at)),
    );
  }
  return at;
}
