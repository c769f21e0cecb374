import { CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  ApiMapping,
  DomainName,
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
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { gatehouseHttpAuthorizer } from '#authorizer/authorizer-settings.js';
import { ApiFunction } from '#infra/constructs/api-function.js';
import { corsPreflight } from '#infra/constructs/cors.js';
import { type GrantTargets, grantNeeds } from '#infra/constructs/function-grants.js';
import { addMailEvents, type MailEvents } from '#infra/constructs/mail-events.js';
import { Operations } from '#infra/constructs/operations.js';
import {
  addMailer,
  addMailRedrive,
  addOffboarding,
  mailSettings,
  resolveMailerEntry,
} from '#infra/stacks/api-workers.js';
import type { StageSettings } from '#shared/config/stages.js';
import { functionNeeds } from '#shared/routes/function-needs.js';
import { routeTable } from '#shared/routes/route-table.js';
import { routeKey } from '#shared/routes/route-types.js';

/** Entry of the authorizer Lambda (internal mode here; packages/authorizer prebuilds it for others). */
export const AUTHORIZER_ENTRY = 'functions/authorizer/handler.ts';

/** Entry of the `$default` route: anything no route matches answers problem+json. */
export const FALLBACK_ENTRY = 'functions/fallback/handler.ts';

export interface GatehouseApiStackProps extends StackProps {
  /** The stage's settings (shared/config/stages.ts): mail, origins, domain, throttles. */
  readonly settings: StageSettings;
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
  /** SES bounces and complaints: configuration set, rule, function, dead-letter queue. */
  readonly mailEvents: MailEvents | undefined;
  /** Serves the `$default` route. */
  readonly fallback: ApiFunction;
  /** Alarms, the alarm topic and the dashboard. */
  readonly operations: Operations;

  constructor(scope: Construct, id: string, props: GatehouseApiStackProps) {
    super(scope, id, props);
    const { settings, table, userPool, userPoolClient } = props;
    const mail = mailSettings(this, settings.mail);
    const targets: GrantTargets = { table, userPool, sesIdentityArn: mail.sesIdentityArn };
    const cognitoEnv = {
      USER_POOL_ID: userPool.userPoolId,
      USER_POOL_CLIENT_ID: userPoolClient.userPoolClientId,
    };

    this.functions = this.addRouteFunctions(targets, cognitoEnv);
    this.authorizerFunction = new ApiFunction(this, 'Authorizer', {
      entry: AUTHORIZER_ENTRY,
      description: 'Gatehouse authorizer (internal mode)',
      environment: { ...cognitoEnv, AUTHORIZER_MODE: 'internal' },
    });
    grantNeeds(this.authorizerFunction, functionNeeds('authorizer'), targets);
    const authorizer = gatehouseHttpAuthorizer('GatehouseAuthorizer', this.authorizerFunction.fn);
    this.fallback = new ApiFunction(this, 'Fallback', {
      entry: FALLBACK_ENTRY,
      description: 'Gatehouse $default route (no route matched)',
    });
    grantNeeds(this.fallback, functionNeeds('fallback'), targets);

    this.api = new HttpApi(this, 'HttpApi', {
      description: `Gatehouse v1 (${settings.stage})`,
      createDefaultStage: false,
      ...(settings.allowedOrigins.length
        ? { corsPreflight: corsPreflight(settings.allowedOrigins) }
        : {}),
    });
    this.stage = this.addStage(this.api, settings.throttle);
    this.addRoutes(this.api, this.functions, authorizer);
    this.addDefaultRoute(this.api, this.fallback);
    if (settings.domain) this.addDomain(this.api, this.stage, settings.domain);

    const mailerEntry = resolveMailerEntry(props.mailerEntry);
    this.mailEvents = mailerEntry === null ? undefined : addMailEvents(this, table);
    const sending = this.mailEvents?.sending(settings.mail.sendRatePerSecond);
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
    this.operations = this.addOperations(settings, table);

    new CfnOutput(this, 'ApiUrl', { value: this.stage.url });
    new CfnOutput(this, 'UserPoolId', { value: userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: userPoolClient.userPoolClientId });
    new CfnOutput(this, 'TableName', { value: table.tableName });
  }

  /**
   * Alarms, their topic and the dashboard over every function, dead-letter queue, the mailer's
   * stream, the API and the table (infra/constructs/operations.ts).
   */
  private addOperations(settings: StageSettings, table: ITable): Operations {
    const workers: [string, ApiFunction | undefined][] = [
      ['fallback', this.fallback],
      ['mailer', this.mailer],
      ['mailRedrive', this.mailRedrive],
      ['offboarding', this.offboarding],
      ['mailEvents', this.mailEvents?.fn],
    ];
    const functions = Object.fromEntries(
      [...this.functions, ...workers].flatMap(([name, f]) => (f ? [[name, f.fn]] : [])),
    );
    // The workers' dead-letter queues, by the ids api-workers.ts and mail-events.ts give them.
    const deadLetterQueues = Object.fromEntries(
      ['MailerDeadLetters', 'OffboardingDeadLetters', 'MailEventsDeadLetters'].flatMap((id) => {
        const queue = this.node.tryFindChild(id);
        return queue instanceof Queue ? [[id.replace('DeadLetters', ''), queue]] : [];
      }),
    );
    return new Operations(this, 'Operations', {
      stage: settings.stage,
      alarmEmail: settings.alarmEmail,
      functions,
      authorizer: this.authorizerFunction.fn,
      deadLetterQueues,
      ...(this.mailer ? { streamConsumers: { mailer: this.mailer.fn } } : {}),
      api: this.api,
      table,
    });
  }

  /**
   * One function per capability named in the route table (a new route needs no infra change),
   * each granted exactly its declared needs (shared/routes/function-needs.ts).
   */
  private addRouteFunctions(
    targets: GrantTargets,
    cognitoEnv: Record<string, string>,
  ): Map<string, ApiFunction> {
    const functions = new Map<string, ApiFunction>();
    for (const fn of new Set(routeTable.map((route) => route.fn))) {
      const apiFunction = new ApiFunction(this, `Fn-${fn}`, {
        entry: `functions/${fn}/handler.ts`,
        description: `Gatehouse ${fn} routes`,
        environment: cognitoEnv,
      });
      grantNeeds(apiFunction, functionNeeds(fn), targets);
      functions.set(fn, apiFunction);
    }
    return functions;
  }

  /** The default stage: auto-deployed, throttled per stage, with JSON access logs kept a month. */
  private addStage(httpApi: HttpApi, throttle: StageSettings['throttle']): HttpStage {
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_MONTH });
    return new HttpStage(this, 'DefaultStage', {
      httpApi,
      autoDeploy: true,
      throttle: { rateLimit: throttle.rateLimit, burstLimit: throttle.burstLimit },
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

  /**
   * `$default` catches what no route matches (unknown path or method), with no authorizer, so it
   * answers the fallback function's problem+json 404 instead of API Gateway's bare message.
   */
  private addDefaultRoute(httpApi: HttpApi, fallback: ApiFunction): void {
    const route = new HttpRoute(this, 'Route $default', {
      httpApi,
      routeKey: HttpRouteKey.DEFAULT,
      integration: new HttpLambdaIntegration('Integration-fallback', fallback.fn, {
        scopePermissionToRoute: false,
      }),
      authorizer: new HttpNoneAuthorizer(),
    });
    Validations.of(route).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        '$default only answers that no route matches: its function reads nothing and needs no grant.',
    });
  }

  /** The stage's custom domain: the regional domain name, mapped to this API's stage. */
  private addDomain(
    api: HttpApi,
    stage: HttpStage,
    domain: NonNullable<StageSettings['domain']>,
  ): void {
    const domainName = new DomainName(this, 'Domain', {
      domainName: domain.name,
      certificate: Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn),
    });
    new ApiMapping(this, 'DomainMapping', { api, domainName, stage });
    // Point the domain's DNS record (CNAME or alias) at this name.
    new CfnOutput(this, 'DomainTarget', { value: domainName.regionalDomainName });
  }
}
