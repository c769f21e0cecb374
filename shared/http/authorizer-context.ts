/** The context the authorizer hands to integrations, and how handlers read it. */

/**
 * For Gatehouse's own API the authorizer never answers with API Gateway's bare 401/403:
 * it passes its decision on and the handler chain renders it as problem+json, refusing
 * anything but `allow` (fail closed). Other APIs use the deny/401 mode of the construct.
 */
import type { CredentialKind } from '#shared/app/context.js';

export type { CredentialKind };
export type AuthDecision =
  | 'allow'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-member'
  /** A dependency (DynamoDB, Cognito) failed or was too slow: nothing was decided (503). */
  | 'unavailable'
  /**
   * An item the decision needed has a format this authorizer does not know (a newer version
   * wrote it): denied (403), never read (docs/data-model.md, "Item formats").
   */
  | 'unknown-item-format';

export interface AuthorizerContext {
  decision: AuthDecision;
  tenantId: string;
  userId: string;
  email: string;
  /**
   * The Cognito sign-in time of the token (epoch seconds, `auth_time`), so handlers of routes
   * outside a tenant can apply a tenant's forced logout themselves; absent for API tokens.
   */
  authTime?: number;
  /** The credential presented (absent when there was none). */
  credential?: CredentialKind;
  /** The API or personal token's id, when the credential is a token. */
  tokenId?: string;
  /** Why the decision was taken (no secrets). */
  reason: string;
  /**
   * The tenant policy version the decision was taken under (member sessions): a handler holding
   * that version compiled answers from it without reading the policy item again.
   */
  policyVersion?: number;
  /** On an allow: the route's permissions as bound and checked (JSON), for external mode. */
  matchedPermissions?: string;
}

export function readAuthorizerContext(raw: unknown): AuthorizerContext | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const lambda = (raw as { lambda?: Record<string, unknown> }).lambda;
  if (!lambda || typeof lambda.decision !== 'string') return undefined;
  return {
    decision: lambda.decision as AuthDecision,
    tenantId: String(lambda.tenantId ?? ''),
    userId: String(lambda.userId ?? ''),
    email: String(lambda.email ?? ''),
    ...(typeof lambda.authTime === 'number' ? { authTime: lambda.authTime } : {}),
    ...(isCredentialKind(lambda.credential) ? { credential: lambda.credential } : {}),
    ...(typeof lambda.tokenId === 'string' && lambda.tokenId ? { tokenId: lambda.tokenId } : {}),
    reason: String(lambda.reason ?? ''),
    ...(Number.isSafeInteger(lambda.policyVersion)
      ? { policyVersion: lambda.policyVersion as number }
      : {}),
  };
}

function isCredentialKind(v: unknown): v is CredentialKind {
  return v === 'session' || v === 'personal-token' || v === 'api-token';
}
