/** The stateless stack: one Lambda per route-table function, the HTTP API, its authorizer and the invite mailer. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  CfnCondition,
  CfnOutput,
  CfnParameter,
  Duration,
  Fn,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
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
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ApiFunction, PROJECT_ROOT } from '#infra/constructs/api-function.js';
import {
  AUTHORIZER_ENTRY,
  gatehouseLambdaAuthorizer,
} from '#infra/constructs/gatehouse-authorizer.js';
import { OUTBOX_TYPES } from '#shared/invites/invite-delivery.js';
import { routeTable } from '#shared/routes/route-table.js';
import { routeKey } from '#shared/routes/route-types.js';
import { OFFBOARDING_EVENTS } from '#shared/sessions/offboarding.js';

/** Entry of the stream consumer that sends invite emails (deployed once it exists). */
export const MAILER_ENTRY = 'functions/mailer/handler.ts';
export const OFFBOARDING_ENTRY = 'functions/offboarding/handler.ts';

/** Entry of the scheduled outbox re-drive (retries failed mail, expires dead mail). */
export const MAIL_REDRIVE_ENTRY = 'functions/mail-redrive/handler.ts';

/** How often the re-drive runs: the first retry of a failed mail is due after about a minute. */
export const MAIL_REDRIVE_RATE = Duration.minutes(1);

/** What the re-drive does to the table: read due and dead items, claim, update, delete. */
const REDRIVE_TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
];

/** The Cognito admin calls route functions make; each is granted on the user pool only. */
const COGNITO_ACTIONS = [
  'cognito-idp:AdminCreateUser',
  'cognito-idp:AdminDeleteUser',
  'cognito-idp:AdminGetUser',
  'cognito-idp:AdminSetUserPassword',
  'cognito-idp:AdminUserGlobalSignOut',
];

const SES_ACTIONS = ['ses:SendEmail', 'ses:SendRawEmail'];

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

/** The deploy-time mail settings every mail-sending function shares. */
interface MailSettings {
  mailFrom: string;
  acceptUrl: string;
  /** A fresh grant of SES sending through the configured identity (one per function). */
  sendMail: () => PolicyStatement;
}

/** The mailer entry to deploy: the one given, else MAILER_ENTRY when it exists; null for none. */
function resolveMailerEntry(entry: string | null | undefined): string | null {
  if (entry !== undefined) return entry;
  return existsSync(join(PROJECT_ROOT, MAILER_ENTRY)) ? MAILER_ENTRY : null;
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
    const mail = this.mailSettings();
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
    this.mailer =
      mailerEntry === null
        ? undefined
        : this.addMailer(mailerEntry, table, mail.sendMail(), mail.mailFrom, mail.acceptUrl);
    this.mailRedrive =
      mailerEntry === null
        ? undefined
        : this.addMailRedrive(table, mail.sendMail(), mail.mailFrom, mail.acceptUrl);

    this.offboarding = this.addOffboarding(table, userPool.userPoolId);

    new CfnOutput(this, 'ApiUrl', { value: this.stage.url });
    new CfnOutput(this, 'UserPoolId', { value: userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: userPoolClient.userPoolClientId });
    new CfnOutput(this, 'TableName', { value: table.tableName });
  }

  /**
   * The deploy-time mail parameters: the SES identity invites are sent through, the sender
   * (the identity itself when `MailFrom` is empty) and the accept page the emails link to.
   */
  private mailSettings(): MailSettings {
    const sesIdentity = new CfnParameter(this, 'SesIdentity', {
      type: 'String',
      minLength: 3,
      description:
        'Verified SES identity invites are sent through: a domain (example.com) or an email address.',
    });
    const mailFromParam = new CfnParameter(this, 'MailFrom', {
      type: 'String',
      default: '',
      description:
        'Sender address (e.g. no-reply@example.com); leave empty when SesIdentity is itself an email address.',
    });
    const acceptUrl = new CfnParameter(this, 'AcceptUrl', {
      type: 'String',
      allowedPattern: '^https://\\S+$',
      description: 'The invite accept page; emails link to <AcceptUrl>?token=<token>.',
    });
    const noMailFrom = new CfnCondition(this, 'MailFromEmpty', {
      expression: Fn.conditionEquals(mailFromParam.valueAsString, ''),
    });
    const mailFrom = Fn.conditionIf(
      noMailFrom.logicalId,
      sesIdentity.valueAsString,
      mailFromParam.valueAsString,
    ).toString();
    const sesIdentityArn = this.formatArn({
      service: 'ses',
      resource: 'identity',
      resourceName: sesIdentity.valueAsString,
    });
    return {
      mailFrom,
      acceptUrl: acceptUrl.valueAsString,
      sendMail: () => new PolicyStatement({ actions: SES_ACTIONS, resources: [sesIdentityArn] }),
    };
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

  /**
   * Offboarding (rule 13): the user pool's AdminDeleteUser, AdminDisableUser and DeleteUser calls
   * reach EventBridge as CloudTrail management events (recorded by default, no trail needed for
   * EventBridge); this rule hands them to a function that stamps the user's sessions. Retried by
   * EventBridge, then kept in a dead-letter queue for an operator.
   */
  private addOffboarding(table: ITable, userPoolId: string): ApiFunction {
    const fn = new ApiFunction(this, 'Offboarding', {
      entry: OFFBOARDING_ENTRY,
      description: 'Gatehouse offboarding: user-pool deletions end sessions and tokens',
      environment: { USER_POOL_ID: userPoolId },
    });
    // It writes one item, the user's sign-out stamp (`USER#<sub>` / `SESSIONS`): nothing else.
    fn.fn.addEnvironment('TABLE_NAME', table.tableName);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:UpdateItem'],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['USER#*'] } },
      }),
    );
    const deadLetters = new Queue(this, 'OffboardingDeadLetters', {
      enforceSSL: true,
      encryption: QueueEncryption.SQS_MANAGED,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter destination of the offboarding rule.',
    });
    // A failing handler (Lambda's own async retries) and an undeliverable event (EventBridge's
    // retries) both end in the same queue.
    fn.fn.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(deadLetters),
    });
    new Rule(this, 'OffboardingRule', {
      description: 'User-pool deletions and disables end the person sessions and tokens',
      eventPattern: {
        source: ['aws.cognito-idp'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['cognito-idp.amazonaws.com'],
          eventName: [...OFFBOARDING_EVENTS],
          requestParameters: { userPoolId: [userPoolId] },
        },
      },
      targets: [
        new LambdaFunction(fn.fn, {
          deadLetterQueue: deadLetters,
          retryAttempts: 8,
          maxEventAge: Duration.hours(6),
        }),
      ],
    });
    return fn;
  }

  /** The outbox consumer: invite items on the table stream become emails, with retries and a DLQ. */
  private addMailer(
    entry: string,
    table: ITable,
    sendMail: PolicyStatement,
    mailFrom: string,
    acceptUrl: string,
  ): ApiFunction {
    const mailer = new ApiFunction(this, 'Mailer', {
      entry,
      description: 'Gatehouse invite mailer (table stream consumer)',
      timeout: Duration.seconds(30),
      environment: { MAIL_FROM: mailFrom, ACCEPT_URL: acceptUrl },
    });
    mailer.bindTable(table, 'readWrite');
    mailer.addToRolePolicy(sendMail);

    const deadLetters = new Queue(this, 'MailerDeadLetters', {
      enforceSSL: true,
      encryption: QueueEncryption.SQS_MANAGED,
      retentionPeriod: Duration.days(14),
    });
    mailer.fn.addEventSource(
      new DynamoEventSource(table, {
        startingPosition: StartingPosition.LATEST,
        batchSize: 10,
        bisectBatchOnError: true,
        retryAttempts: 5,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(deadLetters),
        // New outbox items only: a claim (`leaseUntil`) or a recorded failure (`attempts`) is the
        // outbox's own bookkeeping, and the re-drive retries those items.
        filters: [
          FilterCriteria.filter({
            dynamodb: {
              NewImage: {
                type: { S: FilterRule.or(...OUTBOX_TYPES) },
                // `exists` works on leaves only: the typed value under each attribute.
                leaseUntil: { S: FilterRule.notExists() },
                attempts: { N: FilterRule.notExists() },
              },
            },
          }),
        ],
      }),
    );

    Validations.of(deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter destination of the mailer stream event source; it needs no DLQ of its own.',
    });
    // The role already acknowledges AwsSolutions-IAM5[Resource::*] for X-Ray; the stream source
    // adds dynamodb:ListStreams, which likewise supports no resource-level permissions.
    return mailer;
  }

  /**
   * The outbox re-drive, every minute: sends the mail whose next attempt is due (failed before,
   * or never seen on the stream), gives up after the last attempt (dead: listed, re-driven by
   * an operator with `{"requeueDead": true}`), and deletes expired items.
   */
  private addMailRedrive(
    table: ITable,
    sendMail: PolicyStatement,
    mailFrom: string,
    acceptUrl: string,
  ): ApiFunction {
    const redrive = new ApiFunction(this, 'MailRedrive', {
      entry: MAIL_REDRIVE_ENTRY,
      description: 'Gatehouse outbox re-drive (scheduled)',
      timeout: Duration.seconds(60),
      environment: { MAIL_FROM: mailFrom, ACCEPT_URL: acceptUrl, TABLE_NAME: table.tableName },
    });
    redrive.addToRolePolicy(
      new PolicyStatement({
        actions: REDRIVE_TABLE_ACTIONS,
        resources: [table.tableArn, `${table.tableArn}/index/byUser`],
      }),
    );
    redrive.addToRolePolicy(sendMail);
    new Rule(this, 'MailRedriveSchedule', {
      description: 'Runs the Gatehouse outbox re-drive',
      schedule: Schedule.rate(MAIL_REDRIVE_RATE),
      targets: [new LambdaFunction(redrive.fn, { retryAttempts: 0 })],
    });
    return redrive;
  }
}
