/**
 * The local stand-in for API Gateway's HTTP API: turns requests into payload 2.0 events, runs
 * the real authorizer for protected routes, passes its context on, and calls the real handlers.
 * It holds no Gatehouse logic of its own.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  APIGatewayRequestAuthorizerEventV2,
  Context,
} from 'aws-lambda';
import type { SimpleAuthorizerResult } from '#shared/auth/authorizer.js';
import {
  FUNCTION_TIMEOUT_SECONDS,
  INTEGRATION_TIMEOUT_SECONDS,
} from '#shared/platform/deadline.js';

export type LambdaHttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;
export type LambdaAuthorizer = (
  event: APIGatewayRequestAuthorizerEventV2,
  context?: Context,
) => Promise<SimpleAuthorizerResult>;

/** The time limits API Gateway and Lambda put on one request (milliseconds). */
export interface GatewayLimits {
  /** A function's timeout (the infra default unless a construct sets another). */
  functionTimeoutMs: number;
  /** API Gateway's integration timeout. */
  integrationTimeoutMs: number;
}

export const AWS_LIMITS: GatewayLimits = {
  functionTimeoutMs: FUNCTION_TIMEOUT_SECONDS * 1000,
  integrationTimeoutMs: INTEGRATION_TIMEOUT_SECONDS * 1000,
};

export interface LocalRoute {
  method: string;
  path: string;
  /** Whether the API's authorizer runs before the handler. */
  authorized: boolean;
  handler: () => Promise<LambdaHttpHandler>;
}

export interface LocalApi {
  name: string;
  routes: LocalRoute[];
  authorizer?: () => Promise<LambdaAuthorizer>;
}

/** A plain page or file served beside the APIs (accept page, docs). */
export type StaticHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
) => Promise<boolean>;

interface CompiledRoute extends LocalRoute {
  api: LocalApi;
  pattern: RegExp;
  params: string[];
}

function compile(api: LocalApi, route: LocalRoute): CompiledRoute {
  const params: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      const m = /^\{([A-Za-z0-9_]+)(\+?)\}$/.exec(segment);
      if (!m) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      params.push(m[1] ?? '');
      return m[2] ? '(.+)' : '([^/]+)';
    })
    .join('/');
  return { ...route, api, pattern: new RegExp(`^${source}$`), params };
}

function lambdaContext(name: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${name}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string>) {
  res.writeHead(status, headers);
  res.end(body);
}

const gatewayMessage = (status: number, message: string) => ({
  status,
  body: JSON.stringify({ message }),
  headers: { 'content-type': 'application/json' },
});

/** A problem+json 400 naming one field, as the handlers would answer it. */
const problem = (status: number, path: string, message: string) => ({
  status,
  body: JSON.stringify({
    type: 'urn:gatehouse:problem:invalid-request',
    title: 'Invalid request',
    status,
    detail: `${path}: ${message}`,
    errors: [{ path, message }],
  }),
  headers: { 'content-type': 'application/problem+json' },
});

class LimitExceeded extends Error {
  constructor(readonly limit: 'function' | 'integration') {
    super(`${limit} timeout`);
  }
}

/**
 * Runs one Lambda invocation under the function timeout (Lambda ends it: API Gateway answers
 * 500) and what is left of the integration timeout (API Gateway gives up: 503).
 */
async function invokeWithin<T>(
  call: (context: Context) => Promise<T>,
  name: string,
  limits: GatewayLimits,
  integrationDeadline: number,
): Promise<T> {
  const integrationLeft = integrationDeadline - Date.now();
  const limit: LimitExceeded['limit'] =
    integrationLeft < limits.functionTimeoutMs ? 'integration' : 'function';
  const ms = Math.max(0, Math.min(integrationLeft, limits.functionTimeoutMs));
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LimitExceeded(limit)), ms);
  });
  try {
    return await Promise.race([call(lambdaContext(name, limits.functionTimeoutMs)), late]);
  } finally {
    clearTimeout(timer);
  }
}

function limitResponse(error: LimitExceeded) {
  process.stderr.write(
    `local server: the ${error.message} passed; answering as API Gateway does\n`,
  );
  return error.limit === 'integration'
    ? gatewayMessage(503, 'Service Unavailable')
    : gatewayMessage(500, 'Internal Server Error');
}

/** What the gateway answers: status, body and headers. */
interface Reply {
  status: number;
  body: string;
  headers: Record<string, string>;
}

interface RouteMatch {
  route: CompiledRoute;
  params: Record<string, string>;
}

/**
 * The route a request is for, with its decoded path parameters; else the gateway's own answer:
 * 404 for an unknown path, 405 for a known path with another method, 400 for a parameter that
 * is not valid percent-encoded UTF-8.
 */
function matchRoute(routes: CompiledRoute[], pathname: string, method: string): RouteMatch | Reply {
  let pathMatched = false;
  for (const route of routes) {
    const m = route.pattern.exec(pathname);
    if (!m) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    const params: Record<string, string> = {};
    let badParam: string | undefined;
    route.params.forEach((name, i) => {
      try {
        params[name] = decodeURIComponent(m[i + 1] ?? '');
      } catch {
        badParam ??= name;
      }
    });
    // A path that is not valid percent-encoded UTF-8 (`%E0%A4%A`) is the client's error.
    if (badParam !== undefined)
      return problem(400, `path.${badParam}`, 'must be valid percent-encoded UTF-8');
    return { route, params };
  }
  return gatewayMessage(pathMatched ? 405 : 404, pathMatched ? 'Method Not Allowed' : 'Not Found');
}

/** The parts of a payload 2.0 event the authorizer's and the handler's events share. */
function eventParts(req: IncomingMessage, url: URL, method: string, match: RouteMatch) {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  const routeKey = `${match.route.method} ${match.route.path}`;
  const requestContext = {
    accountId: '000000000000',
    apiId: 'local',
    domainName: '127.0.0.1',
    domainPrefix: 'local',
    http: {
      method,
      path: url.pathname,
      protocol: 'HTTP/1.1',
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      userAgent: headers['user-agent'] ?? '',
    },
    requestId: randomUUID(),
    routeKey,
    stage: '$default',
    time: new Date().toISOString(),
    timeEpoch: Date.now(),
  };
  const common = {
    version: '2.0' as const,
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: Object.keys(match.params).length ? match.params : undefined,
  };
  return { common, requestContext };
}

type EventParts = ReturnType<typeof eventParts>;

/**
 * Runs the API's authorizer as HTTP APIs do: its context for the handler's event, or the
 * gateway's answer (401 for `Unauthorized`, 403 when not authorized, 500 when it fails).
 */
async function authorizeRequest(
  match: RouteMatch,
  { common, requestContext }: EventParts,
  limits: GatewayLimits,
  integrationDeadline: number,
): Promise<{ authorizer: unknown } | Reply> {
  const { api } = match.route;
  if (!match.route.authorized || !api.authorizer) return { authorizer: undefined };
  const authorize = await api.authorizer();
  const { method, path } = requestContext.http;
  const authorizerEvent = {
    ...common,
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:local:000000000000:local/$default/${method}${path}`,
    identitySource: common.headers.authorization ? [common.headers.authorization] : [],
    cookies: [],
    requestContext,
  } as APIGatewayRequestAuthorizerEventV2;
  let result: SimpleAuthorizerResult;
  try {
    result = await invokeWithin(
      (context) => authorize(authorizerEvent, context),
      `${api.name}-authorizer`,
      limits,
      integrationDeadline,
    );
  } catch (error) {
    // An authorizer that fails or times out is a 500 in HTTP APIs; only `Unauthorized` is 401.
    return (error as Error).message === 'Unauthorized'
      ? gatewayMessage(401, 'Unauthorized')
      : gatewayMessage(500, 'Internal Server Error');
  }
  if (!result.isAuthorized) return gatewayMessage(403, 'Forbidden');
  return { authorizer: { lambda: result.context } };
}

/** Calls the route's handler with the payload 2.0 event; its result, or the timeout's answer. */
async function integrate(
  match: RouteMatch,
  event: APIGatewayProxyEventV2,
  limits: GatewayLimits,
  integrationDeadline: number,
): Promise<Reply> {
  const handler = await match.route.handler();
  let result: APIGatewayProxyStructuredResultV2;
  try {
    result = await invokeWithin(
      (context) => handler(event, context),
      match.route.api.name,
      limits,
      integrationDeadline,
    );
  } catch (error) {
    if (!(error instanceof LimitExceeded)) throw error;
    return limitResponse(error);
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k] = String(v);
  if (result.body !== undefined && !headers['content-type'])
    headers['content-type'] = 'application/json';
  return { status: result.statusCode ?? 200, body: result.body ?? '', headers };
}

/** One API request: route, body, authorizer, handler; every early answer is API Gateway's. */
async function handleApiRequest(
  routes: CompiledRoute[],
  req: IncomingMessage,
  url: URL,
  limits: GatewayLimits,
): Promise<Reply> {
  const method = (req.method ?? 'GET').toUpperCase();
  const match = matchRoute(routes, url.pathname, method);
  if ('status' in match) return match;
  // API Gateway's payload limit is 10 MB; handlers apply their own, smaller limits.
  const raw = await readBody(req, 10 * 1024 * 1024);
  if (raw === 'too-large') return gatewayMessage(413, 'Request Entity Too Large');
  const parts = eventParts(req, url, method, match);
  const integrationDeadline = Date.now() + limits.integrationTimeoutMs;
  const auth = await authorizeRequest(match, parts, limits, integrationDeadline);
  if ('status' in auth) return auth;
  const event = {
    ...parts.common,
    cookies: undefined,
    body: raw.length ? raw.toString('utf8') : undefined,
    isBase64Encoded: false,
    requestContext: { ...parts.requestContext, authorizer: auth.authorizer },
  } as unknown as APIGatewayProxyEventV2;
  return integrate(match, event, limits, integrationDeadline);
}

export function createLocalServer(
  apis: LocalApi[],
  statics: StaticHandler[] = [],
  limits: GatewayLimits = AWS_LIMITS,
): Server {
  const routes = apis.flatMap((api) => api.routes.map((r) => compile(api, r)));
  return createServer(async (req, res) => {
    let reply: Reply;
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      for (const handler of statics) {
        if (await handler(req, res, url)) return;
      }
      reply = await handleApiRequest(routes, req, url, limits);
    } catch (error) {
      process.stderr.write(`local server: ${(error as Error).stack ?? String(error)}\n`);
      reply = gatewayMessage(500, 'Internal Server Error');
    }
    send(res, reply.status, reply.body, reply.headers);
  });
}
