/** Idempotency-Key for invite creation: the first response is stored and replayed; a reused key with another body is 422. */
import { createHash } from 'node:crypto';
import type { Caller, StoreDeps } from '#shared/app/context.js';
import { ConflictError, InvalidError, UnprocessableError } from '#shared/errors/domain-errors.js';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  findIdempotencyKey,
  idempotencyKey,
  releaseIdempotencyKey,
} from '#shared/store/records/idempotency-record.js';

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
  const Key = idempotencyKey(tenantId, `${scope}#${encodeURIComponent(caller.userId)}`, key);
  const hash = bodyHash(body);
  if (!(await claimIdempotencyKey(deps.table, Key, hash, deps.clock.now()))) {
    return replay<T>(deps, Key, hash);
  }
  let result: T;
  try {
    result = await work();
  } catch (error) {
    await releaseIdempotencyKey(deps.table, Key);
    throw error;
  }
  await completeIdempotencyKey(deps.table, Key, result);
  return result;
}

/** The stored response of a claimed key: 422 for another body, 409 while its request runs. */
async function replay<T>(
  deps: StoreDeps,
  Key: ReturnType<typeof idempotencyKey>,
  hash: string,
): Promise<T> {
  const stored = await findIdempotencyKey(deps.table, Key);
  if (!stored) throw new ConflictError('Retry the request', { retryable: true });
  if (stored.bodyHash !== hash) {
    throw new UnprocessableError('This Idempotency-Key was used with a different request body');
  }
  if (stored.state !== 'done') {
    throw new ConflictError('A request with this Idempotency-Key is still in progress');
  }
  return stored.response as T;
}
