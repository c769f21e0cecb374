/** CDK template assertions for the operations construct: its alarms and thresholds, the topic, the dashboard, cdk-nag. */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { AttributeType, BillingMode, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, Operations } from '#infra/constructs/operations.js';
import { ITEM_KINDS } from '#shared/store/records/item-format.js';

type Json = Record<string, unknown>;

function lambda(stack: Stack, id: string): LambdaFunction {
  return new LambdaFunction(stack, id, {
    runtime: Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: Code.fromInline('export const handler = async () => ({});'),
  });
}

/** A small stack shaped like the API stack: route functions, workers, DLQs, the API, the table. */
function build(alarmEmail?: string) {
  const app = new App();
  const stack = new Stack(app, 'OpsTest', {
    env: { account: '111111111111', region: 'eu-west-1' },
  });
  const table = new Table(stack, 'Table', {
    partitionKey: { name: 'pk', type: AttributeType.STRING },
    billingMode: BillingMode.PAY_PER_REQUEST,
    stream: StreamViewType.NEW_IMAGE,
  });
  const queue = (id: string) =>
    new Queue(stack, id, { enforceSSL: true, encryption: QueueEncryption.SQS_MANAGED });
  const members = lambda(stack, 'Members');
  const mailer = lambda(stack, 'Mailer');
  const authorizer = lambda(stack, 'Authorizer');
  new Operations(stack, 'Ops', {
    stage: 'prod',
    alarmEmail,
    functions: { members, mailer },
    authorizer,
    deadLetterQueues: { mailer: queue('MailerDlq'), offboarding: queue('OffboardingDlq') },
    streamConsumers: { mailer },
    api: new HttpApi(stack, 'Api'),
    table,
  });
  return { app, stack, template: Template.fromStack(stack), authorizer };
}

const main = build('ops@example.com');

function alarm(name: string): Json {
  const found = Object.values(
    main.template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { AlarmName: `gatehouse-prod-${name}` },
    }),
  ) as { Properties: Json }[];
  expect(found, `alarm gatehouse-prod-${name}`).toHaveLength(1);
  return found[0]?.Properties ?? {};
}

describe('operations alarms', () => {
  it('watches every dead-letter queue from its first message', () => {
    for (const name of ['dlq-mailer', 'dlq-offboarding']) {
      expect(alarm(name)).toMatchObject({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Namespace: 'AWS/SQS',
        Statistic: 'Maximum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });

  it('watches the mailer stream iterator age at five minutes', () => {
    expect(alarm('iterator-age-mailer')).toMatchObject({
      MetricName: 'IteratorAge',
      Namespace: 'AWS/Lambda',
      Statistic: 'Maximum',
      Threshold: 300_000,
    });
  });

  it('watches errors and throttles of each function', () => {
    for (const fn of ['members', 'mailer']) {
      expect(alarm(`errors-${fn}`)).toMatchObject({ MetricName: 'Errors', Threshold: 1 });
      expect(alarm(`throttles-${fn}`)).toMatchObject({ MetricName: 'Throttles', Threshold: 1 });
    }
  });

  it("watches the authorizer's faults instead of its Lambda errors (a 401 is a thrown error)", () => {
    expect(alarm('authorizer-faults')).toMatchObject({
      Namespace: 'Gatehouse',
      MetricName: 'AuthorizerFault',
      Dimensions: [
        { Name: 'service', Value: 'gatehouse' },
        { Name: 'stage', Value: 'prod' },
      ],
      Statistic: 'Sum',
      Threshold: DEFAULT_THRESHOLDS.authorizerFaults,
    });
    expect(alarm('throttles-authorizer')).toMatchObject({ MetricName: 'Throttles' });
    const authorizerErrors = Object.values(
      main.template.findResources('AWS::CloudWatch::Alarm', {
        Properties: {
          MetricName: 'Errors',
          Dimensions: [
            { Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('^Authorizer') } },
          ],
        },
      }),
    );
    expect(authorizerErrors).toEqual([]);
  });

  it('pages on the first decision denied for an unknown item format, of any item kind', () => {
    const props = alarm('unknown-item-format');
    expect(props).toMatchObject({ Threshold: 1, EvaluationPeriods: 1 });
    const metrics = props.Metrics as {
      Id: string;
      Expression?: string;
      MetricStat?: {
        Metric: { MetricName: string; Dimensions: { Name: string; Value: string }[] };
      };
    }[];
    const kinds = metrics
      .filter((m) => m.MetricStat?.Metric.MetricName === 'UnknownItemFormat')
      .map((m) => m.MetricStat?.Metric.Dimensions.find((d) => d.Name === 'kind')?.Value);
    expect(kinds.sort()).toEqual([...ITEM_KINDS].sort());
    const sum = metrics.find((m) => m.Expression)?.Expression ?? '';
    for (const m of metrics.filter((x) => x.MetricStat)) expect(sum).toContain(`FILL(${m.Id}, 0)`);
  });

  it('watches API 5xx and p99 latency over three periods', () => {
    expect(alarm('api-5xx')).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Statistic: 'Sum',
      Threshold: 5,
    });
    expect(alarm('api-p99-latency')).toMatchObject({
      MetricName: 'Latency',
      ExtendedStatistic: 'p99',
      Threshold: 1500,
      EvaluationPeriods: 3,
    });
  });

  it('watches table and index throttles in one expression', () => {
    const metrics = alarm('table-throttles').Metrics as { Id: string; Expression?: string }[];
    const names = JSON.stringify(metrics);
    expect(names).toContain('ReadThrottleEvents');
    expect(names).toContain('WriteThrottleEvents');
    expect(names).toContain('GlobalSecondaryIndexName');
    expect(metrics.find((m) => m.Expression)?.Expression).toMatch(/^FILL\(read0, 0\) \+ /);
  });

  it("watches the SES account's bounce and complaint rates below the review levels", () => {
    expect(alarm('ses-bounce-rate')).toMatchObject({
      Namespace: 'AWS/SES',
      MetricName: 'Reputation.BounceRate',
      Threshold: 0.04,
      Period: 3600,
    });
    expect(alarm('ses-complaint-rate')).toMatchObject({
      MetricName: 'Reputation.ComplaintRate',
      Threshold: 0.0008,
    });
  });

  it('notifies the topic of every alarm and of its recovery; missing data is not a breach', () => {
    const alarms = Object.values(main.template.findResources('AWS::CloudWatch::Alarm')) as {
      Properties: Json;
    }[];
    // 2 queues, 1 stream, 2 x 2 per function, 3 authorizer, 2 API, 1 table, 2 SES.
    expect(alarms.length).toBe(15);
    for (const { Properties } of alarms) {
      expect(Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^OpsAlarmTopic/) }]);
      expect(Properties.OKActions).toEqual(Properties.AlarmActions);
      expect(Properties.TreatMissingData).toBe('notBreaching');
    }
  });
});

describe('operations topic and dashboard', () => {
  it('encrypts the topic with a rotating key CloudWatch may use for these alarms only', () => {
    main.template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: Match.anyValue(),
    });
    main.template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: {
              StringEquals: { 'aws:SourceAccount': '111111111111' },
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': [
                    '',
                    Match.arrayWith([':cloudwatch:eu-west-1:111111111111:alarm:gatehouse-prod-*']),
                  ],
                },
              },
            },
          }),
        ]),
      },
    });
  });

  it('refuses publishing without TLS', () => {
    main.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it("subscribes the stage's alarm email, and nothing without one", () => {
    main.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    build().template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('builds one dashboard with the alarms and the Gatehouse metrics', () => {
    const [dashboard, ...more] = Object.values(
      main.template.findResources('AWS::CloudWatch::Dashboard'),
    ) as { Properties: Json }[];
    expect(more).toEqual([]);
    expect(dashboard?.Properties.DashboardName).toBe('gatehouse-prod');
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    for (const shown of ['AuthorizerFault', 'Denied', 'MailBounce', 'IteratorAge', '5xx']) {
      expect(body).toContain(shown);
    }
  });

  it('gives each function its stage, the dimension the alarms read', () => {
    const staged = main.template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { GATEHOUSE_STAGE: 'prod' } } },
    });
    expect(Object.keys(staged).sort()).toEqual([
      expect.stringMatching(/^Authorizer/),
      expect.stringMatching(/^Mailer/),
      expect.stringMatching(/^Members/),
    ]);
  });

  it('passes cdk-nag (the stand-in functions of this test stack aside)', () => {
    const errors = new AwsSolutionsChecks()
      .validateScope(main.app)
      .violations.filter((v) => v.severity === 'error')
      .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
    // The control: the check sees this stack (its inline functions break house rules).
    expect(errors.some((e) => e.includes('OpsTest/Members'))).toBe(true);
    expect(errors.filter((e) => e.includes('OpsTest/Ops/'))).toEqual([]);
  });
});
