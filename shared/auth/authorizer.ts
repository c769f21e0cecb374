/**
 * The Lambda REQUEST authorizer (HTTP API, payload 2.0, simple responses): verify the access
 * token, resolve the tenant from the path, read the member snapshot (one DynamoDB request),
 * apply forced logout, and check every permission the route requires. It fails closed.
 *
 * API tokens (`Bearer ghs_...`, told apart by the prefix) are read with their service account in
 * one DynamoDB request too, and work only on tenant routes of the token's own tenant.
 *
 * Two modes:
 * - `internal` (Gatehouse's own API): always hands its decision to the integration, whose
 *   handler chain renders 401/403/404 as problem+json and refuses anything but `allow`.
 * - `external` (other APIs): throws `Unauthorized` (API Gateway answers 401) or denies (403).
 *
 * Every decision counts as `Allowed` or `Denied` (by reason); a decision that could not be taken
 * counts as `AuthorizerFault`, the metric its alarm watches, since Lambda's own Errors metric
 * also counts every thrown `Unauthorized` (a bad token) in external mode. An item of a format
 * this version does not know (written by a newer one) is denied as `unknown-item-format` and
 * counted as `UnknownItemFormat` by item kind, not as a fault (docs/data-model.md, Item formats).
 */
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { isAllowed, isSuperuser, type PermissionSet } from '#shared/acl/engine.js';
import {
  looksLikeApiToken,
  looksLikePersonalToken,
  parseApiToken,
  parsePersonalToken,
  secretMatches,
} from '#shared/api-tokens/api-token-format.js';
import { SERVICE_ACCOUNT_PREFIX } from '#shared/auth/external-context.js';
import { bindPermissions, type RequirementResolver } from '#shared/auth/route-requirements.js';
import type { ApiTokenSnapshot, SnapshotReader } from '#shared/auth/snapshot-types.js';
import {
  type AccessTokenVerifier,
  bearerToken,
  verifiedClaims,
} from '#shared/auth/token-verifier.js';
import { UnavailableError } from '#shared/errors/domain-errors.js';
import type { AuthDecision, AuthorizerContext } from '#shared/http/authorizer-context.js';
import { logger } from '#shared/observability/logger.js';
import {
  recordAuthorizerFault,
  recordDecision,
  recordUnknownItemFormat,
} from '#shared/observability/metrics.js';
import type { Clock } from '#shared/platform/clock.js';
import { isDependencyFailure } from '#shared/platform/dependency-guard.js';
import type { RouteAuth } from '#shared/routes/route-types.js';
import { SIGN_IN_AGAIN, signedInBefore } from '#shared/sessions/session-time.js';
import { keys } from '#shared/store/keys.js';
import { UnknownItemFormatError } from '#shared/store/records/item-format.js';

export interface AuthorizerDeps {
  verifier: AccessTokenVerifier;
  snapshots: SnapshotReader;
  requirements: RequirementResolver;
  clock: Clock;
  mode: 'internal' | 'external';
}

export interface SimpleAuthorizerResult {
  isAuthorized: boolean;
  context: AuthorizerContext;
}

/** The authorizer context of a decision: its reason and who it is about (blank by default). */
function ctx(
  decision: AuthDecision,
  reason: string,
  fields: Partial<AuthorizerContext> = {},
): AuthorizerContext {
  return { decision, reason, tenantId: '', userId: '', email: '', ...fields };
}

/**
 * What a decision reads of a request, whichever API Gateway form brought it: the route key of
 * the route map, the headers (the bearer token) and the path parameters bound into resources.
 */
export type DecisionRequest = Pick<
  APIGatewayRequestAuthorizerEventV2,
  'routeKey' | 'headers' | 'pathParameters'
>;

/** Decides one request; never throws in internal mode, never allows on an error. */
export async function decide(
  deps: AuthorizerDeps,
  event: DecisionRequest,
): Promise<AuthorizerContext> {
  const requirement = deps.requirements(event.routeKey);
  if (!requirement) return ctx('forbidden', 'Route is not mapped to permissions');
  const token = bearerToken(event.headers?.authorization ?? event.headers?.Authorization);
  if (!token) return ctx('unauthenticated', 'Missing bearer token');
  if (looksLikeApiToken(token)) {
    if (requirement.kind !== 'tenant') {
      return ctx('unauthenticated', 'API tokens are accepted only on tenant routes');
    }
    const tenantId = event.pathParameters?.[requirement.tenantParam];
    if (!tenantId) return ctx('forbidden', 'No tenant in path');
    const route = { requirement, params: event.pathParameters ?? {}, tenantId };
    return looksLikePersonalToken(token)
      ? decidePersonalToken(deps, route, token)
      : decideApiToken(deps, route, token);
  }
  const claims = await verifiedClaims(deps.verifier, token);
  if (!claims) return ctx('unauthenticated', 'Invalid token: not a valid access token');
  // Cognito pools with email sign-in use the sub as username; the email then comes from the member item.
  const who = {
    userId: claims.sub,
    email: claims.username.includes('@') ? claims.username.toLowerCase() : '',
    authTime: claims.authTime,
    credential: 'session' as const,
  };
  if (requirement.kind !== 'tenant') {
    const signedOutAt = await deps.snapshots.userSessionsValidAfter(claims.sub);
    if (signedInBefore(claims.authTime, signedOutAt)) {
      return ctx('unauthenticated', `Signed out everywhere; ${SIGN_IN_AGAIN}`, who);
    }
    return ctx('allow', 'Authenticated', who);
  }
  const params = event.pathParameters ?? {};
  const tenantId = params[requirement.tenantParam];
  if (!tenantId) return ctx('forbidden', 'No tenant in path');
  return decideMemberSession(deps, { requirement, params, tenantId }, who);
}

/** Who a session token names, as its verified claims say. */
type SessionCaller = Pick<AuthorizerContext, 'userId' | 'email'> & {
  authTime: number;
  credential: 'session';
};

/**
 * A session on a tenant route: the member's snapshot (one read) decides membership, a disabled
 * membership, forced logout (any stamp after the sign-in), then the route's permissions.
 */
async function decideMemberSession(
  deps: AuthorizerDeps,
  { requirement, params, tenantId }: TenantRoute,
  who: SessionCaller,
): Promise<AuthorizerContext> {
  const snapshot = await deps.snapshots.read(tenantId, who.userId);
  if (!snapshot) return ctx('not-member', 'Not a member of this tenant', who);
  const fields = {
    ...who,
    tenantId,
    email: snapshot.email || who.email,
    ...(snapshot.policyVersion === undefined ? {} : { policyVersion: snapshot.policyVersion }),
  };
  if (snapshot.status !== 'active') return ctx('unauthenticated', 'Membership is disabled', fields);
  if (signedInBefore(who.authTime, snapshot.sessionsValidAfter)) {
    return ctx(
      'unauthenticated',
      `Session was ended by a forced logout, a sign-out everywhere or a removal; ${SIGN_IN_AGAIN}`,
      fields,
    );
  }
  if (requirement.self && params[requirement.self] === who.userId) {
    return ctx('allow', 'Own membership', fields);
  }
  return checkPermissions(requirement, params, snapshot.permissions, fields);
}

/** A tenant route: what it requires, its parameters, the tenant. */
interface TenantRoute {
  requirement: Extract<RouteAuth, { kind: 'tenant' }>;
  params: Record<string, string | undefined>;
  tenantId: string;
}

function checkPermissions(
  requirement: Extract<RouteAuth, { kind: 'tenant' }>,
  params: Record<string, string | undefined>,
  permissions: PermissionSet,
  fields: Partial<AuthorizerContext>,
): AuthorizerContext {
  const needed = bindPermissions(requirement.permissions, params);
  if (!needed) return ctx('forbidden', 'Route parameters missing', fields);
  for (const p of needed) {
    if (!isAllowed(permissions, p.resource, p.action)) {
      return ctx('forbidden', `Missing permission ${p.resource} ${p.action}`, fields);
    }
  }
  return ctx('allow', 'Allowed', { ...fields, matchedPermissions: JSON.stringify(needed) });
}

/**
 * Rule 13: an API token lives only as long as the membership and the sessions of whoever minted
 * it: minter deleted (or re-created), disabled, logged out, signed out everywhere or removed
 * from Cognito after minting ends it. Tokens from before minters were recorded fail closed.
 * Returns why the token is refused, undefined when its minter still stands behind it.
 */
function minterRefusalOf(found: ApiTokenSnapshot, mintedBy: string): string | undefined {
  const minter = found.minter;
  if (
    !mintedBy ||
    found.mintedBy !== mintedBy ||
    !minter ||
    minter.incarnation !== found.minterIncarnation
  ) {
    return 'API token outlived the membership of the member who minted it';
  }
  if (minter.status !== 'active') return 'The member who minted this API token is disabled';
  if (found.createdAt < minter.sessionsValidAfter) {
    return 'The sessions of the member who minted this API token were ended after it was minted; mint a new one';
  }
  return undefined;
}

/**
 * The API-token path: parse `ghs_<serviceAccountId>.<tokenId>_<secret>`, read token, account and
 * policy version in one batch from the path's tenant, then refuse (401) anything malformed,
 * unknown, of another tenant, with a wrong secret, revoked, expired or of a disabled account.
 */
async function decideApiToken(
  deps: AuthorizerDeps,
  { requirement, params, tenantId }: TenantRoute,
  token: string,
): Promise<AuthorizerContext> {
  const parsed = parseApiToken(token);
  if (!parsed) return ctx('unauthenticated', 'Invalid token: malformed API token');
  // Unknown tokens, tokens of another tenant (not in this tenant's partition) and tokens of a
  // deleted account all read as absent: 401, never a hint that the token exists elsewhere.
  const found = await deps.snapshots.readApiToken(
    tenantId,
    parsed.serviceAccountId,
    parsed.tokenId,
    parsed.mintedBy || NO_MINTER,
  );
  const now = deps.clock.now();
  if (
    !found ||
    found.tenantId !== tenantId ||
    found.serviceAccountId !== parsed.serviceAccountId ||
    !secretMatches(parsed.secret, found.secretHash)
  ) {
    return ctx('unauthenticated', 'Invalid token: unknown API token');
  }
  if (found.revoked) return ctx('unauthenticated', 'API token was revoked');
  if (found.expiresAt <= now.getTime()) return ctx('unauthenticated', 'API token has expired');
  // Rule 11: a token of an earlier account with the same id never works for a later one.
  if (!found.tokenAccountIncarnation || found.tokenAccountIncarnation !== found.accountIncarnation)
    return ctx('unauthenticated', 'Invalid token: minted for a deleted service account');
  if (found.accountStatus !== 'active')
    return ctx('unauthenticated', 'Service account is disabled');
  const minterRefusal = minterRefusalOf(found, parsed.mintedBy);
  if (minterRefusal) return ctx('unauthenticated', minterRefusal);
  deps.snapshots.touchToken(
    {
      key: keys.apiToken(tenantId, parsed.serviceAccountId, parsed.tokenId),
      lastUsedAt: found.lastUsedAt,
    },
    now,
  );
  const fields = {
    tenantId,
    userId: `${SERVICE_ACCOUNT_PREFIX}${parsed.serviceAccountId}`,
    email: '',
    credential: 'api-token' as const,
    tokenId: parsed.tokenId,
  };
  // Defence in depth: grants are refused at write time, but a later role or group change could
  // still make an account a superuser; a token never acts as one.
  if (isSuperuser(found.permissions))
    return ctx('forbidden', 'Service accounts cannot act as superusers', fields);
  return checkPermissions(requirement, params, found.permissions, fields);
}

/**
 * The personal-token path: parse `ghm_<userId>.<tokenId>_<secret>`, read token, membership and
 * policy version in one batch from the path's tenant, then decide exactly as for the member's
 * own session: the token dies with the membership, a disabled membership, and any forced logout
 * stamped after it was minted (it never outlives the sessions of its owner).
 */
async function decidePersonalToken(
  deps: AuthorizerDeps,
  { requirement, params, tenantId }: TenantRoute,
  token: string,
): Promise<AuthorizerContext> {
  const parsed = parsePersonalToken(token);
  if (!parsed) return ctx('unauthenticated', 'Invalid token: malformed personal token');
  const found = await deps.snapshots.readPersonalToken(tenantId, parsed.userId, parsed.tokenId);
  if (
    !found ||
    found.tenantId !== tenantId ||
    found.userId !== parsed.userId ||
    !secretMatches(parsed.secret, found.secretHash)
  ) {
    return ctx('unauthenticated', 'Invalid token: unknown personal token');
  }
  const now = deps.clock.now();
  if (found.revoked) return ctx('unauthenticated', 'Personal token was revoked');
  if (found.expiresAt <= now.getTime()) return ctx('unauthenticated', 'Personal token has expired');
  const fields = {
    tenantId,
    userId: parsed.userId,
    email: found.member.email,
    credential: 'personal-token' as const,
    tokenId: parsed.tokenId,
  };
  // Rule 11: a token of an earlier membership never works for a later one.
  if (!found.memberIncarnation || found.memberIncarnation !== found.member.incarnation) {
    return ctx('unauthenticated', 'Invalid token: minted for an earlier membership');
  }
  if (found.member.status !== 'active') {
    return ctx('unauthenticated', 'Membership is disabled', fields);
  }
  if (found.createdAt < found.member.sessionsValidAfter) {
    return ctx(
      'unauthenticated',
      'Token was ended by a forced logout, a sign-out everywhere or a removal; mint a new one',
      fields,
    );
  }
  deps.snapshots.touchToken(
    {
      key: keys.personalToken(tenantId, parsed.userId, parsed.tokenId),
      lastUsedAt: found.lastUsedAt,
    },
    now,
  );
  if (requirement.self && params[requirement.self] === parsed.userId) {
    return ctx('allow', 'Own membership', fields);
  }
  return checkPermissions(requirement, params, found.member.permissions, fields);
}

/** Reads as no member at all: a token without a recorded minter matches no membership. */
const NO_MINTER = '-';

/**
 * The decision when deciding threw: a deny with its own reason for an item of a format this
 * version does not know (newer data: an answer, counted as `UnknownItemFormat`, not a fault),
 * else a fault (`AuthorizerFault`): unavailable when a dependency failed, forbidden otherwise.
 */
function failedDecision(event: DecisionRequest, error: unknown): AuthorizerContext {
  if (error instanceof UnknownItemFormatError) {
    recordUnknownItemFormat(error.kind);
    logger.warn('Denied an item of an unknown format', { routeKey: event.routeKey, error });
    return ctx('unknown-item-format', `unknown-item-format: ${error.message}`);
  }
  recordAuthorizerFault();
  logger.error('Authorizer failed closed', { routeKey: event.routeKey, error: error as Error });
  // A dependency that is down or slow decides nothing: 503 to retry, never a 403 to give up.
  const down = error instanceof UnavailableError || isDependencyFailure(error);
  return down
    ? ctx('unavailable', 'Authorization is unavailable; retry shortly')
    : ctx('forbidden', 'Authorization could not be evaluated');
}

/**
 * Decides one request and counts the decision; an error decides `unavailable` (a dependency is
 * down or slow) or `forbidden`, never `allow`. The HTTP and REST forms both start here.
 */
export async function decideClosed(
  deps: AuthorizerDeps,
  event: DecisionRequest,
): Promise<AuthorizerContext> {
  let context: AuthorizerContext;
  try {
    context = await decide(deps, event);
  } catch (error) {
    context = failedDecision(event, error);
  }
  recordDecision(context.decision);
  logger.debug('Authorizer decision', {
    decision: context.decision,
    reason: context.reason,
    tenantId: context.tenantId,
  });
  return context;
}

/**
 * What API Gateway must not receive as an answer in external mode: `Unauthorized` (its 401)
 * for a refused credential, and any other error (its 500, never cached, retried by clients)
 * when nothing could be decided. Undefined for an allow or a deny.
 */
export function externalRefusal(context: AuthorizerContext): Error | undefined {
  if (context.decision === 'unauthenticated') return new Error('Unauthorized');
  if (context.decision === 'unavailable') return new Error('Authorization unavailable');
  return undefined;
}

/** Builds the handler API Gateway invokes (HTTP API, payload 2.0, simple responses). */
export function createAuthorizer(deps: AuthorizerDeps) {
  return async (event: APIGatewayRequestAuthorizerEventV2): Promise<SimpleAuthorizerResult> => {
    const context = await decideClosed(deps, event);
    if (deps.mode === 'internal') return { isAuthorized: true, context };
    const refusal = externalRefusal(context);
    if (refusal) throw refusal;
    return { isAuthorized: context.decision === 'allow', context };
  };
}
