/**
 * The common handler path of every API function, built once: the Lambda context, request id,
 * route and tenant in every log line, header normalization, the authorizer's
 * decision (fail closed), strict input validation, one domain call, problem+json errors (domain
 * errors by status; anything else a generic 500), and the invocation's metrics flushed.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type * as z from 'zod/mini';
import type { Caller } from '#shared/app/context.js';
import { withRequestCredential } from '#shared/audit/request-credential.js';
import { parseInput } from '#shared/common/validation.js';
import {
  ForbiddenError,
  InvalidError,
  NotFoundError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
} from '#shared/errors/domain-errors.js';
import { type AuthorizerContext, readAuthorizerContext } from '#shared/http/authorizer-context.js';
import { errorToProblem } from '#shared/http/problem.js';
import { logger } from '#shared/observability/logger.js';
import { flushMetrics, recordUnknownItemFormat } from '#shared/observability/metrics.js';
import { lambdaDeadline, withDeadline } from '#shared/platform/deadline.js';
import { unavailable } from '#shared/platform/dependency-guard.js';
import type { ApiRoute } from '#shared/routes/route-table.js';
import {
  type ApiFunctionName,
  type RouteDefinition,
  routeKey,
} from '#shared/routes/route-types.js';
import { UnknownItemFormatError } from '#shared/store/records/item-format.js';

/** Maximum accepted request body, in bytes. */
export const MAX_BODY_BYTES = 256 * 1024;

/** What route `R`'s `query` or `body` schema parses to; `undefined` when `R` declares none. */
type Parsed<R, K extends 'query' | 'body'> = R extends { [P in K]?: infer S }
  ? S extends z.core.$ZodType
    ? z.infer<S>
    : undefined
  : undefined;

/** The input of the operation serving route `R`, parsed by `R`'s own schemas before the call. */
export interface OperationInput<R extends RouteDefinition = RouteDefinition> {
  params: z.infer<R['params']>;
  query: Parsed<R, 'query'>;
  body: Parsed<R, 'body'>;
  /** The authenticated caller; undefined only on public or optional-auth routes without a token. */
  caller: Caller | undefined;
  headers: Record<string, string | undefined>;
  route: RouteDefinition;
}

/** A handler result with an explicit status or headers; plain values use the route's status. */
export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Operation<R extends RouteDefinition = RouteDefinition> = (
  input: OperationInput<R>,
) => Promise<unknown>;

/** The operations of function `F`: exactly one per route of `F` in the table, keyed by route id. */
export type Operations<F extends ApiFunctionName> = {
  [Id in Extract<ApiRoute, { fn: F }>['id']]: Operation<Extract<ApiRoute, { id: Id }>>;
};

export function httpResult(
  status: number,
  body?: unknown,
  headers?: Record<string, string>,
): HttpResult {
  return Object.assign(Object.create(httpResultProto), { status, body, headers });
}
const httpResultProto = {};
function isHttpResult(v: unknown): v is HttpResult {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === httpResultProto;
}

/** The caller of an authenticated route; throws when the route was public. */
export function requireCaller(input: Pick<OperationInput, 'caller'>): Caller {
  if (!input.caller) throw new UnauthorizedError('A bearer token is required');
  return input.caller;
}

function callerFor(event: APIGatewayProxyEventV2, route: RouteDefinition): Caller | undefined {
  if (route.auth.kind === 'public') return undefined;
  const ctx = readAuthorizerContext(
    (event.requestContext as { authorizer?: unknown } | undefined)?.authorizer,
  );
  if (route.auth.kind === 'optional') {
    return ctx?.decision === 'allow' ? callerOf(ctx) : undefined;
  }
  if (!ctx || ctx.decision === 'unauthenticated') {
    const why = ctx?.reason ? ` (${ctx.reason})` : '';
    throw new UnauthorizedError(`A valid bearer access token is required${why}`);
  }
  // The authorizer could not reach what it needed: nothing was decided, so retry later (503).
  if (ctx.decision === 'unavailable') throw unavailable('Authorization');
  if (ctx.decision === 'not-member') throw new NotFoundError('Tenant not found');
  if (ctx.decision === 'forbidden' || ctx.decision === 'unknown-item-format') {
    throw new ForbiddenError(ctx.reason || 'Permission denied');
  }
  if (ctx.decision !== 'allow') throw new ForbiddenError('Permission denied');
  if (route.auth.kind === 'tenant') {
    const tenant = event.pathParameters?.[route.auth.tenantParam];
    if (!tenant || ctx.tenantId !== tenant) throw new ForbiddenError('Permission denied');
  }
  return callerOf(ctx);
}

function callerOf(ctx: AuthorizerContext): Caller {
  return {
    userId: ctx.userId,
    email: ctx.email,
    ...(ctx.authTime === undefined ? {} : { authTime: ctx.authTime }),
    ...(ctx.credential === undefined ? {} : { credential: ctx.credential }),
    ...(ctx.tokenId === undefined ? {} : { tokenId: ctx.tokenId }),
    ...(ctx.policyVersion === undefined ? {} : { policyVersion: ctx.policyVersion }),
  };
}

/** Longest path parameter accepted (an email is at most 254, a resource id 256). */
export const MAX_PATH_PARAM_LENGTH = 320;

/** Every path parameter is non-empty and short enough to be part of a key: else 400 naming it. */
function checkPathParams(event: APIGatewayProxyEventV2): Record<string, string> {
  const params = (event.pathParameters ?? {}) as Record<string, string>;
  for (const [name, value] of Object.entries(params)) {
    if (!value || value.length > MAX_PATH_PARAM_LENGTH) {
      throw new InvalidError(`path.${name}: must be 1-${MAX_PATH_PARAM_LENGTH} characters`, [
        { path: `path.${name}`, message: `must be 1-${MAX_PATH_PARAM_LENGTH} characters` },
      ]);
    }
  }
  return params;
}

/**
 * A body is read only when it says it is JSON: `application/json` or a `+json` type, in UTF-8.
 * Anything else, a missing Content-Type included (curl's `-d` alone sends a form type), is a
 * 415 problem naming `header.content-type`, never a body parsed as JSON regardless.
 */
function assertJsonContentType(header: string | undefined): void {
  const [type = '', ...params] = (header ?? '').split(';').map((p) => p.trim().toLowerCase());
  const json = type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type);
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length);
  const utf8 = charset === undefined || charset === 'utf-8' || charset === '"utf-8"';
  if (json && utf8) return;
  const message = 'must be application/json (UTF-8)';
  throw new UnsupportedMediaTypeError(
    header ? `Content-Type ${header} is not supported: send JSON` : 'Content-Type is missing',
    { extra: { errors: [{ path: 'header.content-type', message }] } },
  );
}

function parseBody(event: APIGatewayProxyEventV2, route: RouteDefinition): unknown {
  const raw = event.body
    ? event.isBase64Encoded
      ? Buffer.from(event.body, 'base64').toString('utf8')
      : event.body
    : '';
  if (!route.body) {
    // No mass assignment through a body the route ignores: only nothing or `{}` is accepted.
    const trimmed = raw.trim();
    if (trimmed === '' || /^\{\s*\}$/.test(trimmed)) return undefined;
    throw new InvalidError('This route takes no request body', [
      { path: 'body', message: 'must be empty' },
    ]);
  }
  if (raw.trim() !== '') assertJsonContentType(event.headers?.['content-type']);
  if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) {
    throw new InvalidError('The request body is too large', [
      { path: 'body', message: `must be at most ${MAX_BODY_BYTES} bytes` },
    ]);
  }
  let json: unknown;
  try {
    json = raw === '' ? {} : JSON.parse(raw);
  } catch {
    throw new InvalidError('The request body is not valid JSON', [
      { path: 'body', message: 'must be valid JSON' },
    ]);
  }
  return parseInput(route.body, json, 'body');
}

function toResponse(route: RouteDefinition, result: unknown): APIGatewayProxyStructuredResultV2 {
  const { status, body, headers } = isHttpResult(result)
    ? result
    : { status: route.status, body: result, headers: undefined };
  if (status === 204 || body === undefined) return { statusCode: status, headers };
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

/**
 * Builds the Lambda handler of one API function from its operations, keyed by route id, over
 * `routes`: the route file that declares them (e.g. `inviteRoutes`), not the whole table, so a
 * function's bundle carries only its own routes and their schemas. The types refuse a missing or
 * unknown route id against the whole table (a type-only import); the cold start refuses an
 * operation whose route `routes` does not declare for `fn`, so every route the table gives `fn`
 * is served.
 */
export function apiHandler<F extends ApiFunctionName>(
  fn: F,
  routes: readonly RouteDefinition[],
  operations: Operations<F>,
) {
  // Sound: each operation is called only with the input parsed by its own route's schemas.
  const byId = operations as unknown as Partial<Record<string, Operation>>;
  const own = routes.filter((r) => r.fn === fn);
  const declared: string[] = own.map((r) => r.id);
  const missing = declared.filter((id) => !byId[id]);
  const extra = Object.keys(byId).filter((id) => !declared.includes(id));
  if (missing.length || extra.length) {
    throw new Error(
      `Function '${fn}' does not match its routes (missing: ${missing.join(', ')}; undeclared: ${extra.join(', ')})`,
    );
  }
  const byKey = new Map(own.map((r) => [routeKey(r), r]));
  const findRoute = (key: string): RouteDefinition | undefined => byKey.get(key);

  // Every dependency call of the request ends before the function's own timeout.
  const base = (
    event: APIGatewayProxyEventV2,
    context: Context | undefined,
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    const deadline = lambdaDeadline(context);
    return deadline === undefined ? handle(event) : withDeadline(deadline, () => handle(event));
  };

  const handle = async (
    event: APIGatewayProxyEventV2,
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    const route = findRoute(event.routeKey);
    const operation = route && byId[route.id];
    if (!route || !operation) throw new NotFoundError(`No route ${event.routeKey}`);
    const caller = callerFor(event, route);
    const params = parseInput(route.params, checkPathParams(event), 'path');
    const query = route.query
      ? parseInput(route.query, event.queryStringParameters ?? {}, 'query')
      : undefined;
    const body = parseBody(event, route);
    const credential = caller?.credential
      ? { credential: caller.credential, ...(caller.tokenId ? { tokenId: caller.tokenId } : {}) }
      : undefined;
    const result = await withRequestCredential(credential, () =>
      operation({ body, query, params, caller, headers: event.headers ?? {}, route }),
    );
    return toResponse(route, result);
  };

  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>(base)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(requestLogKeys(findRoute))
    .use(metricsFlush())
    .use(httpHeaderNormalizer())
    .use({
      onError: async (request) => {
        const response = errorToProblem(request.error);
        if (request.error instanceof UnknownItemFormatError) {
          // Counted as the authorizer counts its own (the alarm unknown-item-format pages).
          recordUnknownItemFormat(request.error.kind);
          logger.error('Item of a format this version does not know', {
            routeKey: request.event.routeKey,
            kind: request.error.kind,
            error: request.error,
          });
        } else if (response.statusCode === 500) {
          logger.error('Unhandled error', {
            routeKey: request.event.routeKey,
            error: request.error as Error,
          });
        } else if (response.statusCode === 503) {
          logger.warn('Dependency unavailable', {
            routeKey: request.event.routeKey,
            error: request.error as Error,
          });
        }
        request.response = response;
      },
    });
}

/**
 * Log keys of the request: API Gateway's request id as the correlation id (the access log and
 * the authorizer's lines carry the same id), the route, and the tenant when the path names one.
 */
function requestLogKeys(
  findRoute: (key: string) => RouteDefinition | undefined,
): MiddlewareObj<APIGatewayProxyEventV2> {
  return {
    before: ({ event }) => {
      const requestId = event.requestContext?.requestId;
      if (requestId) logger.setCorrelationId(requestId);
      const route = findRoute(event.routeKey);
      const tenantId =
        route?.auth.kind === 'tenant' ? event.pathParameters?.[route.auth.tenantParam] : undefined;
      logger.appendKeys({ routeKey: event.routeKey, ...(tenantId ? { tenantId } : {}) });
    },
  };
}

/** Writes the invocation's metrics after the response, or after the error became one. */
function metricsFlush(): MiddlewareObj {
  return { after: flushMetrics, onError: flushMetrics };
}
