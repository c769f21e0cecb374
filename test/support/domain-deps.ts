import { createStoreDeps, type WiredStoreDeps } from '#shared/app/store-deps.js';
import { type Clock, systemClock } from '#shared/platform/clock.js';
import { createDocumentClient } from '#shared/store/dynamo-client.js';
import { stack } from './stack-client.js';

export function domainDeps(clock: Clock = systemClock): WiredStoreDeps {
  const db = createDocumentClient({
    AWS_REGION: stack.dynamodb.region,
    DYNAMODB_ENDPOINT: stack.dynamodb.endpoint,
    // Tests drive services directly on one DynamoDB Local shared with every other test file;
    // a slow moment on a loaded 2-core machine must not fail a test that is not about timeouts
    // (those build their own clients with short limits: faults, authorizer-metrics).
    DEPENDENCY_TIMEOUT_MS: 15_000,
  });
  return createStoreDeps(db, stack.dynamodb.tableName, { clock });
}
