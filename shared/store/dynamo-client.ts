/** Builds the DynamoDB document client once per process, pointed at DynamoDB Local when configured. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Env } from '#shared/config/env.js';
import { LimitError } from '#shared/errors/domain-errors.js';
import type {
  DocumentOperation,
  DocumentOperations,
  DocumentTransport,
} from '#shared/store/document-transport.js';

/** DynamoDB's hard limit on one item. */
export const DYNAMODB_ITEM_BYTES = 400 * 1024;

/**
 * Whether DynamoDB refused a write because an item is larger than it allows: a
 * ValidationException, or a cancelled transaction whose reason says so.
 */
export function isItemTooLarge(error: unknown): boolean {
  const e = error as { name?: string; message?: string; CancellationReasons?: unknown };
  const sizeMessage = (m: unknown) => typeof m === 'string' && /item size|size.*exceed/i.test(m);
  if (e?.name === 'ValidationException' && sizeMessage(e.message)) return true;
  if (e?.name === 'TransactionCanceledException' && Array.isArray(e.CancellationReasons)) {
    return e.CancellationReasons.some((r: { Code?: string; Message?: string }) =>
      sizeMessage(r?.Message),
    );
  }
  return false;
}

/**
 * The backstop behind the tenant limits: an item DynamoDB finds too large is a 409 naming the
 * `itemSize` limit, never a 500 (the limits checked before writing should make it unreachable).
 */
export function itemTooLarge(cause: unknown): LimitError {
  const message = `limit itemSize reached: an item would exceed DynamoDB's ${DYNAMODB_ITEM_BYTES} bytes; remove grants first`;
  return new LimitError(message, 'itemSize', DYNAMODB_ITEM_BYTES, [{ path: 'body', message }], {
    cause,
  });
}

import { clientConfig, guardClient } from '#shared/platform/dependency-guard.js';

export function createDocumentClient(
  env: Pick<Env, 'AWS_REGION' | 'DYNAMODB_ENDPOINT'> & Partial<Pick<Env, 'DEPENDENCY_TIMEOUT_MS'>>,
) {
  const client = new DynamoDBClient(
    clientConfig({
      region: env.AWS_REGION,
      endpoint: env.DYNAMODB_ENDPOINT,
      requestTimeoutMs: env.DEPENDENCY_TIMEOUT_MS,
    }),
  );
  guardClient(client, 'DynamoDB');
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
  doc.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (isItemTooLarge(error)) throw itemTooLarge(error);
        throw error;
      }
    },
    { step: 'initialize', name: 'gatehouseItemTooLarge' },
  );
  return doc;
}

export type DocumentClient = ReturnType<typeof createDocumentClient>;

/** The document client's command of each operation the storage port sends. */
const COMMANDS = {
  GetItem: GetCommand,
  BatchGetItem: BatchGetCommand,
  PutItem: PutCommand,
  UpdateItem: UpdateCommand,
  DeleteItem: DeleteCommand,
  Query: QueryCommand,
  Scan: ScanCommand,
  TransactWriteItems: TransactWriteCommand,
} as const;

/**
 * The storage port's transport over the SDK's document client: each operation becomes its
 * command, so the client's middleware (the dependency guard, the item-size backstop, the local
 * access guard, request counters) sees every request.
 */
export function sdkTransport(db: DocumentClient): DocumentTransport {
  return {
    call<O extends DocumentOperation>(operation: O, input: DocumentOperations[O][0]) {
      const Command = COMMANDS[operation] as unknown as new (
        input: DocumentOperations[O][0],
      ) => Parameters<DocumentClient['send']>[0];
      return db.send(new Command(input)) as Promise<DocumentOperations[O][1]>;
    },
  };
}
