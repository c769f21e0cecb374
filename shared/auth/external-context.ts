/**
 * What another API's backend receives from an external-mode decision (packages/authorizer
 * README "What your backend receives"): who, in which tenant, and the route's permissions as
 * bound. Only strings, so REST APIs (which allow no nested context values) take it unchanged;
 * nothing internal (decision, reason, policy version, token ids) leaves Gatehouse.
 */
import type { AuthorizerContext } from '#shared/http/authorizer-context.js';

export interface ExternalContext {
  tenantId: string;
  principalId: string;
  principalKind: 'user' | 'service-account';
  email: string;
  /** JSON list of the route's bound permissions, `[{"resource":"...","action":"read"}]`. */
  permissions: string;
  /** Kept for integrations written before principalId: the user id, or `service-account:<id>`. */
  userId: string;
}

/** The prefix of a service account's `userId` in decisions (an API token's principal). */
export const SERVICE_ACCOUNT_PREFIX = 'service-account:';

/** The backend's view of `context` (fields blank when the decision named nobody). */
export function externalContext(context: AuthorizerContext): ExternalContext {
  const serviceAccount = context.credential === 'api-token';
  const principalId =
    serviceAccount && context.userId.startsWith(SERVICE_ACCOUNT_PREFIX)
      ? context.userId.slice(SERVICE_ACCOUNT_PREFIX.length)
      : context.userId;
  return {
    tenantId: context.tenantId,
    principalId,
    principalKind: serviceAccount ? 'service-account' : 'user',
    email: context.email,
    permissions: context.matchedPermissions ?? '[]',
    userId: context.userId,
  };
}

/** An external-mode answer as API Gateway receives it. */
export interface ExternalAuthorizerResult {
  isAuthorized: boolean;
  context: ExternalContext;
}
