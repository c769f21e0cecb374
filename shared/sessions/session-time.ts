/** Comparing a Cognito sign-in time with a forced-logout stamp, the same way everywhere. */

/**
 * Whether a session signed in at `authTime` (Cognito's `auth_time`, whole seconds) began before
 * a stamp (epoch ms). A sign-in in the same second as the stamp counts as before it: `auth_time`
 * cannot tell which came first, and letting a session from just before a forced logout through
 * is the unsafe way to be wrong. The cost: a sign-in within a second of a logout must be repeated
 * (SIGN_IN_AGAIN says so).
 */
export function signedInBefore(authTime: number, stampMs: number): boolean {
  return stampMs > 0 && authTime * 1000 < Math.floor(stampMs / 1000) * 1000 + 1000;
}

/** The advice every session refusal ends with (see signedInBefore). */
export const SIGN_IN_AGAIN =
  'sign in again (a sign-in within one second of the logout is refused too: wait a second)';
