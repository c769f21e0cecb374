/**
 * Issue 15 infra: the SES configuration set with its bounce and complaint destination on the
 * default event bus, the rule to the mail-events function (retries, retained dead-letter
 * queue, least privilege), and the mailer hardening (trim horizon, retained DLQ, configuration
 * set and send rate in the environment of both senders).
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { stageSettings } from '#shared/config/stages.js';
import { synthesize as synth } from './synth-kit.js';

type Json = Record<string, unknown>;
type Resource = { Type: string; Properties?: Json; DeletionPolicy?: string };
type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };

/** The prod stage's API stack with a mailer entry (bundling skipped). */
function synthesize(mailerEntry: string | null = 'functions/me/handler.ts'): Template {
  return synth({ bundle: false, mailerEntry }).apiTemplate;
}

function resources(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type)) as [string, Resource][];
}

function functionNamed(template: Template, description: RegExp): [string, Resource] {
  const found = resources(template, 'AWS::Lambda::Function').find(([, r]) =>
    description.test(String(r.Properties?.Description)),
  );
  if (!found) throw new Error(`no function described as ${description}`);
  return found;
}

function envOf(fn: Resource): Json {
  return ((fn.Properties?.Environment as { Variables?: Json } | undefined)?.Variables ??
    {}) as Json;
}

function statementsOfRole(template: Template, fn: Resource): Statement[] {
  const role = fn.Properties?.Role as { 'Fn::GetAtt': string[] } | undefined;
  const roleId = role?.['Fn::GetAtt'][0];
  return resources(template, 'AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties?.Roles).includes(String(roleId)))
    .flatMap(
      ([, p]) =>
        (p.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined)?.Statement ?? [],
    );
}

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe('SES configuration set and mail events', () => {
  let template: Template;
  let configurationSetId: string;
  beforeAll(() => {
    template = synthesize();
    const sets = resources(template, 'AWS::SES::ConfigurationSet');
    expect(sets).toHaveLength(1);
    configurationSetId = sets[0]?.[0] ?? '';
  });

  it('creates one configuration set with reputation metrics and account suppression of bounces and complaints', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      ReputationOptions: { ReputationMetricsEnabled: true },
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    });
  });

  it('publishes bounces and complaints, and nothing else, to the default event bus', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: { Ref: configurationSetId },
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: ['bounce', 'complaint'],
        EventBridgeDestination: {
          EventBusArn: Match.objectLike({
            'Fn::Join': Match.arrayWith([Match.arrayWith([':event-bus/default'])]),
          }),
        },
      },
    });
  });

  it('routes only this configuration set’s bounces and complaints to the mail-events function, with retries and a dead-letter queue', () => {
    const rule = resources(template, 'AWS::Events::Rule').find(([, r]) =>
      JSON.stringify(r.Properties?.EventPattern ?? '').includes('aws.ses'),
    )?.[1];
    expect(rule?.Properties?.EventPattern).toEqual({
      source: ['aws.ses'],
      'detail-type': ['Email Bounced', 'Email Complaint Received'],
      detail: { mail: { tags: { 'ses:configuration-set': [{ Ref: configurationSetId }] } } },
    });
    const [fnId] = functionNamed(template, /^Gatehouse mail events/);
    const targets = rule?.Properties?.Targets as Json[];
    expect(targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 21600 },
        DeadLetterConfig: {
          Arn: { 'Fn::GetAtt': [expect.stringMatching(/^MailEventsDeadLetters/), 'Arn'] },
        },
      }),
    ]);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnId },
      MaximumRetryAttempts: 2,
      DestinationConfig: {
        OnFailure: {
          Destination: {
            'Fn::GetAtt': [Match.stringLikeRegexp('^MailEventsDeadLetters'), 'Arn'],
          },
        },
      },
    });
  });

  it('keeps the mail-events and mailer dead-letter queues when the stack is deleted', () => {
    const queues = resources(template, 'AWS::SQS::Queue');
    for (const prefix of ['MailEventsDeadLetters', 'MailerDeadLetters']) {
      const queue = queues.find(([id]) => id.startsWith(prefix))?.[1];
      expect(queue, prefix).toMatchObject({
        DeletionPolicy: 'Retain',
        Properties: { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 },
      });
    }
  });

  it('gives the mail-events function the configuration set and exactly what it calls: three table actions on tenant and audit items, its dead-letter queue', () => {
    const [, fn] = functionNamed(template, /^Gatehouse mail events/);
    expect(envOf(fn)).toMatchObject({
      MAIL_CONFIGURATION_SET: { Ref: configurationSetId },
      TABLE_NAME: expect.anything(),
    });
    const statements = statementsOfRole(template, fn).filter(
      (s) => !actionsOf(s).some((a) => a.startsWith('logs:') || a.startsWith('xray:')),
    );
    expect(statements).toEqual([
      expect.objectContaining({
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Condition: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TENANT#*', 'AUDIT#*'] },
        },
      }),
      // Lambda's own retries hand a failed event to the dead-letter queue with this role.
      expect.objectContaining({
        Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^MailEventsDeadLetters/), 'Arn'] },
      }),
    ]);
  });
});

describe('mailer hardening', () => {
  let template: Template;
  beforeAll(() => {
    template = synthesize();
  });

  it('reads the stream from the trim horizon, ten records per invocation, one invocation per shard', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 10,
      ParallelizationFactor: 1,
    });
  });

  it('sends through the configuration set at the stage rate from both the mailer and the re-drive', () => {
    const setId = resources(template, 'AWS::SES::ConfigurationSet')[0]?.[0];
    for (const description of [/^Gatehouse invite mailer/, /^Gatehouse outbox re-drive/]) {
      const [, fn] = functionNamed(template, description);
      expect(envOf(fn), String(description)).toMatchObject({
        MAIL_CONFIGURATION_SET: { Ref: setId },
        MAIL_SEND_RATE_PER_SECOND: String(stageSettings('prod').mail.sendRatePerSecond),
      });
      const onSet = statementsOfRole(template, fn).filter((s) =>
        JSON.stringify(s.Resource).includes(':configuration-set/'),
      );
      expect(onSet, String(description)).toEqual([
        expect.objectContaining({ Action: 'ses:SendEmail' }),
      ]);
    }
  });

  it('builds no configuration set or mail-events function without a mailer', () => {
    const none = synthesize(null);
    none.resourceCountIs('AWS::SES::ConfigurationSet', 0);
    none.resourceCountIs('AWS::SES::ConfigurationSetEventDestination', 0);
    expect(
      resources(none, 'AWS::Lambda::Function').filter(([, r]) =>
        String(r.Properties?.Description).startsWith('Gatehouse mail events'),
      ),
    ).toHaveLength(0);
  });
});
