/**
 * Gatehouse's operations: the alarms that page (through one SNS topic, optionally to the stage's
 * `alarmEmail`) and one CloudWatch dashboard. Every alarm counts a real fault: a 401 from the
 * authorizer is an answer, so the authorizer is watched through its `AuthorizerFault` metric
 * instead of Lambda's Errors (which counts each thrown `Unauthorized` in external mode).
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { operationsDashboard } from '#infra/constructs/operations-dashboard.js';
import {
  gatehouseMetric,
  sesReputation,
  tableThrottles,
  unknownItemFormats,
} from '#infra/constructs/operations-metrics.js';
import { METRIC } from '#shared/observability/metrics.js';

/** When each alarm fires. Periods are 5 minutes unless the name says otherwise. */
export interface OperationsThresholds {
  /** Messages waiting in any dead-letter queue: each is work that failed for good. */
  readonly deadLetters: number;
  /** Oldest unprocessed stream record (ms): invites wait this long before their first send. */
  readonly iteratorAgeMs: number;
  /** Lambda errors of one function (crashes, timeouts: handlers answer their own errors). */
  readonly functionErrors: number;
  /** Lambda throttles of one function. */
  readonly functionThrottles: number;
  /** Decisions the authorizer could not take (dependency down, bug, failed cold start). */
  readonly authorizerFaults: number;
  /** Decisions denied on an item format the authorizer does not know (newer data than code). */
  readonly unknownItemFormats: number;
  /** 5xx answers of the API. */
  readonly api5xx: number;
  /** API p99 latency (ms), over `latencyPeriods` periods in a row. */
  readonly apiP99LatencyMs: number;
  readonly latencyPeriods: number;
  /** Read and write throttle events of the table and its indexes. */
  readonly tableThrottles: number;
  /** SES account bounce rate (ratio); SES reviews an account at 5% and may pause it at 10%. */
  readonly sesBounceRate: number;
  /** SES account complaint rate (ratio); SES reviews at 0.1%. */
  readonly sesComplaintRate: number;
}

export const DEFAULT_THRESHOLDS: OperationsThresholds = {
  deadLetters: 1,
  iteratorAgeMs: 5 * 60_000,
  functionErrors: 1,
  functionThrottles: 1,
  authorizerFaults: 5,
  unknownItemFormats: 1,
  api5xx: 5,
  apiP99LatencyMs: 1500,
  latencyPeriods: 3,
  tableThrottles: 10,
  sesBounceRate: 0.04,
  sesComplaintRate: 0.0008,
};

/** The environment variable the functions read their stage from (shared/config/env.ts). */
export const STAGE_VARIABLE = 'GATEHOUSE_STAGE';

export interface OperationsProps {
  /** The stage (shared/config/stages.ts): metric dimension and alarm-name prefix. */
  readonly stage: string;
  /** Where alarm notifications go by email; none when absent (subscribe to the topic instead). */
  readonly alarmEmail?: string | undefined;
  /** Every function but the authorizer, by a short name: errors and throttles per function. */
  readonly functions: Readonly<Record<string, LambdaFunction>>;
  /** The API's authorizer: throttles, and faults through its own metric. */
  readonly authorizer: LambdaFunction;
  /** Every dead-letter queue, by a short name. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /** Table-stream consumers (the mailer), by a short name: their iterator age. */
  readonly streamConsumers?: Readonly<Record<string, LambdaFunction>>;
  readonly api: IHttpApi;
  readonly table: ITable;
  readonly thresholds?: Partial<OperationsThresholds>;
}

export class Operations extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  private readonly prefix: string;
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const t = { ...DEFAULT_THRESHOLDS, ...props.thresholds };
    this.prefix = `gatehouse-${props.stage}`;
    this.topic = this.alarmTopic(props.alarmEmail);
    this.action = new SnsAction(this.topic);

    // The functions' metrics carry the stage as a dimension: the alarms below read it.
    const consumers = props.streamConsumers ?? {};
    for (const fn of [...Object.values(props.functions), props.authorizer]) {
      fn.addEnvironment(STAGE_VARIABLE, props.stage);
    }

    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      this.alarm(`dlq-${name}`, `Messages in the ${name} dead-letter queue`, {
        metric: queue.metricApproximateNumberOfMessagesVisible({
          statistic: 'Maximum',
          period: Duration.minutes(5),
        }),
        threshold: t.deadLetters,
      });
    }
    for (const [name, fn] of Object.entries(consumers)) {
      this.alarm(`iterator-age-${name}`, `The ${name} stream consumer is falling behind`, {
        metric: fn.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(5) }),
        threshold: t.iteratorAgeMs,
      });
    }
    for (const [name, fn] of Object.entries(props.functions)) {
      this.alarm(`errors-${name}`, `Lambda errors (crash or timeout) of ${name}`, {
        metric: fn.metricErrors({ period: Duration.minutes(5) }),
        threshold: t.functionErrors,
      });
      this.alarm(`throttles-${name}`, `Lambda throttles of ${name}`, {
        metric: fn.metricThrottles({ period: Duration.minutes(5) }),
        threshold: t.functionThrottles,
      });
    }
    // No Lambda Errors alarm for the authorizer: in external mode each 401 is a thrown error.
    this.alarm('authorizer-faults', 'Authorizer could not decide (dependency down or bug)', {
      metric: gatehouseMetric(props.stage, METRIC.authorizerFault),
      threshold: t.authorizerFaults,
    });
    // Every such denial is a member refused for the deployment's fault, not their own: one pages.
    this.alarm(
      'unknown-item-format',
      'The authorizer denied on an item format it does not know: deploy the Gatehouse that wrote it (never roll back below a written format)',
      { metric: unknownItemFormats(props.stage), threshold: t.unknownItemFormats },
    );
    this.alarm('throttles-authorizer', 'Lambda throttles of the authorizer', {
      metric: props.authorizer.metricThrottles({ period: Duration.minutes(5) }),
      threshold: t.functionThrottles,
    });
    this.alarm('api-5xx', 'The API answered 5xx', {
      metric: props.api.metricServerError({ statistic: 'Sum', period: Duration.minutes(5) }),
      threshold: t.api5xx,
    });
    this.alarm('api-p99-latency', 'API p99 latency is high', {
      metric: props.api.metricLatency({ statistic: 'p99', period: Duration.minutes(5) }),
      threshold: t.apiP99LatencyMs,
      evaluationPeriods: t.latencyPeriods,
    });
    this.alarm('table-throttles', 'DynamoDB throttled reads or writes of the table', {
      metric: tableThrottles(props.table),
      threshold: t.tableThrottles,
    });
    this.alarm('ses-bounce-rate', 'SES account bounce rate is near the review level (5%)', {
      metric: sesReputation('Reputation.BounceRate'),
      threshold: t.sesBounceRate,
    });
    this.alarm('ses-complaint-rate', 'SES account complaint rate is near the review level', {
      metric: sesReputation('Reputation.ComplaintRate'),
      threshold: t.sesComplaintRate,
    });

    operationsDashboard(this, 'Dashboard', {
      name: this.prefix,
      stage: props.stage,
      alarms: this.alarms,
      api: props.api,
      authorizer: props.authorizer,
      functions: props.functions,
      consumers,
      queues: props.deadLetterQueues,
      table: props.table,
      tableThrottles: tableThrottles(props.table),
    });
  }

  /**
   * The topic alarms notify: TLS only, encrypted with its own rotating key, which CloudWatch may
   * use for this account's `gatehouse-<stage>-*` alarms only (it cannot use the AWS managed key).
   */
  private alarmTopic(email: string | undefined): Topic {
    const stack = Stack.of(this);
    const key = new Key(this, 'AlarmTopicKey', {
      enableKeyRotation: true,
      description: `Encrypts the ${this.prefix} alarm topic`,
      // It protects notifications in transit only: nothing stays encrypted under it.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    key.grant(
      new ServicePrincipal('cloudwatch.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:${this.prefix}-*`,
          },
        },
      }),
      'kms:Decrypt',
      'kms:GenerateDataKey*',
    );
    const topic = new Topic(this, 'AlarmTopic', {
      displayName: `Gatehouse ${this.node.path} alarms`,
      enforceSSL: true,
      masterKey: key,
    });
    if (email) topic.addSubscription(new EmailSubscription(email));
    return topic;
  }

  /** One alarm: `>= threshold` over one 5-minute period unless told, missing data is fine. */
  private alarm(
    name: string,
    description: string,
    opts: { metric: IMetric; threshold: number; evaluationPeriods?: number },
  ): Alarm {
    const alarm = new Alarm(this, `Alarm-${name}`, {
      alarmName: `${this.prefix}-${name}`,
      alarmDescription: description,
      metric: opts.metric,
      threshold: opts.threshold,
      evaluationPeriods: opts.evaluationPeriods ?? 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
    return alarm;
  }
}
