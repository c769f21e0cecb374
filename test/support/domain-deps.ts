/** Store dependencies pointed at the test stack's DynamoDB Local, for tests that call domain functions directly. */
import type { StoreDeps } from '#shared/app/context.js';
import { createStoreDeps } from '#shared/app/store-deps.js';
import { type Clock, systemClock } from '#shared/platform/clock.js';
import { createDocumentClient } from '#shared/store/dynamo-client.js';
import { stack } from './stack-client.js';

export function domainDeps(clock: Clock = systemClock): StoreDeps {
  const db = createDocumentClient({
    AWS_REGION: stack.dynamodb.region,
    DYNAMODB_ENDPOINT: stack.dynamodb.endpoint,
  });
  return createStoreDeps(db, stack.dynamodb.tableName, { clock });
}
