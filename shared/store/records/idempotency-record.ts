/** Idempotency items: a claimed request key, the hash of its body, and its stored response. */
import { keys } from '#shared/store/keys.js';
import { written } from '#shared/store/records/conditional-write.js';
import type { Key, Table } from '#shared/store/table.js';
import { TTL_ATTRIBUTE } from '#shared/store/table-definition.js';

const KEY_TTL_SECONDS = 24 * 3600;

export interface IdempotencyRecord {
  bodyHash: string;
  state: 'running' | 'done';
  response?: unknown;
}

export function idempotencyKey(tenantId: string, scope: string, key: string): Key {
  return keys.idempotency(tenantId, scope, key);
}

/** Claims `key` for a request with this body hash; false when it is claimed already. */
export function claimIdempotencyKey(
  table: Table,
  key: Key,
  bodyHash: string,
  now: Date,
): Promise<boolean> {
  return written(
    table.put(
      {
        ...key,
        type: 'idempotency',
        bodyHash,
        state: 'running',
        createdAt: now.toISOString(),
        [TTL_ATTRIBUTE]: Math.floor(now.getTime() / 1000) + KEY_TTL_SECONDS,
      },
      { if: 'attribute_not_exists(pk)' },
    ),
  );
}

export async function findIdempotencyKey(
  table: Table,
  key: Key,
): Promise<IdempotencyRecord | undefined> {
  const item = await table.get(key);
  if (!item) return undefined;
  return {
    bodyHash: String(item.bodyHash),
    state: item.state === 'done' ? 'done' : 'running',
    response: item.response,
  };
}

/** Stores the response of the request that claimed `key`. */
export async function completeIdempotencyKey(table: Table, key: Key, response: unknown) {
  await table.update(key, 'SET #s = :done, #r = :r', {
    names: { '#s': 'state', '#r': 'response' },
    values: { ':done': 'done', ':r': response },
  });
}

/** Releases `key` after its request failed, so a retry runs it again. */
export function releaseIdempotencyKey(table: Table, key: Key): Promise<void> {
  return table.delete(key);
}
