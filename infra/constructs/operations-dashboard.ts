/** The one Gatehouse dashboard: alarm states, then the API, the authorizer, functions, queues, table and mail. */
import { Duration } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  type Alarm,
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IMetric,
  type Metric,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { gatehouseMetric, sesReputation } from '#infra/constructs/operations-metrics.js';
import {
  BOUNCE_KINDS,
  DENY_REASONS,
  FORCED_LOGOUT_KINDS,
  METRIC,
} from '#shared/observability/metrics.js';
import { ITEM_KINDS } from '#shared/store/records/item-format.js';

export interface DashboardInputs {
  name: string;
  stage: string;
  alarms: Alarm[];
  api: IHttpApi;
  authorizer: LambdaFunction;
  functions: Readonly<Record<string, LambdaFunction>>;
  consumers: Readonly<Record<string, LambdaFunction>>;
  queues: Readonly<Record<string, IQueue>>;
  table: ITable;
  tableThrottles: IMetric;
}

const FIVE_MINUTES = Duration.minutes(5);

function graph(title: string, left: IMetric[], right: IMetric[] = [], width = 12): GraphWidget {
  return new GraphWidget({ title, left, right, width, height: 6 });
}

/** Per function, one metric with the function's short name as its label. */
function perFunction(
  functions: Readonly<Record<string, LambdaFunction>>,
  metric: (fn: LambdaFunction) => Metric,
): IMetric[] {
  return Object.entries(functions).map(([name, fn]) => metric(fn).with({ label: name }));
}

export function operationsDashboard(scope: Construct, id: string, d: DashboardInputs): Dashboard {
  const custom = (name: string, extra: Record<string, string> = {}, label?: string) =>
    gatehouseMetric(d.stage, name, extra).with({ label: label ?? name });
  const everyFunction = { ...d.functions, authorizer: d.authorizer };
  const dashboard = new Dashboard(scope, id, {
    dashboardName: d.name,
    defaultInterval: Duration.hours(3),
  });
  dashboard.addWidgets(
    new TextWidget({
      markdown: `# Gatehouse (${d.stage})\nAlarms notify the \`${d.name}\` topic. Authorizer 401s are answers, not faults: see \`AuthorizerFault\`.`,
      width: 24,
      height: 2,
    }),
  );
  dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: d.alarms, width: 24 }));
  dashboard.addWidgets(
    graph('API requests and errors', [
      d.api.metricCount({ statistic: 'Sum', period: FIVE_MINUTES, label: 'Requests' }),
      d.api.metricClientError({ statistic: 'Sum', period: FIVE_MINUTES, label: '4xx' }),
      d.api.metricServerError({ statistic: 'Sum', period: FIVE_MINUTES, label: '5xx' }),
    ]),
    graph(
      'API latency (ms)',
      ['p50', 'p99'].map((p) =>
        d.api.metricLatency({ statistic: p, period: FIVE_MINUTES, label: `latency ${p}` }),
      ),
      [
        d.api.metricIntegrationLatency({
          statistic: 'p99',
          period: FIVE_MINUTES,
          label: 'integration p99',
        }),
      ],
    ),
  );
  dashboard.addWidgets(
    graph(
      'Authorizer decisions',
      [
        custom(METRIC.allowed),
        ...DENY_REASONS.map((reason) => custom(METRIC.denied, { reason }, `Denied: ${reason}`)),
      ],
      [
        custom(METRIC.authorizerFault),
        // Denials on items newer than the authorizer: should stay at zero (readers before writers).
        ...ITEM_KINDS.map((kind) =>
          custom(METRIC.unknownItemFormat, { kind }, `UnknownItemFormat: ${kind}`),
        ),
      ],
    ),
    graph(
      'Authorizer duration (ms)',
      ['p50', 'p99'].map((p) =>
        d.authorizer.metricDuration({ statistic: p, period: FIVE_MINUTES, label: p }),
      ),
    ),
  );
  dashboard.addWidgets(
    graph(
      'Lambda errors',
      perFunction(d.functions, (fn) => fn.metricErrors({ period: FIVE_MINUTES })),
    ),
    graph(
      'Lambda throttles',
      perFunction(everyFunction, (fn) => fn.metricThrottles({ period: FIVE_MINUTES })),
    ),
  );
  dashboard.addWidgets(
    graph(
      'Dead-letter queues (messages)',
      Object.entries(d.queues).map(([name, q]) =>
        q.metricApproximateNumberOfMessagesVisible({
          statistic: 'Maximum',
          period: FIVE_MINUTES,
          label: name,
        }),
      ),
    ),
    graph(
      'Stream iterator age (ms)',
      perFunction(d.consumers, (fn) =>
        fn.metric('IteratorAge', { statistic: 'Maximum', period: FIVE_MINUTES }),
      ),
    ),
  );
  dashboard.addWidgets(
    graph(
      'DynamoDB capacity and throttles',
      [
        d.table.metricConsumedReadCapacityUnits({ period: FIVE_MINUTES, label: 'RCU' }),
        d.table.metricConsumedWriteCapacityUnits({ period: FIVE_MINUTES, label: 'WCU' }),
      ],
      [d.tableThrottles],
    ),
    graph(
      'Mail and sessions',
      [
        custom(METRIC.mailSent),
        ...BOUNCE_KINDS.map((kind) => custom(METRIC.bounce, { kind }, `Bounce: ${kind}`)),
        ...FORCED_LOGOUT_KINDS.map((kind) =>
          custom(METRIC.forcedLogout, { kind }, `Forced logout: ${kind}`),
        ),
      ],
      [
        sesReputation('Reputation.BounceRate').with({ label: 'SES bounce rate' }),
        sesReputation('Reputation.ComplaintRate').with({ label: 'SES complaint rate' }),
      ],
    ),
  );
  return dashboard;
}
