/**
 * What a function writes to stdout and stderr, as Lambda would ship it to CloudWatch: its JSON log lines
 * and its EMF metric documents. Modules are loaded fresh after the environment is set, as a
 * Lambda cold start would load them (the configuration is read once per process).
 */
import type { Context } from 'aws-lambda';
import { vi } from 'vitest';

/** An EMF document as Powertools Metrics writes it. */
export interface EmfDocument {
  _aws: {
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[];
  };
  [key: string]: unknown;
}

/**
 * Captures stdout and stderr (Lambda ships both to the log group) until `stop()`; `json()`
 * parses every JSON line written meanwhile.
 */
export function captureOutput() {
  const chunks: string[] = [];
  const record = (chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(record),
    vi.spyOn(process.stderr, 'write').mockImplementation(record),
  ];
  const json = () =>
    chunks
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    json,
    emf: () => json().filter((doc): doc is EmfDocument => '_aws' in doc),
    logs: () => json().filter((doc) => !('_aws' in doc)),
    stop: () => {
      for (const spy of spies) spy.mockRestore();
    },
  };
}

/** Sets the environment of a deployed function, then gives modules loaded from now on a fresh start. */
export function coldStartInLambda(env: Record<string, string | undefined> = {}): void {
  vi.resetModules();
  vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'gatehouse-test-fn');
  vi.stubEnv('GATEHOUSE_STAGE', 'test');
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
}

/** A Lambda context as the runtime passes it. */
export function lambdaContext(requestId = 'lambda-request-1'): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'gatehouse-test-fn',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:gatehouse-test-fn',
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/gatehouse-test-fn',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** The metric values of `name` in `docs`, each with the document's dimension values. */
export function metricsNamed(docs: EmfDocument[], name: string): Record<string, unknown>[] {
  return docs.filter((doc) =>
    doc._aws.CloudWatchMetrics.some((m) => m.Metrics.some((x) => x.Name === name)),
  );
}
