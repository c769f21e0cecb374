/** Idempotency-Key for invite creation: the first response is stored and replayed; a reused key with another body is 422. */
import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Caller, StoreDeps } from '#shared/app/context.js';
import { ConflictError, InvalidError, UnprocessableError } from '#shared/errors/domain-errors.js';
import { keys } from '#shared/store/keys.js';

const KEY_TTL_SECONDS = 24 * 3600;

function bodyHash(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

/**
 * Runs `work` once per (tenant, caller, scope, key): the key is claimed before the work
 * starts, so a concurrent retry gets 409 instead of doing it twice, and a later retry gets the
 * stored result. The key belongs to the caller who sent it: another member of the tenant
 * reusing it neither replays (nor learns) the first caller's response nor blocks their own
 * request.
 */
export async function withIdempotency<T>(
  deps: StoreDeps,
  tenantId: string,
  caller: Caller,
  scope: string,
  key: string | undefined,
  body: unknown,
  work: () => Promise<T>,
): Promise<T> {
  if (key === undefined) return work();
  if (!/^[\x21-\x7e]{1,128}$/.test(key)) {
    throw new InvalidError('Invalid Idempotency-Key', [
      { path: 'header.idempotency-key', message: 'must be 1-128 visible ASCII characters' },
    ]);
  }
  const Key = keys.idempotency(tenantId, `${scope}#${encodeURIComponent(caller.userId)}`, key);
  const hash = bodyHash(body);
  const now = deps.clock.now();
  try {
    await deps.db.send(
      new PutCommand({
        TableName: deps.tableName,
        Item: {
          ...Key,
          type: 'idempotency',
          bodyHash: hash,
          state: 'running',
          createdAt: now.toISOString(),
          ttl: Math.floor(now.getTime() / 1000) + KEY_TTL_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const res = await deps.db.send(
      new GetCommand({ TableName: deps.tableName, Key, ConsistentRead: true }),
    );
    const stored = res.Item;
    if (!stored) throw new ConflictError('Retry the request', { retryable: true });
    if (stored.bodyHash !== hash) {
      throw new UnprocessableError('This Idempotency-Key was used with a different request body');
    }
    if (stored.state !== 'done') {
      throw new ConflictError('A request with this Idempotency-Key is still in progress');
    }
    return stored.response as T;
  }
  let result: T;
  try {
    result = await work();
  } catch (error) {
    await deps.db.send(new DeleteCommand({ TableName: deps.tableName, Key }));
    throw error;
  }
  await deps.db.send(
    new UpdateCommand({
      TableName: deps.tableName,
      Key,
      UpdateExpression: 'SET #s = :done, #r = :r',
      ExpressionAttributeNames: { '#s': 'state', '#r': 'response' },
      ExpressionAttributeValues: { ':done': 'done', ':r': result },
    }),
  );
  return result;
}
