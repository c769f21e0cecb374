/**
 * Offboarding in the identity provider (rule 13): deleting or disabling a user in the Cognito
 * user pool ends every session and token of that person in every tenant: their sessions, their
 * personal tokens and the service-account tokens they minted. On AWS the user pool's API calls
 * reach us as CloudTrail events through EventBridge; the handler stamps the user-wide
 * `sessionsValidAfter` and its copy in each of the person's member items, which the authorizer
 * reads with every decision (one write, plus one per membership). Re-enabling the user lets
 * fresh sign-ins in; nothing from before.
 */
import * as z from 'zod/mini';
import type { StoreDeps } from '#shared/app/context.js';
import { recordForcedLogout } from '#shared/observability/metrics.js';
import { stampUserSessions } from '#shared/sessions/sign-out.js';

/** The user-pool API calls that remove a person. */
export const OFFBOARDING_EVENTS = ['AdminDeleteUser', 'AdminDisableUser', 'DeleteUser'] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The part of an EventBridge "AWS API Call via CloudTrail" event we read. */
const CloudTrailCall = z.object({
  detail: z.object({
    eventSource: z.literal('cognito-idp.amazonaws.com'),
    eventName: z.enum(OFFBOARDING_EVENTS),
    errorCode: z.optional(z.string()),
    requestParameters: z.nullish(
      z.object({ userPoolId: z.optional(z.string()), username: z.optional(z.string()) }),
    ),
    additionalEventData: z.nullish(z.object({ sub: z.optional(z.string()) })),
  }),
});

export type OffboardingTarget =
  | { kind: 'user'; userId: string; eventName: string }
  | { kind: 'ignored'; why: string };

/**
 * Who an event removes: the user's `sub`, from the event's `additionalEventData.sub` or from a
 * username that is a sub (pools that sign in by email alias keep the sub as username). Cognito
 * hides some usernames in CloudTrail; an event naming nobody we can resolve is refused loudly
 * (the handler throws, so EventBridge retries and then dead-letters it for an operator).
 */
export function offboardingTarget(event: unknown, userPoolId: string): OffboardingTarget {
  const parsed = CloudTrailCall.safeParse(event);
  if (!parsed.success) return { kind: 'ignored', why: 'not a user-pool offboarding call' };
  const { detail } = parsed.data;
  if (detail.errorCode) return { kind: 'ignored', why: `the call failed (${detail.errorCode})` };
  const pool = detail.requestParameters?.userPoolId;
  if (pool && pool !== userPoolId) return { kind: 'ignored', why: 'another user pool' };
  const sub = detail.additionalEventData?.sub;
  const username = detail.requestParameters?.username;
  const userId = sub && UUID.test(sub) ? sub : username && UUID.test(username) ? username : '';
  if (!userId) {
    throw new Error(
      `${detail.eventName}: the event names no user sub we can resolve; end the user's sessions by hand (POST /v1/me/logout is not possible for a removed user: see the runbook)`,
    );
  }
  return { kind: 'user', userId, eventName: detail.eventName };
}

/** Ends every session and token of the user now; returns the stamp (epoch ms). */
export async function offboardUser(deps: StoreDeps, userId: string): Promise<number> {
  const at = await stampUserSessions(deps, userId);
  recordForcedLogout('offboarding');
  return at;
}
