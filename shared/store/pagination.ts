/** Cursor pagination: `limit` 1..100 (default 25) and an opaque cursor wrapping DynamoDB's last key. */
import * as z from 'zod';
import { InvalidError } from '#shared/errors/domain-errors.js';

export const PageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(2048).optional(),
};

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function encodeCursor(key: Record<string, unknown> | undefined): string | null {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : null;
}

/** Decodes a cursor; the partition key must match, so a cursor cannot read another tenant. */
export function decodeCursor(
  cursor: string | undefined,
  expected: Record<string, string>,
): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    for (const [name, value] of Object.entries(expected)) {
      if (key[name] !== value) throw new Error('cursor from another listing');
    }
    return key;
  } catch {
    throw new InvalidError('The cursor is not valid for this listing', [
      { path: 'query.cursor', message: 'invalid cursor' },
    ]);
  }
}
