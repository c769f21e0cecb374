/**
 * Bounces and complaints (issue 15): the SES configuration set every invite mail is sent with,
 * its event destination (bounces and complaints to the default EventBridge bus, where SES
 * publishes them), and a rule that hands them to the mail-events function, which marks the
 * invite and suppresses the address. EventBridge retries a failing delivery, Lambda retries a
 * failing handler, and what still fails lands in a dead-letter queue kept on stack deletion.
 * EventBridge rather than SNS: no topic or subscription to own, the rule filters on the
 * configuration set, and the target has retries and a dead-letter queue of its own.
 */
import { Duration, RemovalPolicy, type Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import {
  ConfigurationSet,
  EmailSendingEvent,
  EventDestination,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { ApiFunction } from '#infra/constructs/api-function.js';
import { grantNeeds } from '#infra/constructs/function-grants.js';
import { MAIL_EVENT_DETAIL_TYPES, MAIL_EVENT_SOURCE } from '#shared/mail/mail-events.js';
import { CONFIGURATION_SET_TAG } from '#shared/mail/mail-tags.js';
import { functionNeeds } from '#shared/routes/function-needs.js';

export const MAIL_EVENTS_ENTRY = 'functions/mail-events/handler.ts';

/** How the mailer and the re-drive send: through the configuration set, at a bounded rate. */
export interface MailSending {
  configurationSetName: string;
  /** Most mails one mailer or re-drive instance sends per second (the stage's setting). */
  sendRatePerSecond: number;
  /** A fresh grant of sending through the configuration set (SES authorizes it as a resource). */
  useConfigurationSet: () => PolicyStatement;
}

export interface MailEvents {
  configurationSet: ConfigurationSet;
  fn: ApiFunction;
  rule: Rule;
  deadLetters: Queue;
  /** The sending settings of a stage whose mail rate is `sendRatePerSecond`. */
  sending(sendRatePerSecond: number): MailSending;
}

/** The configuration set, its event destination, the rule and the mail-events function. */
export function addMailEvents(scope: Stack, table: ITable): MailEvents {
  const configurationSet = new ConfigurationSet(scope, 'MailConfigurationSet', {
    reputationMetrics: true,
    // The account-level list keeps SES itself from mailing an address that bounced or
    // complained for any tenant; Gatehouse's own per-tenant list answers the tenant.
    suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
  });
  const name = configurationSet.configurationSetName;
  configurationSet.addEventDestination('BouncesAndComplaints', {
    destination: EventDestination.eventBus(
      EventBus.fromEventBusName(scope, 'DefaultEventBus', 'default'),
    ),
    events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
  });

  const fn = new ApiFunction(scope, 'MailEvents', {
    entry: MAIL_EVENTS_ENTRY,
    description:
      'Gatehouse mail events: SES bounces and complaints mark invites, suppress addresses',
    environment: { MAIL_CONFIGURATION_SET: name },
  });
  // It reads the invite and writes the invite's mark, the tenant's suppression item and their
  // audit events (one transaction each): items under TENANT# and AUDIT# only.
  grantNeeds(fn, functionNeeds('mail-events'), { table });

  const deadLetters = new Queue(scope, 'MailEventsDeadLetters', {
    enforceSSL: true,
    encryption: QueueEncryption.SQS_MANAGED,
    retentionPeriod: Duration.days(14),
    removalPolicy: RemovalPolicy.RETAIN,
  });
  Validations.of(deadLetters).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: 'This queue is itself the dead-letter destination of the mail-events rule.',
  });
  fn.fn.configureAsyncInvoke({
    retryAttempts: 2,
    maxEventAge: Duration.hours(6),
    onFailure: new SqsDestination(deadLetters),
  });
  const rule = new Rule(scope, 'MailEventsRule', {
    description: 'SES bounces and complaints of Gatehouse mail mark invites and suppress addresses',
    eventPattern: {
      source: [MAIL_EVENT_SOURCE],
      detailType: [...MAIL_EVENT_DETAIL_TYPES],
      detail: { mail: { tags: { [CONFIGURATION_SET_TAG]: [name] } } },
    },
    targets: [
      new LambdaFunction(fn.fn, {
        deadLetterQueue: deadLetters,
        retryAttempts: 8,
        maxEventAge: Duration.hours(6),
      }),
    ],
  });

  const configurationSetArn = scope.formatArn({
    service: 'ses',
    resource: 'configuration-set',
    resourceName: name,
  });
  return {
    configurationSet,
    fn,
    rule,
    deadLetters,
    sending: (sendRatePerSecond) => ({
      configurationSetName: name,
      sendRatePerSecond,
      useConfigurationSet: () =>
        // SendEmail only, as on the identity (the SES adapter sends no raw mail).
        new PolicyStatement({ actions: ['ses:SendEmail'], resources: [configurationSetArn] }),
    }),
  };
}
