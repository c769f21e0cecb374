/** Signing a user out everywhere: one user-wide stamp the authorizer reads, and Cognito GlobalSignOut. */
import type { Caller, StoreDeps } from '#shared/app/context.js';
import type { IdentityProvider } from '#shared/identity/identity-provider.js';
import { logger } from '#shared/observability/logger.js';
import { recordForcedLogout } from '#shared/observability/metrics.js';
import {
  getUserSessionsValidAfter,
  membershipTenantIds,
  raiseUserSessionsStamp,
} from '#shared/store/records/session-record.js';

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
 * Signs the caller out everywhere: one user-wide stamp `sessionsValidAfter = now`, which the
 * authorizer reads with every decision (in every tenant, outside tenants, and for the personal
 * tokens and service-account tokens the user minted), then Cognito GlobalSignOut with the
 * caller's access token revokes their refresh tokens. The work is one write whatever the number
 * of memberships, and no tenant learns of it: a person's sign-out is not an event of the tenants
 * they belong to (rule 17). The stamp goes first: it is what our authorizer enforces, and a
 * retry after a failed GlobalSignOut repeats it harmlessly.
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
 * Ends every session and token of a user, in every tenant at once: the user-wide stamp becomes
 * now (never lowered). Used by sign-out everywhere and when the identity provider deletes or
 * disables the user (offboarding).
 */
export async function stampUserSessions(deps: StoreDeps, userId: string): Promise<number> {
  const at = deps.clock.now().getTime();
  await raiseUserSessionsStamp(deps.table, userId, at);
  return at;
}
