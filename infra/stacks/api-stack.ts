import { CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ApiFunction } from '#infra/constructs/api-function.js';
import {
  AUTHORIZER_ENTRY,
  gatehouseLambdaAuthorizer,
} from '#infra/constructs/gatehouse-authorizer.js';
import { addMailEvents } from '#infra/constructs/mail-events.js';
import {
  addMailer,
  addMailRedrive,
  addOffboarding,
  type MailSettings,
  mailSettings,
  resolveMailerEntry,
} from '#infra/stacks/api-workers.js';
import { routeTable } from '#shared/routes/route-table.js';
import { routeKey } from '#shared/routes/route-types.js';

/** The Cognito admin calls route functions make; each is granted on the user pool only. */
/**
 * Mails per second per mailer or re-drive instance. TODO(lead, issue 15 merge): pass the stage's
 * `mail.sendRatePerSecond` (shared/config/stages.ts) once the stack receives its stage settings.
 */
const MAIL_SEND_RATE = 10;

const COGNITO_ACTIONS = [
  'cognito-idp:AdminCreateUser',
  'cognito-idp:AdminDeleteUser',
  'cognito-idp:AdminGetUser',
  'cognito-idp:AdminSetUserPassword',
  'cognito-idp:AdminUserGlobalSignOut',
];

export interface GatehouseApiStackProps extends StackProps {
  readonly table: ITable;
  readonly userPool: IUserPool;
  readonly userPoolClient: IUserPoolClient;
  /**
   * Mailer entry relative to the repository root, or null for none.
   * @default MAILER_ENTRY when that file exists at synth time
   */
  readonly mailerEntry?: string | null;
}

export class GatehouseApiStack extends Stack {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly functions: ReadonlyMap<string, ApiFunction>;
  readonly authorizerFunction: ApiFunction;
  readonly mailer: ApiFunction | undefined;
  /** Ends every session and token of a user the user pool deletes or disables. */
  readonly offboarding: ApiFunction;
  readonly mailRedrive: ApiFunction | undefined;

  constructor(scope: Construct, id: string, props: GatehouseApiStackProps) {
    super(scope, id, props);
    const { table, userPool, userPoolClient } = props;
    const mail = mailSettings(this);
    const cognitoEnv = {
      USER_POOL_ID: userPool.userPoolId,
      USER_POOL_CLIENT_ID: userPoolClient.userPoolClientId,
    };

    this.functions = this.addRouteFunctions(table, userPool, mail, cognitoEnv);
    this.authorizerFunction = new ApiFunction(this, 'Authorizer', {
      entry: AUTHORIZER_ENTRY,
      description: 'Gatehouse authorizer (internal mode)',
      environment: { ...cognitoEnv, AUTHORIZER_MODE: 'internal' },
    });
    this.authorizerFunction.bindTable(table, 'read');
    const authorizer = gatehouseLambdaAuthorizer('GatehouseAuthorizer', this.authorizerFunction.fn);

    this.api = new HttpApi(this, 'HttpApi', {
      description: 'Gatehouse v1',
      createDefaultStage: false,
    });
    this.stage = this.addStage(this.api);
    this.addRoutes(this.api, this.functions, authorizer);

    const mailerEntry = resolveMailerEntry(props.mailerEntry);
    const sending =
      mailerEntry === null ? undefined : addMailEvents(this, table).sending(MAIL_SEND_RATE);
    this.mailer =
      mailerEntry === null || !sending
        ? undefined
        : addMailer(
            this,
            mailerEntry,
            table,
            mail.sendMail(),
            mail.mailFrom,
            mail.acceptUrl,
            sending,
          );
    this.mailRedrive =
      mailerEntry === null || !sending
        ? undefined
        : addMailRedrive(this, table, mail.sendMail(), mail.mailFrom, mail.acceptUrl, sending);

    this.offboarding = addOffboarding(this, table, userPool.userPoolId);

    new CfnOutput(this, 'ApiUrl', { value: this.stage.url });
    new CfnOutput(this, 'UserPoolId', { value: userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: userPoolClient.userPoolClientId });
    new CfnOutput(this, 'TableName', { value: table.tableName });
  }

  /** One function per capability named in the route table: a new route needs no infra change. */
  private addRouteFunctions(
    table: ITable,
    userPool: IUserPool,
    mail: MailSettings,
    cognitoEnv: Record<string, string>,
  ): Map<string, ApiFunction> {
    const functions = new Map<string, ApiFunction>();
    for (const fn of new Set(routeTable.map((route) => route.fn))) {
      const apiFunction = new ApiFunction(this, `Fn-${fn}`, {
        entry: `functions/${fn}/handler.ts`,
        description: `Gatehouse ${fn} routes`,
        environment: { ...cognitoEnv, MAIL_FROM: mail.mailFrom, ACCEPT_URL: mail.acceptUrl },
      });
      apiFunction.bindTable(table, 'readWrite');
      apiFunction.addToRolePolicy(
        new PolicyStatement({ actions: COGNITO_ACTIONS, resources: [userPool.userPoolArn] }),
      );
      apiFunction.addToRolePolicy(mail.sendMail());
      functions.set(fn, apiFunction);
    }
    return functions;
  }

  /** The default stage: auto-deployed, throttled, with JSON access logs kept a month. */
  private addStage(httpApi: HttpApi): HttpStage {
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_MONTH });
    return new HttpStage(this, 'DefaultStage', {
      httpApi,
      autoDeploy: true,
      throttle: { rateLimit: 200, burstLimit: 400 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latency: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            tenantId: '$context.authorizer.tenantId',
            userId: '$context.authorizer.userId',
          }),
        ),
      },
    });
  }

  /**
   * Every route of the table on its function; tenant and authenticated routes behind the
   * authorizer, public and optional-token ones without it (their handlers check what they need).
   */
  private addRoutes(
    httpApi: HttpApi,
    functions: ReadonlyMap<string, ApiFunction>,
    authorizer: IHttpRouteAuthorizer,
  ): void {
    // One integration per function; the invoke permission covers the API instead of every route,
    // which keeps the Lambda resource policy small however many routes a function serves.
    const integrations = new Map(
      [...functions].map(([fn, apiFunction]) => [
        fn,
        new HttpLambdaIntegration(`Integration-${fn}`, apiFunction.fn, {
          scopePermissionToRoute: false,
        }),
      ]),
    );
    const none = new HttpNoneAuthorizer();
    for (const route of routeTable) {
      const integration = integrations.get(route.fn);
      if (!integration) throw new Error(`No function for route ${routeKey(route)}`);
      const guarded = route.auth.kind === 'tenant' || route.auth.kind === 'authenticated';
      const httpRoute = new HttpRoute(this, `Route ${routeKey(route)}`, {
        httpApi,
        routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
        integration,
        authorizer: guarded ? authorizer : none,
      });
      if (!guarded) {
        Validations.of(httpRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${routeKey(route)} is "${route.auth.kind}" in the route table: it needs no token (or takes an optional one) and its handler checks whatever it needs.`,
        });
      }
    }
  }
}
