/**
 * The API stack's workers beside the routes: the invite mailer (table stream), the outbox
 * re-drive (scheduled), offboarding (user-pool events), and the mail settings they share.
 * Built in the API stack's own scope, so their logical ids are the stack's.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, RemovalPolicy, type Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { ApiFunction, PROJECT_ROOT } from '#infra/constructs/api-function.js';
import { grantNeeds, sendMailStatement } from '#infra/constructs/function-grants.js';
import type { MailSending } from '#infra/constructs/mail-events.js';
import type { StageSettings } from '#shared/config/stages.js';
import { OUTBOX_TYPES } from '#shared/invites/invite-delivery.js';
import { functionNeeds } from '#shared/routes/function-needs.js';
import { OFFBOARDING_EVENTS } from '#shared/sessions/offboarding.js';

/** Entry of the stream consumer that sends invite emails (deployed once it exists). */
export const MAILER_ENTRY = 'functions/mailer/handler.ts';
export const OFFBOARDING_ENTRY = 'functions/offboarding/handler.ts';

/** Entry of the scheduled outbox re-drive (retries failed mail, expires dead mail). */
export const MAIL_REDRIVE_ENTRY = 'functions/mail-redrive/handler.ts';

/** How often the re-drive runs: the first retry of a failed mail is due after about a minute. */
export const MAIL_REDRIVE_RATE = Duration.minutes(1);

/**
 * What the re-drive does to the table: read due and dead items, claim, update, delete; put an
 * audit event when a queued mail's address was suppressed meanwhile (the invite is marked).
 */
const REDRIVE_TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
];

/**
 * Stream records per mailer invocation. With the send rate R, a full batch takes 10/R seconds
 * at most; one invocation runs per stream shard at a time (parallelization factor 1), so SES
 * sees at most R mails per second per shard from the mailer.
 */
export const MAILER_BATCH_SIZE = 10;

/** The environment of a function that sends mail through the configuration set at the rate. */
function sendingEnvironment(sending: MailSending): Record<string, string> {
  return {
    MAIL_CONFIGURATION_SET: sending.configurationSetName,
    MAIL_SEND_RATE_PER_SECOND: String(sending.sendRatePerSecond),
  };
}

/** The deploy-time mail settings every mail-sending function shares. */
export interface MailSettings {
  mailFrom: string;
  acceptUrl: string;
  /** ARN of the SES identity mail is sent through. */
  sesIdentityArn: string;
  /** A fresh grant of SES sending through the configured identity (one per function). */
  sendMail: () => PolicyStatement;
}

/** The mailer entry to deploy: the one given, else MAILER_ENTRY when it exists; null for none. */
export function resolveMailerEntry(entry: string | null | undefined): string | null {
  if (entry !== undefined) return entry;
  return existsSync(join(PROJECT_ROOT, MAILER_ENTRY)) ? MAILER_ENTRY : null;
}

/**
 * The stage's mail settings (shared/config/stages.ts): the SES identity invites are sent
 * through, the sender and the accept page the emails link to, fixed at synth time per stage.
 */
export function mailSettings(scope: Stack, mail: StageSettings['mail']): MailSettings {
  const sesIdentityArn = scope.formatArn({
    service: 'ses',
    resource: 'identity',
    resourceName: mail.sesIdentity,
  });
  return {
    mailFrom: mail.from,
    acceptUrl: mail.acceptUrl,
    sesIdentityArn,
    sendMail: () => sendMailStatement(sesIdentityArn),
  };
}

/**
 * Offboarding (rule 13): the user pool's AdminDeleteUser, AdminDisableUser and DeleteUser calls
 * reach EventBridge as CloudTrail management events (recorded by default, no trail needed for
 * EventBridge); scope rule hands them to a function that stamps the user's sessions. Retried by
 * EventBridge, then kept in a dead-letter queue for an operator.
 */
export function addOffboarding(scope: Stack, table: ITable, userPoolId: string): ApiFunction {
  const fn = new ApiFunction(scope, 'Offboarding', {
    entry: OFFBOARDING_ENTRY,
    description: 'Gatehouse offboarding: user-pool deletions end sessions and tokens',
    environment: { USER_POOL_ID: userPoolId },
  });
  // The user's sign-out stamp, their memberships and the stamp folded into each member item
  // (shared/routes/function-needs.ts says which items).
  grantNeeds(fn, functionNeeds('offboarding'), { table });
  const deadLetters = new Queue(scope, 'OffboardingDeadLetters', {
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
  new Rule(scope, 'OffboardingRule', {
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

/**
 * The outbox consumer: invite items on the table stream become emails, with retries and a DLQ
 * kept on stack deletion. It reads from the trim horizon, so records written before the event
 * source existed (or while it was disabled) are still delivered: delivery is idempotent (each
 * attempt claims the outbox item conditionally, a sent send is recorded on the invite and its
 * item deleted in one transaction), so a record read twice sends nothing twice. It reads new
 * images only. Mail goes through the configuration set (bounces and complaints come back) at
 * `sending.sendRatePerSecond` per invocation.
 */
export function addMailer(
  scope: Stack,
  entry: string,
  table: ITable,
  sendMail: PolicyStatement,
  mailFrom: string,
  acceptUrl: string,
  sending: MailSending,
): ApiFunction {
  const mailer = new ApiFunction(scope, 'Mailer', {
    entry,
    description: 'Gatehouse invite mailer (table stream consumer)',
    timeout: Duration.seconds(30),
    environment: { MAIL_FROM: mailFrom, ACCEPT_URL: acceptUrl, ...sendingEnvironment(sending) },
  });
  mailer.bindTable(table, 'readWrite');
  mailer.addToRolePolicy(sendMail);
  mailer.addToRolePolicy(sending.useConfigurationSet());

  const deadLetters = new Queue(scope, 'MailerDeadLetters', {
    enforceSSL: true,
    encryption: QueueEncryption.SQS_MANAGED,
    retentionPeriod: Duration.days(14),
    removalPolicy: RemovalPolicy.RETAIN,
  });
  mailer.fn.addEventSource(
    new DynamoEventSource(table, {
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: MAILER_BATCH_SIZE,
      parallelizationFactor: 1,
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
export function addMailRedrive(
  scope: Stack,
  table: ITable,
  sendMail: PolicyStatement,
  mailFrom: string,
  acceptUrl: string,
  sending: MailSending,
): ApiFunction {
  const redrive = new ApiFunction(scope, 'MailRedrive', {
    entry: MAIL_REDRIVE_ENTRY,
    description: 'Gatehouse outbox re-drive (scheduled)',
    timeout: Duration.seconds(60),
    environment: {
      MAIL_FROM: mailFrom,
      ACCEPT_URL: acceptUrl,
      TABLE_NAME: table.tableName,
      ...sendingEnvironment(sending),
    },
  });
  redrive.addToRolePolicy(
    new PolicyStatement({
      actions: REDRIVE_TABLE_ACTIONS,
      resources: [table.tableArn, `${table.tableArn}/index/byUser`],
    }),
  );
  redrive.addToRolePolicy(sendMail);
  redrive.addToRolePolicy(sending.useConfigurationSet());
  new Rule(scope, 'MailRedriveSchedule', {
    description: 'Runs the Gatehouse outbox re-drive',
    schedule: Schedule.rate(MAIL_REDRIVE_RATE),
    targets: [new LambdaFunction(redrive.fn, { retryAttempts: 0 })],
  });
  return redrive;
}
