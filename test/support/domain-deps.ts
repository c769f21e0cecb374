/** Store dependencies pointed at the test stack's DynamoDB Local, for tests that call domain functions directly. */
import type { StoreDeps } from '#shared/app/context.js';
import { type Clock, systemClock } from '#shared/platform/clock.js';
import { randomTokens } from '#shared/platform/secret-tokens.js';
import { createDocumentClient } from '#shared/store/dynamo-client.js';
import { stack } from './stack-client.js';

export function domainDeps(clock: Clock = systemClock): StoreDeps {
  return {
    db: createDocumentClient({
      AWS_REGION: stack.dynamodb.region,
      DYNAMODB_ENDPOINT: stack.dynamodb.endpoint,
    }),
    tableName: stack.dynamodb.tableName,
    clock,
    tokens: randomTokens,
  };
}
