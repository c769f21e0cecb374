/**
 * The local stand-in for API Gateway's HTTP API: turns requests into payload 2.0 events, runs
 * the real authorizer for protected routes, passes its context on, and calls the real handlers.
 * It holds no Gatehouse logic of its own.
 */
import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  maxHeaderSize,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Duplex } from 'node:stream';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  APIGatewayRequestAuthorizerEventV2,
  Context,
} from 'aws-lambda';
import type { SimpleAuthorizerResult } from '#shared/auth/authorizer.js';
import type { ExternalAuthorizerResult } from '#shared/auth/external-context.js';
import { problemResponse } from '#shared/http/problem.js';
import { pathMatcher } from '#shared/routes/path-matcher.js';
import { type CorsSettings, preflightHeaders, withCorsHeaders } from './cors.js';
import {
  AWS_LIMITS,
  type GatewayLimits,
  invokeWithin,
  LimitExceeded,
  requestHeaders,
} from './lambda-invoke.js';
import type { RequestLogEntry } from './request-log.js';
import { type RestForm, restRequest } from './rest-gateway.js';

export { AWS_LIMITS, type GatewayLimits };
export type LambdaHttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;
export type LambdaAuthorizer = (
  event: APIGatewayRequestAuthorizerEventV2,
  context?: Context,
) => Promise<SimpleAuthorizerResult | ExternalAuthorizerResult>;

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
  /** Served as a REST API instead: under `/{stage}`, route paths as its resources. */
  rest?: RestForm;
}

/** A plain page or file served beside the APIs (accept page, docs). */
export type StaticHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
) => Promise<boolean>;

/** A route of one of the APIs the server serves. */
interface ApiRoute extends LocalRoute {
  api: LocalApi;
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

function limitResponse(error: LimitExceeded) {
  process.stderr.write(
    `local server: the ${error.message} passed; answering as API Gateway does\n`,
  );
  return error.limit === 'integration'
    ? gatewayMessage(503, 'Service Unavailable')
    : gatewayMessage(500, 'Internal Server Error');
}

/** What the gateway answers: status, body and headers (and the tenant decided, for the log). */
interface Reply {
  status: number;
  body: string;
  headers: Record<string, string>;
  tenant?: string;
}

interface RouteMatch {
  route: ApiRoute;
  params: Record<string, string>;
}

type Matcher = ReturnType<typeof pathMatcher<ApiRoute>>;

/**
 * The route a request is for, with its decoded path parameters; `unmatched` for an unknown path
 * or method (the `$default` route's), or a 400 for a parameter that is not valid
 * percent-encoded UTF-8.
 */
function matchRoute(
  match: Matcher,
  pathname: string,
  method: string,
): RouteMatch | Reply | 'unmatched' {
  const found = match(pathname, method);
  if (found.kind !== 'route') return 'unmatched';
  const params: Record<string, string> = {};
  let badParam: string | undefined;
  for (const [name, raw] of Object.entries(found.raw)) {
    try {
      params[name] = decodeURIComponent(raw);
    } catch {
      badParam ??= name;
    }
  }
  // A path that is not valid percent-encoded UTF-8 (`%E0%A4%A`) is the client's error.
  if (badParam !== undefined)
    return problem(400, `path.${badParam}`, 'must be valid percent-encoded UTF-8');
  return { route: found.route, params };
}

/** The `$default` route as a match: the fallback function, no authorizer, no parameters. */
function defaultRoute(handler: () => Promise<LambdaHttpHandler>, method: string): RouteMatch {
  const api: LocalApi = { name: 'gatehouse-default', routes: [] };
  return { route: { api, method, path: '$default', authorized: false, handler }, params: {} };
}

/** The parts of a payload 2.0 event the authorizer's and the handler's events share. */
function eventParts(req: IncomingMessage, url: URL, method: string, match: RouteMatch) {
  const headers = requestHeaders(req);
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  const { path } = match.route;
  const routeKey = path === '$default' ? path : `${match.route.method} ${path}`;
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
): Promise<{ authorizer: unknown; tenant?: string } | Reply> {
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
  let result: SimpleAuthorizerResult | ExternalAuthorizerResult;
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
  const tenant = (result.context as { tenantId?: unknown } | undefined)?.tenantId;
  const decided = typeof tenant === 'string' && tenant ? tenant : undefined;
  if (!result.isAuthorized) return { ...gatewayMessage(403, 'Forbidden'), tenant: decided };
  return { authorizer: { lambda: result.context }, tenant: decided };
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

/** What the local server does besides routing (each optional). */
export interface LocalServerOptions {
  /** Pages and files served before the APIs (accept page, docs). */
  statics?: StaticHandler[];
  /** Time limits of the local API Gateway (default: AWS's). */
  limits?: GatewayLimits;
  /** The HTTP API's CORS settings; none: no preflight answers and no CORS headers. */
  cors?: CorsSettings;
  /** The `$default` route's function; without it the gateway's own 404/405 answer. */
  fallback?: () => Promise<LambdaHttpHandler>;
  /** Called once per answered request (`npm start` prints it). */
  onRequest?: (entry: RequestLogEntry) => void;
}

/** One API request: route, body, authorizer, handler; every early answer is API Gateway's. */
async function handleApiRequest(
  match: Matcher,
  req: IncomingMessage,
  url: URL,
  options: LocalServerOptions,
): Promise<Reply> {
  const limits = options.limits ?? AWS_LIMITS;
  const method = (req.method ?? 'GET').toUpperCase();
  let matched = matchRoute(match, url.pathname, method);
  if (matched === 'unmatched') {
    if (!options.fallback) return gatewayMessage(404, 'Not Found');
    matched = defaultRoute(options.fallback, method);
  }
  if ('status' in matched) return matched;
  // API Gateway's payload limit is 10 MB; handlers apply their own, smaller limits.
  const raw = await readBody(req, 10 * 1024 * 1024);
  if (raw === 'too-large') return gatewayMessage(413, 'Request Entity Too Large');
  const integrationDeadline = Date.now() + limits.integrationTimeoutMs;
  const { rest } = matched.route.api;
  if (rest) {
    const request = { req, url, method, path: matched.route.path, params: matched.params };
    return restRequest(rest, request, raw, {
      limits,
      integrationDeadline,
      integrate: (event) => integrate(matched, event, limits, integrationDeadline),
    });
  }
  const parts = eventParts(req, url, method, matched);
  const auth = await authorizeRequest(matched, parts, limits, integrationDeadline);
  if ('status' in auth) return auth;
  const event = {
    ...parts.common,
    cookies: undefined,
    body: raw.length ? raw.toString('utf8') : undefined,
    isBase64Encoded: false,
    requestContext: { ...parts.requestContext, authorizer: auth.authorizer },
  } as unknown as APIGatewayProxyEventV2;
  const reply = await integrate(matched, event, limits, integrationDeadline);
  return { ...reply, tenant: auth.tenant };
}

/**
 * Node refuses a request whose headers pass its limit before any handler runs; answer that
 * as problem+json 431 too (API Gateway's own limit is lower: 10 KiB of request line and headers).
 */
function headerOverflow(onRequest: LocalServerOptions['onRequest']) {
  return (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable) return void socket.destroy();
    if (error.code !== 'HPE_HEADER_OVERFLOW') {
      return void socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    }
    const body = problemResponse(
      431,
      'Request header fields too large',
      `The request line and headers exceed ${maxHeaderSize} bytes.`,
    ).body as string;
    socket.end(
      [
        'HTTP/1.1 431 Request Header Fields Too Large',
        'content-type: application/problem+json',
        `content-length: ${Buffer.byteLength(body)}`,
        'connection: close',
        '',
        body,
      ].join('\r\n'),
    );
    onRequest?.({ method: '-', path: '-', status: 431, ms: 0 });
  };
}

/** A CORS preflight: an OPTIONS request a browser sends before a cross-origin call. */
function isPreflight(req: IncomingMessage): boolean {
  return req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
}

export function createLocalServer(apis: LocalApi[], options: LocalServerOptions = {}): Server {
  const mount = (api: LocalApi, r: LocalRoute) =>
    api.rest ? { ...r, api, path: `/${api.rest.stage}${r.path}` } : { ...r, api };
  const match = pathMatcher(apis.flatMap((api) => api.routes.map((r) => mount(api, r))));
  const server = createServer(async (req, res) => {
    const started = performance.now();
    let tenant: string | undefined;
    const url = URL.parse(req.url ?? '/', 'http://127.0.0.1') ?? new URL('http://127.0.0.1/');
    res.once('finish', () => {
      const method = req.method ?? 'GET';
      const ms = performance.now() - started;
      options.onRequest?.({ method, path: url.pathname, status: res.statusCode, ms, tenant });
    });
    const origin = req.headers.origin;
    if (options.cors && isPreflight(req)) {
      return send(res, 204, '', preflightHeaders(options.cors, origin));
    }
    let reply: Reply;
    try {
      for (const handler of options.statics ?? []) {
        if (await handler(req, res, url)) return;
      }
      reply = await handleApiRequest(match, req, url, options);
    } catch (error) {
      process.stderr.write(`local server: ${(error as Error).stack ?? String(error)}\n`);
      reply = gatewayMessage(500, 'Internal Server Error');
    }
    tenant = reply.tenant;
    const headers = options.cors
      ? withCorsHeaders(options.cors, origin, reply.headers)
      : reply.headers;
    send(res, reply.status, reply.body, headers);
  });
  server.on('clientError', headerOverflow(options.onRequest));
  return server;
}
