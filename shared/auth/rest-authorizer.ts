/**
 * The REST API form of the authorizer: API Gateway's REST REQUEST authorizer event in, an IAM
 * policy for the method ARN out, with the same decision as the HTTP API form (`decideClosed`).
 *
 * - The route key is `${httpMethod} ${resource}` (the resource is the path template,
 *   `/t/{tenantId}/apps/{appId+}`), else `ANY ${resource}` for a method mounted as ANY: the
 *   route map of the HTTP form, looked up by hash.
 * - A refused credential throws `Unauthorized` (API Gateway's 401); nothing decided (a dependency
 *   down or slow) throws another error (API Gateway's 500, as in the HTTP form).
 * - Allow or deny: a policy on exactly the method ARN of this request, never a wildcard. With
 *   result caching off (it must stay off: a forced logout holds on the next request) the policy
 *   is used for this request only; a wider ARN would leak this decision to other routes as soon
 *   as anyone turned caching on.
 */
import type {
  APIGatewayAuthorizerResult,
  APIGatewayAuthorizerResultContext,
  APIGatewayRequestAuthorizerEvent,
} from 'aws-lambda';
import {
  type AuthorizerDeps,
  type DecisionRequest,
  decideClosed,
  externalRefusal,
} from '#shared/auth/authorizer.js';
import { externalContext } from '#shared/auth/external-context.js';
import type { AuthorizerContext } from '#shared/http/authorizer-context.js';

/** Whether an authorizer event is a REST API's (it names a method ARN, not a route ARN). */
export function isRestAuthorizerEvent(event: unknown): event is APIGatewayRequestAuthorizerEvent {
  const e = event as Partial<APIGatewayRequestAuthorizerEvent> | null;
  return e?.type === 'REQUEST' && typeof e.methodArn === 'string';
}

/** The route key of a REST request: its method and resource template. */
export function restRouteKey(
  event: Pick<APIGatewayRequestAuthorizerEvent, 'httpMethod' | 'resource'>,
) {
  return `${event.httpMethod} ${event.resource}`;
}

/**
 * The `Authorization` header of a REST event, whatever its case (REST APIs keep the client's
 * spelling; HTTP APIs lower-case it). Two different values are ambiguous: no token (401).
 */
function authorizationHeader(event: APIGatewayRequestAuthorizerEvent): string | undefined {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (name.toLowerCase() === 'authorization' && value !== undefined) values.add(value);
  }
  for (const [name, list] of Object.entries(event.multiValueHeaders ?? {})) {
    if (name.toLowerCase() === 'authorization') for (const v of list ?? []) values.add(v);
  }
  return values.size === 1 ? [...values][0] : undefined;
}

/**
 * The decision request of a REST event: the exact route key when the map has it, else its
 * `ANY` route (an HTTP API names such a route `ANY /path` in its route key itself).
 */
export function restDecisionRequest(
  deps: Pick<AuthorizerDeps, 'requirements'>,
  event: APIGatewayRequestAuthorizerEvent,
): DecisionRequest {
  const exact = restRouteKey(event);
  const any = `ANY ${event.resource}`;
  const routeKey = !deps.requirements(exact) && deps.requirements(any) ? any : exact;
  const authorization = authorizationHeader(event);
  return {
    routeKey,
    headers: authorization === undefined ? {} : { authorization },
    pathParameters:
      (event.pathParameters as Record<string, string | undefined> | null) ?? undefined,
  };
}

/**
 * The context API Gateway hands the integration (`requestContext.authorizer`): string, number
 * and boolean values only (an object or array there is an authorizer configuration error).
 */
export function restContext(context: object): APIGatewayAuthorizerResultContext {
  const out: APIGatewayAuthorizerResultContext = {};
  for (const [key, value] of Object.entries(context)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      out[key] = value;
    }
  }
  return out;
}

/**
 * A decision as a REST authorizer's answer: Allow or Deny `execute-api:Invoke` on exactly
 * `methodArn`, or the error API Gateway turns into 401 (`Unauthorized`) or 500.
 */
export function restResult(
  context: AuthorizerContext,
  methodArn: string,
): APIGatewayAuthorizerResult {
  const refusal = externalRefusal(context);
  if (refusal) throw refusal;
  // Only what a backend may see (a REST integration is always another team's API). API Gateway
  // adds the policy's principalId to that context: the same value, so the two never disagree.
  const backend = externalContext(context);
  return {
    // API Gateway requires a principal; a deny before anyone was identified names nobody.
    principalId: backend.principalId || 'anonymous',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [
        {
          Action: 'execute-api:Invoke',
          Effect: context.decision === 'allow' ? 'Allow' : 'Deny',
          Resource: methodArn,
        },
      ],
    },
    context: restContext(backend),
  };
}

/**
 * Builds the REST API handler. It has one mode, the external one (a 401, a Deny or a 500),
 * whatever `deps.mode` says: a REST integration never sees a refused request.
 */
export function createRestAuthorizer(deps: AuthorizerDeps) {
  return async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    const context = await decideClosed(deps, restDecisionRequest(deps, event));
    return restResult(context, event.methodArn);
  };
}
