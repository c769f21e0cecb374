/**
 * Cursors: a listing's nextCursor takes the caller to the next page and nowhere else. A cursor
 * of another tenant, another listing or a forged one is a 400 naming `query.cursor`.
 */
import { describe, expect, it } from 'vitest';
import { InvalidError } from '#shared/errors/domain-errors.js';
import { decodeCursor, encodeCursor, offsetPage } from '#shared/store/pagination.js';

const forge = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
const cursorError = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidError);
    return (error as InvalidError).errors[0]?.path;
  }
  throw new Error('expected a 400');
};

describe('key cursors', () => {
  const key = { pk: 'TENANT#a', sk: 'MEMBER#u1' };

  it('round-trip a key of the same listing, and no cursor means the first page', () => {
    const cursor = encodeCursor(key) ?? '';
    expect(decodeCursor(cursor, { pk: 'TENANT#a' }, { sk: 'MEMBER#' })).toEqual(key);
    expect(decodeCursor(undefined, { pk: 'TENANT#a' })).toBeUndefined();
    expect(encodeCursor(undefined)).toBeNull();
  });

  it.each([
    ['another tenant', forge({ pk: 'TENANT#b', sk: 'MEMBER#u1' })],
    ['another listing of the tenant', forge({ pk: 'TENANT#a', sk: 'INVITE#1' })],
    ['an extra attribute', forge({ ...key, gsi1pk: 'x' })],
    ['a missing attribute', forge({ pk: 'TENANT#a' })],
    ['a number for a string', forge({ pk: 'TENANT#a', sk: 7 })],
    ['an empty value', forge({ pk: 'TENANT#a', sk: '' })],
    ['an array', forge(['TENANT#a', 'MEMBER#u1'])],
    ['not JSON', Buffer.from('{pk:', 'utf8').toString('base64url')],
  ])('refuses a cursor with %s as a 400 naming query.cursor', (_case, cursor) => {
    expect(cursorError(() => decodeCursor(cursor, { pk: 'TENANT#a' }, { sk: 'MEMBER#' }))).toBe(
      'query.cursor',
    );
  });
});

describe('offset cursors (lists computed in memory)', () => {
  const all = Array.from({ length: 7 }, (_, i) => i);

  it('walk the list in pages and end with a null cursor', () => {
    const seen: number[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = offsetPage(all, { limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(all);
  });

  it('refuse a key cursor or a forged offset as a 400 naming query.cursor', () => {
    const keyCursor = encodeCursor({ pk: 'TENANT#a', sk: 'MEMBER#u1' }) ?? '';
    expect(cursorError(() => offsetPage(all, { limit: 3, cursor: keyCursor }))).toBe(
      'query.cursor',
    );
    const negative = Buffer.from('o:-1', 'utf8').toString('base64url');
    expect(cursorError(() => offsetPage(all, { limit: 3, cursor: negative }))).toBe('query.cursor');
  });
});
