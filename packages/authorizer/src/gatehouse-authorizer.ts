/**
 * The Gatehouse Lambda authorizer as a construct that other teams attach to their own HTTP or
 * REST API: the prebuilt bundle plus the route map as one asset, its own role and log group,
 * exactly the table access it needs, and `protect` helpers that refuse unmapped routes.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import {
  AuthorizationType,
  type Integration,
  type Method,
  type MethodOptions,
  type RequestAuthorizer,
  type RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type {
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteIntegration,
} from 'aws-cdk-lib/aws-apigatewayv2';
import type { HttpLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { type IGrantable, type IPrincipal, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  Code,
  Function as LambdaFunction,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { gatehouseHttpAuthorizer, gatehouseRestAuthorizer } from './authorizer-settings.js';
import type { GatehouseStage } from './gatehouse-stage.js';
import { stageAuthorizerAsset } from './prebuilt-bundle.js';
import {
  type ParsedRouteKey,
  parseRouteKey,
  ROUTE_MAP_FILE,
  type RouteMap,
  routeMapFile,
} from './route-map.js';
import { AUTHORIZER_TABLE_ACCESS, tableAccessStatement } from './table-access.js';

export interface GatehouseAuthorizerProps {
  /** The Gatehouse stage whose table and user pool decide: `GatehouseStage.fromStage(this, 'prod')`. */
  readonly gatehouse: GatehouseStage;
  /** Route key (`GET /t/{tenantId}/apps/{appId+}`) -> permissions that must all hold. */
  readonly routes: RouteMap;
  /** Path parameter that names the tenant. @default 'tenantId' */
  readonly tenantParam?: string;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default 10 seconds */
  readonly timeout?: Duration;
  /** A directory holding another build of the bundle (`index.mjs`). @default the package's own */
  readonly bundleDirectory?: string;
}

/**
 * An external-mode Gatehouse authorizer: verifies the Cognito access token (or a Gatehouse API
 * token), resolves the tenant from `tenantParam`, applies forced logout and checks every
 * permission the route map requires. Unmapped routes are denied.
 */
export class GatehouseAuthorizer extends Construct implements IGrantable {
  readonly function: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  /** The HTTP API authorizer (payload 2.0, simple responses, no caching). */
  readonly httpAuthorizer: HttpLambdaAuthorizer;
  readonly grantPrincipal: IPrincipal;
  /** The staged asset directory: the prebuilt bundle and routes.json. */
  readonly assetDirectory: string;
  /** The validated route keys. */
  readonly routeKeys: ReadonlySet<string>;
  private readonly restAuthorizers = new Map<RestApi, RequestAuthorizer>();

  constructor(scope: Construct, id: string, props: GatehouseAuthorizerProps) {
    super(scope, id);
    const tenantParam = props.tenantParam ?? 'tenantId';
    const routeMap = routeMapFile(props.routes, tenantParam);
    this.routeKeys = new Set(Object.keys(routeMap.routes));
    const { attributes } = props.gatehouse;

    this.logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${this.node.path}`,
    });
    this.logGroup.grantWrite(this.role);
    for (const grant of AUTHORIZER_TABLE_ACCESS) {
      this.role.addToPrincipalPolicy(tableAccessStatement(attributes.tableArn, grant));
    }

    this.assetDirectory = stageAuthorizerAsset(routeMap, props.bundleDirectory);
    this.function = new LambdaFunction(this, 'Function', {
      code: Code.fromAsset(this.assetDirectory),
      handler: 'index.handler',
      description: 'Gatehouse authorizer (external mode, prebuilt)',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        AUTHORIZER_MODE: 'external',
        AUTHORIZER_ROUTES_FILE: ROUTE_MAP_FILE,
        TABLE_NAME: attributes.tableName,
        USER_POOL_ID: attributes.userPoolId,
        USER_POOL_CLIENT_IDS: props.gatehouse.appClientIdList,
      },
    });
    this.grantPrincipal = this.function.grantPrincipal;
    this.httpAuthorizer = gatehouseHttpAuthorizer(`${id}HttpAuthorizer`, this.function);

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) support no resource-level permissions, so their resource is "*".',
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x is the runtime the prebuilt Gatehouse authorizer is built and tested for.',
    });
  }

  /** Adds `routeKey` to an HTTP API behind this authorizer; the key must be in the route map. */
  protect(api: HttpApi, routeKey: string, integration: HttpRouteIntegration): HttpRoute[] {
    const { method, path } = this.mappedRoute(routeKey);
    return api.addRoutes({
      path,
      methods: [method as HttpMethod],
      integration,
      authorizer: this.httpAuthorizer,
    });
  }

  /**
   * Adds `routeKey` to a REST API behind this authorizer (its REQUEST authorizer for that API,
   * created on first use); the key must be in the route map.
   */
  protectRest(
    api: RestApi,
    routeKey: string,
    integration: Integration,
    options: Omit<MethodOptions, 'authorizer' | 'authorizationType'> = {},
  ): Method {
    const { method, path } = this.mappedRoute(routeKey);
    return api.root.resourceForPath(path).addMethod(method, integration, {
      ...options,
      authorizer: this.restAuthorizer(api),
      authorizationType: AuthorizationType.CUSTOM,
    });
  }

  /** The REST API REQUEST authorizer of `api` (caching off; see gatehouseRestAuthorizer). */
  restAuthorizer(api: RestApi): RequestAuthorizer {
    let authorizer = this.restAuthorizers.get(api);
    if (!authorizer) {
      const n = this.restAuthorizers.size;
      authorizer = gatehouseRestAuthorizer(this, `RestAuthorizer${n || ''}`, this.function);
      this.restAuthorizers.set(api, authorizer);
    }
    return authorizer;
  }

  private mappedRoute(routeKey: string): ParsedRouteKey {
    const parsed = parseRouteKey(routeKey);
    if (typeof parsed === 'string' || !this.routeKeys.has(routeKey)) {
      throw new Error(
        `GatehouseAuthorizer: "${routeKey}" is not in the route map, so the authorizer would deny every request`,
      );
    }
    return parsed;
  }
}
