/**
 * The local stand-in for a REST API (API Gateway v1) in front of a Lambda REQUEST authorizer:
 * the authorizer's event, the IAM policy it answers with evaluated against the method ARN as
 * API Gateway evaluates it, and the proxy (payload 1.0) event of the integration. A REST API's
 * URL is `/{stage}{resource path}`; the authorizer and the integration see the resource without
 * the stage, so its route map is keyed exactly as the HTTP form's.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
  APIGatewayRequestAuthorizerEvent,
  Context,
} from 'aws-lambda';
import { type GatewayLimits, invokeWithin, requestHeaders } from './lambda-invoke.js';

export type LambdaRestAuthorizer = (
  event: APIGatewayRequestAuthorizerEvent,
  context?: Context,
) => Promise<APIGatewayAuthorizerResult>;

/** A REST API's stage (the first URL segment) and its authorizer. */
export interface RestForm {
  stage: string;
  authorizer: () => Promise<LambdaRestAuthorizer>;
}

/** What API Gateway answers itself: status and its JSON body. */
export interface GatewayReply {
  status: number;
  body: string;
  headers: Record<string, string>;
  tenant?: string;
}

const reply = (status: number, message: string | null, errorType: string): GatewayReply => ({
  status,
  body: JSON.stringify({ message }),
  headers: { 'content-type': 'application/json', 'x-amzn-errortype': errorType },
});

/** API Gateway's default gateway responses for the authorizer's outcomes. */
export const REST_REPLIES = {
  unauthorized: () => reply(401, 'Unauthorized', 'UnauthorizedException'),
  explicitDeny: () =>
    reply(
      403,
      'User is not authorized to access this resource with an explicit deny',
      'AccessDeniedException',
    ),
  implicitDeny: () =>
    reply(403, 'User is not authorized to access this resource', 'AccessDeniedException'),
  /** Any other authorizer error, a timeout or an answer API Gateway cannot use. */
  failure: () => reply(500, null, 'AuthorizerConfigurationException'),
};

/** One REST request as the local server matched it. */
export interface RestRequest {
  req: IncomingMessage;
  url: URL;
  method: string;
  /** The route's path template as mounted: `/{stage}` and the resource template. */
  path: string;
  params: Record<string, string>;
}

/** The parts the authorizer's and the integration's events share (one request id for both). */
export function restParts(form: RestForm, request: RestRequest) {
  const r = {
    ...request,
    stage: form.stage,
    resource: request.path.slice(form.stage.length + 1),
    headers: requestHeaders(request.req),
  };
  const path = r.url.pathname.slice(r.stage.length + 1) || '/';
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(r.headers)) multiValueHeaders[k] = [v];
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [k, v] of r.url.searchParams) {
    query[k] = v;
    multiQuery[k] = [...(multiQuery[k] ?? []), v];
  }
  const hasQuery = Object.keys(query).length > 0;
  return {
    path,
    methodArn: `arn:aws:execute-api:local:000000000000:local/${r.stage}/${r.method}${path}`,
    common: {
      resource: r.resource,
      path,
      httpMethod: r.method,
      headers: r.headers,
      multiValueHeaders,
      pathParameters: Object.keys(r.params).length ? r.params : null,
      queryStringParameters: hasQuery ? query : null,
      multiValueQueryStringParameters: hasQuery ? multiQuery : null,
      stageVariables: null,
    },
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      resourceId: 'local',
      resourcePath: r.resource,
      httpMethod: r.method,
      path: `/${r.stage}${path}`,
      stage: r.stage,
      protocol: 'HTTP/1.1',
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      identity: {
        sourceIp: r.req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: r.headers['user-agent'] ?? '',
      },
    },
  };
}

export type RestParts = ReturnType<typeof restParts>;

/** Shell-style `*` and `?` of a policy's Resource, matched against the whole ARN. */
function arnMatches(pattern: string, arn: string): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`).test(arn);
}

const asList = <T>(v: T | T[] | undefined): T[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

/** How API Gateway reads a policy for one method ARN: a matching Deny wins, then an Allow. */
export function evaluatePolicy(
  result: APIGatewayAuthorizerResult,
  methodArn: string,
): 'allow' | 'explicit-deny' | 'implicit-deny' {
  let allowed = false;
  for (const s of result.policyDocument.Statement) {
    const st = s as { Effect: string; Action?: string | string[]; Resource?: string | string[] };
    const invokes = asList(st.Action).some((a) => arnMatches(a, 'execute-api:Invoke'));
    if (!invokes || !asList(st.Resource).some((r) => arnMatches(r, methodArn))) continue;
    if (st.Effect === 'Deny') return 'explicit-deny';
    if (st.Effect === 'Allow') allowed = true;
  }
  return allowed ? 'allow' : 'implicit-deny';
}

/** An answer API Gateway would refuse as a configuration error (its 500). */
function malformed(result: APIGatewayAuthorizerResult | undefined): boolean {
  if (!result || typeof result.principalId !== 'string' || !result.principalId) return true;
  if (!Array.isArray(result.policyDocument?.Statement)) return true;
  return Object.values(result.context ?? {}).some(
    (v) => !['string', 'number', 'boolean'].includes(typeof v),
  );
}

/**
 * Runs the REST authorizer and enforces its policy: the integration's
 * `requestContext.authorizer` (principal id and context) on an Allow of this method ARN, or
 * API Gateway's own answer (401, 403 explicit or implicit deny, 500).
 */
export async function authorizeRest(
  form: RestForm,
  parts: RestParts,
  limits: GatewayLimits,
  integrationDeadline: number,
): Promise<{ authorizer: Record<string, unknown>; tenant?: string } | GatewayReply> {
  const event = {
    type: 'REQUEST',
    methodArn: parts.methodArn,
    ...parts.common,
    requestContext: parts.requestContext,
  } as unknown as APIGatewayRequestAuthorizerEvent;
  const authorize = await form.authorizer();
  let result: APIGatewayAuthorizerResult;
  try {
    result = await invokeWithin(
      (context) => authorize(event, context),
      `${parts.requestContext.stage}-authorizer`,
      limits,
      integrationDeadline,
    );
  } catch (error) {
    return (error as Error).message === 'Unauthorized'
      ? REST_REPLIES.unauthorized()
      : REST_REPLIES.failure();
  }
  if (malformed(result)) return REST_REPLIES.failure();
  const tenant = result.context?.tenantId;
  const decided = typeof tenant === 'string' && tenant ? tenant : undefined;
  const verdict = evaluatePolicy(result, parts.methodArn);
  if (verdict === 'explicit-deny') return { ...REST_REPLIES.explicitDeny(), tenant: decided };
  if (verdict === 'implicit-deny') return { ...REST_REPLIES.implicitDeny(), tenant: decided };
  return { authorizer: { ...result.context, principalId: result.principalId }, tenant: decided };
}

/** The REST proxy integration's event (payload 1.0), with the authorizer's context. */
export function restProxyEvent(
  parts: RestParts,
  authorizer: Record<string, unknown>,
  body: Buffer,
): APIGatewayProxyEvent {
  return {
    ...parts.common,
    body: body.length ? body.toString('utf8') : null,
    isBase64Encoded: false,
    requestContext: { ...parts.requestContext, authorizer },
  } as unknown as APIGatewayProxyEvent;
}

/**
 * A REST API's request after routing: its authorizer's policy, then the proxy integration
 * (`integrate` runs the route's handler as the HTTP form does, under the same time limits).
 */
export async function restRequest(
  form: RestForm,
  request: RestRequest,
  body: Buffer,
  run: {
    limits: GatewayLimits;
    integrationDeadline: number;
    integrate: (event: APIGatewayProxyEventV2) => Promise<GatewayReply>;
  },
): Promise<GatewayReply> {
  const parts = restParts(form, request);
  const auth = await authorizeRest(form, parts, run.limits, run.integrationDeadline);
  if ('status' in auth) return auth;
  const event = restProxyEvent(parts, auth.authorizer, body);
  // The route's handler takes payload 1.0 here; the local server types every handler as 2.0.
  const reply = await run.integrate(event as unknown as APIGatewayProxyEventV2);
  return { ...reply, tenant: auth.tenant };
}
