/** The Gatehouse Lambda authorizer as a construct that other stacks attach to their own HTTP API. */
import { Duration } from 'aws-cdk-lib';
import {
  type HttpApi,
  HttpMethod,
  type HttpRoute,
  type HttpRouteIntegration,
} from 'aws-cdk-lib/aws-apigatewayv2';
import {
  HttpLambdaAuthorizer,
  HttpLambdaResponseType,
} from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ApiFunction } from '#infra/constructs/api-function.js';
import { grantNeeds } from '#infra/constructs/function-grants.js';
import { functionNeeds } from '#shared/routes/function-needs.js';

/** Entry of the authorizer Lambda, relative to the repository root. */
export const AUTHORIZER_ENTRY = 'functions/authorizer/handler.ts';

/** Lambda environment variables share 4 KB; leave room for the others. */
const MAX_ROUTES_JSON = 3000;

export type AuthorizerAction = 'create' | 'read' | 'update' | 'delete' | 'full';

export interface AuthorizerPermission {
  /** Resource id; `{param}` placeholders are filled from path parameters. */
  readonly resource: string;
  readonly action: AuthorizerAction;
}

export interface GatehouseAuthorizerProps {
  readonly table: ITable;
  readonly userPool: IUserPool;
  readonly userPoolClient: IUserPoolClient;
  /** Path parameter that names the tenant. @default 'tenantId' */
  readonly tenantParam?: string;
  /** Route key (`GET /t/{tenantId}/apps/{name}`) -> permissions that must all hold. */
  readonly routes: Record<string, readonly AuthorizerPermission[]>;
}

/**
 * Wraps an authorizer function in Gatehouse's HTTP API authorizer settings: payload 2.0 simple
 * responses and no result caching, so a forced logout or a revoked permission is never served
 * from a cached decision and every route gets its own decision.
 *
 * The identity source is empty: with caching off API Gateway then invokes the authorizer even
 * when the Authorization header is missing, and the authorizer answers that case itself. (With
 * `$request.header.Authorization` API Gateway would reject such requests before the authorizer
 * runs, with its own body instead of our problem+json.)
 */
export function gatehouseLambdaAuthorizer(id: string, handler: IFunction): HttpLambdaAuthorizer {
  return new HttpLambdaAuthorizer(id, handler, {
    responseTypes: [HttpLambdaResponseType.SIMPLE],
    resultsCacheTtl: Duration.seconds(0),
    identitySource: [],
  });
}

interface ParsedRouteKey {
  method: HttpMethod;
  path: string;
}

const ROUTE_KEY = /^([A-Z]+) (\/\S*)$/;

function parseRouteKey(key: string): ParsedRouteKey {
  const match = ROUTE_KEY.exec(key);
  const method = match?.[1];
  const path = match?.[2];
  if (!method || !path || !Object.values<string>(HttpMethod).includes(method)) {
    throw new Error(`GatehouseAuthorizer: "${key}" is not a route key like "GET /t/{tenantId}/x"`);
  }
  return { method: method as HttpMethod, path };
}

/**
 * An external-mode Gatehouse authorizer for another HTTP API: verifies the Cognito access token,
 * resolves the tenant from `tenantParam`, applies forced logout and checks the permissions the
 * route map requires. The integration receives `{tenantId, userId, email}` as authorizer context.
 */
export class GatehouseAuthorizer extends Construct {
  readonly authorizer: HttpLambdaAuthorizer;
  readonly function: ApiFunction;
  private readonly routeKeys: ReadonlySet<string>;

  constructor(scope: Construct, id: string, props: GatehouseAuthorizerProps) {
    super(scope, id);
    const tenantParam = props.tenantParam ?? 'tenantId';
    for (const key of Object.keys(props.routes)) {
      const { path } = parseRouteKey(key);
      if (!path.includes(`{${tenantParam}}`)) {
        throw new Error(`GatehouseAuthorizer: route "${key}" has no {${tenantParam}} parameter`);
      }
    }
    const routesJson = JSON.stringify(props.routes);
    if (routesJson.length > MAX_ROUTES_JSON) {
      throw new Error(
        `GatehouseAuthorizer: the route map is ${routesJson.length} characters of JSON; Lambda environment variables allow about ${MAX_ROUTES_JSON}`,
      );
    }
    this.routeKeys = new Set(Object.keys(props.routes));

    this.function = new ApiFunction(this, 'Function', {
      entry: AUTHORIZER_ENTRY,
      description: 'Gatehouse authorizer (external mode)',
      environment: {
        AUTHORIZER_MODE: 'external',
        AUTHORIZER_ROUTES: routesJson,
        AUTHORIZER_TENANT_PARAM: tenantParam,
        USER_POOL_ID: props.userPool.userPoolId,
        USER_POOL_CLIENT_ID: props.userPoolClient.userPoolClientId,
      },
    });
    // The same needs as Gatehouse's own authorizer: table reads and a token's `lastUsedAt`.
    grantNeeds(this.function, functionNeeds('authorizer'), { table: props.table });
    this.authorizer = gatehouseLambdaAuthorizer(`${id}Authorizer`, this.function.fn);
  }

  /** Adds `routeKey` to `api` behind this authorizer; the key must be in the route map. */
  protect(api: HttpApi, routeKey: string, integration: HttpRouteIntegration): HttpRoute[] {
    if (!this.routeKeys.has(routeKey)) {
      throw new Error(
        `GatehouseAuthorizer: "${routeKey}" is not in the route map, so the authorizer would deny every request`,
      );
    }
    const { method, path } = parseRouteKey(routeKey);
    return api.addRoutes({ path, methods: [method], integration, authorizer: this.authorizer });
  }
}
