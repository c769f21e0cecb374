/**
 * The API stack's workers beside the routes: the invite mailer (table stream), the outbox
 * re-drive (scheduled), offboarding (user-pool events), and the mail settings they share.
 * Built in the API stack's own scope, so their logical ids are the stack's.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CfnCondition, CfnParameter, Duration, Fn, type Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { ApiFunction, PROJECT_ROOT } from '#infra/constructs/api-function.js';
import { OUTBOX_TYPES } from '#shared/invites/invite-delivery.js';
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

const SES_ACTIONS = ['ses:SendEmail', 'ses:SendRawEmail'];

/** The deploy-time mail settings every mail-sending function shares. */
export interface MailSettings {
  mailFrom: string;
  acceptUrl: string;
  /** A fresh grant of SES sending through the configured identity (one per function). */
  sendMail: () => PolicyStatement;
}

/** The mailer entry to deploy: the one given, else MAILER_ENTRY when it exists; null for none. */
export function resolveMailerEntry(entry: string | null | undefined): string | null {
  if (entry !== undefined) return entry;
  return existsSync(join(PROJECT_ROOT, MAILER_ENTRY)) ? MAILER_ENTRY : null;
}

/**
 * The deploy-time mail parameters: the SES identity invites are sent through, the sender
 * (the identity itself when `MailFrom` is empty) and the accept page the emails link to.
 */
export function mailSettings(scope: Stack): MailSettings {
  const sesIdentity = new CfnParameter(scope, 'SesIdentity', {
    type: 'String',
    minLength: 3,
    description:
      'Verified SES identity invites are sent through: a domain (example.com) or an email address.',
  });
  const mailFromParam = new CfnParameter(scope, 'MailFrom', {
    type: 'String',
    default: '',
    description:
      'Sender address (e.g. no-reply@example.com); leave empty when SesIdentity is itself an email address.',
  });
  const acceptUrl = new CfnParameter(scope, 'AcceptUrl', {
    type: 'String',
    allowedPattern: '^https://\\S+$',
    description: 'The invite accept page; emails link to <AcceptUrl>?token=<token>.',
  });
  const noMailFrom = new CfnCondition(scope, 'MailFromEmpty', {
    expression: Fn.conditionEquals(mailFromParam.valueAsString, ''),
  });
  const mailFrom = Fn.conditionIf(
    noMailFrom.logicalId,
    sesIdentity.valueAsString,
    mailFromParam.valueAsString,
  ).toString();
  const sesIdentityArn = scope.formatArn({
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
  // It raises the user's sign-out stamp (`USER#<sub>` / `SESSIONS`, read back when a later one
  // is there), finds their memberships (that item's set and the byUser index) and raises the
  // stamp folded into each member item (`TENANT#<t>` / `MEMBER#<sub>`): nothing else.
  fn.fn.addEnvironment('TABLE_NAME', table.tableName);
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: ['dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:Query'],
      resources: [table.tableArn, `${table.tableArn}/index/byUser`],
      conditions: {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['USER#*', 'TENANT#*'] },
      },
    }),
  );
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

/** The outbox consumer: invite items on the table stream become emails, with retries and a DLQ. */
export function addMailer(
  scope: Stack,
  entry: string,
  table: ITable,
  sendMail: PolicyStatement,
  mailFrom: string,
  acceptUrl: string,
): ApiFunction {
  const mailer = new ApiFunction(scope, 'Mailer', {
    entry,
    description: 'Gatehouse invite mailer (table stream consumer)',
    timeout: Duration.seconds(30),
    environment: { MAIL_FROM: mailFrom, ACCEPT_URL: acceptUrl },
  });
  mailer.bindTable(table, 'readWrite');
  mailer.addToRolePolicy(sendMail);

  const deadLetters = new Queue(scope, 'MailerDeadLetters', {
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
export function addMailRedrive(
  scope: Stack,
  table: ITable,
  sendMail: PolicyStatement,
  mailFrom: string,
  acceptUrl: string,
): ApiFunction {
  const redrive = new ApiFunction(scope, 'MailRedrive', {
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
  new Rule(scope, 'MailRedriveSchedule', {
    description: 'Runs the Gatehouse outbox re-drive',
    schedule: Schedule.rate(MAIL_REDRIVE_RATE),
    targets: [new LambdaFunction(redrive.fn, { retryAttempts: 0 })],
  });
  return redrive;
}
