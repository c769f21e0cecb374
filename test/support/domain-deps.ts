import { createStoreDeps, type WiredStoreDeps } from '#shared/app/store-deps.js';
import { type Clock, systemClock } from '#shared/platform/clock.js';
import { createDocumentClient } from '#shared/store/dynamo-client.js';
import { stack } from './stack-client.js';

export function domainDeps(clock: Clock = systemClock): WiredStoreDeps {
  const db = createDocumentClient({
    AWS_REGION: stack.dynamodb.region,
    DYNAMODB_ENDPOINT: stack.dynamodb.endpoint,
  });
  return createStoreDeps(db, stack.dynamodb.tableName, { clock });
}
