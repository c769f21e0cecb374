/** The metrics the alarms and the dashboard read, built one way for both. */
import { Duration } from 'aws-cdk-lib';
import { type IMetric, MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { SERVICE_NAME } from '#shared/observability/logger.js';
import { METRIC, METRICS_NAMESPACE } from '#shared/observability/metrics.js';
import { ITEM_KINDS } from '#shared/store/records/item-format.js';
import { TABLE_INDEXES } from '#shared/store/table-definition.js';

/** A custom metric of `shared/observability/metrics.ts`, with the dimensions it is emitted with. */
export function gatehouseMetric(
  stage: string,
  metricName: string,
  extra: Record<string, string> = {},
  statistic = 'Sum',
): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: SERVICE_NAME, stage, ...extra },
    statistic,
    period: Duration.minutes(5),
  });
}

/** Read plus write throttle events of the table and of each of its indexes. */
export function tableThrottles(table: ITable): IMetric {
  const options = { statistic: 'Sum', period: Duration.minutes(5) };
  const usingMetrics: Record<string, IMetric> = {};
  for (const [i, index] of [undefined, ...TABLE_INDEXES.map((x) => x.indexName)].entries()) {
    const dimensionsMap = {
      TableName: table.tableName,
      ...(index ? { GlobalSecondaryIndexName: index } : {}),
    };
    for (const kind of ['Read', 'Write']) {
      usingMetrics[`${kind.toLowerCase()}${i}`] = table.metric(`${kind}ThrottleEvents`, {
        ...options,
        dimensionsMap,
      });
    }
  }
  return new MathExpression({
    expression: Object.keys(usingMetrics)
      .map((id) => `FILL(${id}, 0)`)
      .join(' + '),
    usingMetrics,
    label: 'Throttle events (table and indexes)',
    period: Duration.minutes(5),
  });
}

/** An account-level SES reputation ratio (no dimensions), its worst value over an hour. */
export function sesReputation(metricName: string): Metric {
  return new Metric({
    namespace: 'AWS/SES',
    metricName,
    statistic: 'Maximum',
    period: Duration.hours(1),
  });
}

/**
 * Decisions denied on an item format the authorizer does not know, summed over every item kind
 * (the metric's `kind` dimension): the table holds items written by a newer Gatehouse than the
 * authorizer deployed (docs/data-model.md, Item formats).
 */
export function unknownItemFormats(stage: string): IMetric {
  const usingMetrics: Record<string, IMetric> = {};
  for (const [i, kind] of ITEM_KINDS.entries()) {
    usingMetrics[`kind${i}`] = gatehouseMetric(stage, METRIC.unknownItemFormat, { kind });
  }
  return new MathExpression({
    expression: Object.keys(usingMetrics)
      .map((id) => `FILL(${id}, 0)`)
      .join(' + '),
    usingMetrics,
    label: 'Requests refused on an unknown item format',
    period: Duration.minutes(5),
  });
}
