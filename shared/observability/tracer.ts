/**
 * The Powertools Tracer of route functions and workers: every AWS SDK client (DynamoDB, Cognito,
 * SES) gets a subsegment per call. Importing this module turns it on; the authorizer does not,
 * to keep its bundle small (Lambda active tracing still traces its invocations). Outside Lambda
 * the tracer is disabled and changes nothing.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';
import { registerClientTracing } from '#shared/observability/client-tracing.js';
import { SERVICE_NAME } from '#shared/observability/logger.js';

export const tracer = new Tracer({ serviceName: SERVICE_NAME });

registerClientTracing((client) => {
  tracer.captureAWSv3Client(client);
});
