/** Cursor pagination: `limit` 1..100 (default 25) and an opaque cursor wrapping DynamoDB's last key. */
import * as z from 'zod/mini';
import { InvalidError } from '#shared/errors/domain-errors.js';
import type { Table } from '#shared/store/table.js';

// A pure call: a bundle that never reads PageQuery (the authorizer's) drops it, and zod with it.
export const PageQuery = /* @__PURE__ */ (() => ({
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 25),
  cursor: z.optional(z.string().check(z.maxLength(2048))),
}))();

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function encodeCursor(key: Record<string, unknown> | undefined): string | null {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : null;
}

/**
 * Decodes a cursor for one listing. It must be a key of that listing exactly: string values
 * only, the table key (pk, sk) plus the index key named in `expected`, every `expected`
 * attribute equal (the partition: a cursor cannot read another tenant) and every `startsWith`
 * attribute inside the listing's range. Anything else, a cursor of another listing included,
 * is a 400 naming `query.cursor`, never a DynamoDB error.
 */
export function decodeCursor(
  cursor: string | undefined,
  expected: Record<string, string>,
  startsWith: Record<string, string> = {},
): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  const allowed = new Set(['pk', 'sk', ...Object.keys(expected), ...Object.keys(startsWith)]);
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (!key || typeof key !== 'object' || Array.isArray(key)) throw new Error('not a key');
    const entries = Object.entries(key);
    if (entries.length !== allowed.size) throw new Error('wrong key attributes');
    for (const [name, value] of entries) {
      if (!allowed.has(name) || typeof value !== 'string' || value === '') {
        throw new Error('wrong key attributes');
      }
    }
    const record = key as Record<string, string>;
    for (const [name, value] of Object.entries(expected)) {
      if (record[name] !== value) throw new Error('cursor from another listing');
    }
    for (const [name, prefix] of Object.entries(startsWith)) {
      if (!record[name]?.startsWith(prefix)) throw new Error('cursor from another listing');
    }
    return record;
  } catch {
    throw new InvalidError('The cursor is not valid for this listing', [
      { path: 'query.cursor', message: 'invalid cursor: pass back a nextCursor of this listing' },
    ]);
  }
}

const OFFSET_CURSOR = /^o:(\d{1,9})$/;

/**
 * One page of a list computed in memory (e.g. effective permissions), by position: the cursor
 * wraps the offset of the next item. A cursor that is not one of these is a 400 naming
 * `query.cursor`.
 */
export function offsetPage<T>(
  all: readonly T[],
  query: { limit: number; cursor?: string },
): Page<T> {
  let offset = 0;
  if (query.cursor !== undefined) {
    const match = OFFSET_CURSOR.exec(Buffer.from(query.cursor, 'base64url').toString('utf8'));
    if (!match) {
      throw new InvalidError('The cursor is not valid for this listing', [
        { path: 'query.cursor', message: 'invalid cursor: pass back a nextCursor of this listing' },
      ]);
    }
    offset = Number(match[1]);
  }
  const end = offset + query.limit;
  return {
    items: all.slice(offset, end),
    nextCursor: end < all.length ? Buffer.from(`o:${end}`, 'utf8').toString('base64url') : null,
  };
}

/**
 * One page of a partition's items whose sort key starts with `prefix` (eventually consistent,
 * as listings are), resuming after `cursor`, which must be a key of this same listing.
 */
export async function prefixPage(
  table: Table,
  partition: string,
  prefix: string,
  query: { limit: number; cursor?: string },
) {
  const page = await table.query({
    partition,
    prefix,
    limit: query.limit,
    startKey: decodeCursor(query.cursor, { pk: partition }, { sk: prefix }),
    consistent: false,
  });
  return { items: page.items, nextCursor: encodeCursor(page.lastKey) };
}
