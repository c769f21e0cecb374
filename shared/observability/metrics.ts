/**
 * Business and fault metrics (Powertools Metrics, CloudWatch EMF) in the `Gatehouse` namespace,
 * each with the dimensions `service` and, when deployed, `stage`. A function records them while
 * it works and flushes them once per invocation (`flushMetrics`), one EMF line per dimension set.
 *
 * Only a function running in Lambda writes EMF: locally (the server runs the handlers in-process,
 * the tests call them) nothing is recorded, so stdout stays free of metric documents.
 *
 * The alarms and the dashboard (infra/constructs/operations.ts) read these names and dimensions:
 * rename one and they go blind.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { loadEnv } from '#shared/config/env.js';
import { SERVICE_NAME } from '#shared/observability/logger.js';

export const METRICS_NAMESPACE = 'Gatehouse';

/** Every metric Gatehouse emits, with the one extra dimension it may carry. */
export const METRIC = {
  /** An authorizer decision that let the request through. */
  allowed: 'Allowed',
  /** Any other authorizer decision; dimension `reason` = the decision (see `DENY_REASONS`). */
  denied: 'Denied',
  /**
   * The authorizer could not decide (a dependency failed or was too slow, a bug, a failed cold
   * start): the alarm that pages. A 401 is an answer, not a fault, and never counts here.
   */
  authorizerFault: 'AuthorizerFault',
  /** An email SES accepted (invites and account mail; first attempts and re-drives). */
  mailSent: 'MailSent',
  /** Sessions ended by force; dimension `kind` (see `ForcedLogoutKind`). */
  forcedLogout: 'ForcedLogout',
  /** A bounce or complaint SES reported; dimension `kind` (see `BounceKind`). */
  bounce: 'MailBounce',
  /**
   * The authorizer met an item of a format it does not know and denied: a reader older than the
   * data (deploy readers before writers); dimension `kind` (the item kind, see `ITEM_KINDS`).
   */
  unknownItemFormat: 'UnknownItemFormat',
} as const;

/**
 * The authorizer's decisions that deny (its `AuthDecision` type, which lives above this layer),
 * each a value of the `reason` dimension of `Denied`: a small fixed set, never free text.
 */
export const DENY_REASONS = [
  'unauthenticated',
  'forbidden',
  'not-member',
  'unavailable',
  'unknown-item-format',
] as const;
export type Decision = 'allow' | (typeof DENY_REASONS)[number];

/** The `kind` dimension of `ForcedLogout`. */
export const FORCED_LOGOUT_KINDS = ['member', 'sign-out-everywhere', 'offboarding'] as const;
export type ForcedLogoutKind = (typeof FORCED_LOGOUT_KINDS)[number];
/** The `kind` dimension of `MailBounce`. */
export const BOUNCE_KINDS = ['permanent', 'transient', 'complaint'] as const;
export type BounceKind = (typeof BOUNCE_KINDS)[number];

/** One Metrics instance per extra dimension, so `reason` never spreads to other metrics. */
const byDimension = new Map<string, Metrics>();
let publishing: boolean | undefined;

/** Whether this process writes metrics: only in Lambda. */
function isPublishing(): boolean {
  publishing ??= loadEnv().AWS_LAMBDA_FUNCTION_NAME !== undefined;
  return publishing;
}

function metricsFor(dimension?: readonly [string, string]): Metrics {
  const key = dimension ? dimension.join('=') : '';
  let metrics = byDimension.get(key);
  if (!metrics) {
    const stage = loadEnv().GATEHOUSE_STAGE;
    metrics = new Metrics({
      namespace: METRICS_NAMESPACE,
      serviceName: SERVICE_NAME,
      defaultDimensions: {
        ...(stage ? { stage } : {}),
        ...(dimension ? { [dimension[0]]: dimension[1] } : {}),
      },
    });
    byDimension.set(key, metrics);
  }
  return metrics;
}

/** Counts one occurrence of `name`, optionally under one extra dimension of a known, small set. */
export function countMetric(name: string, dimension?: readonly [string, string], count = 1): void {
  if (!isPublishing()) return;
  metricsFor(dimension).addMetric(name, MetricUnit.Count, count);
}

/** Writes what this invocation recorded (one EMF line per dimension set) and clears it. */
export function flushMetrics(): void {
  for (const metrics of byDimension.values()) {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
}

/** An authorizer decision: `Allowed`, or `Denied` with the decision as its reason. */
export function recordDecision(decision: Decision): void {
  if (decision === 'allow') countMetric(METRIC.allowed);
  else countMetric(METRIC.denied, ['reason', decision]);
}

/** The authorizer could not decide: the fault its alarm counts (never a 401). */
export function recordAuthorizerFault(): void {
  countMetric(METRIC.authorizerFault);
}

/**
 * The authorizer denied on an item of a format it does not know. `kind`: the item kind, one of
 * the small fixed set `ITEM_KINDS` of shared/store/records/item-format.ts (not imported: the
 * store layer imports this one).
 */
export function recordUnknownItemFormat(kind: string): void {
  countMetric(METRIC.unknownItemFormat, ['kind', kind]);
}

/** An email SES accepted. */
export function recordMailSent(): void {
  countMetric(METRIC.mailSent);
}

/** Sessions ended by force: a member's in one tenant, everyone's of a person, or offboarding. */
export function recordForcedLogout(kind: ForcedLogoutKind): void {
  countMetric(METRIC.forcedLogout, ['kind', kind]);
}

/** A bounce or complaint SES reported (the mail-events handler calls it once per recipient). */
export function recordBounce(kind: BounceKind): void {
  countMetric(METRIC.bounce, ['kind', kind]);
}
