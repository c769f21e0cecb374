/** Builds the DynamoDB document client once per process, pointed at DynamoDB Local when configured. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Env } from '#shared/config/env.js';
import {
  clientTimeouts,
  DEFAULT_TIMEOUTS,
  guardClient,
} from '#shared/platform/dependency-guard.js';

export function createDocumentClient(
  env: Pick<Env, 'AWS_REGION' | 'DYNAMODB_ENDPOINT'> & Partial<Pick<Env, 'DEPENDENCY_TIMEOUT_MS'>>,
) {
  const client = new DynamoDBClient({
    region: env.AWS_REGION,
    ...clientTimeouts({
      ...DEFAULT_TIMEOUTS,
      requestTimeoutMs: env.DEPENDENCY_TIMEOUT_MS ?? DEFAULT_TIMEOUTS.requestTimeoutMs,
    }),
    ...(env.DYNAMODB_ENDPOINT
      ? {
          endpoint: env.DYNAMODB_ENDPOINT,
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }
      : {}),
  });
  guardClient(client, 'DynamoDB');
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
}

export type DocumentClient = ReturnType<typeof createDocumentClient>;
