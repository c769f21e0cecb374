/**
 * The storage port against DynamoDB Local: a failed condition raises the error its own item
 * carries (never decoded by position), a lost race is retryable, reads of many keys and queries
 * over many pages return everything, a failed transaction writes nothing, and `transactOrFailed`
 * names every item whose condition failed.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConflictError, GoneError, NotFoundError } from '#shared/errors/domain-errors.js';
import type { Table, TxItem } from '#shared/store/table.js';
import { domainDeps } from '../support/domain-deps.js';

const table: Table = domainDeps().table;
const partition = () => `TEST#${randomUUID()}`;

describe('the storage port', () => {
  it('raises the error of the item whose condition failed, wherever it stands in the transaction', async () => {
    const pk = partition();
    await table.put({ pk, sk: 'B', v: 1 });
    for (const position of [0, 1, 2]) {
      const items: TxItem[] = [
        {
          put: { pk, sk: `NEW#${position}#1` },
          when: { if: 'attribute_not_exists(pk)', else: () => new GoneError('first') },
        },
        {
          put: { pk, sk: `NEW#${position}#2` },
          when: { if: 'attribute_not_exists(pk)', else: () => new GoneError('second') },
        },
      ];
      items.splice(position, 0, {
        put: { pk, sk: 'B', v: 2 },
        when: { if: 'attribute_not_exists(pk)', else: () => new NotFoundError('the taken one') },
      });
      await expect(table.transact(items)).rejects.toMatchObject({ message: 'the taken one' });
    }
    const left = await table.queryAll({ partition: pk });
    expect(left).toEqual([{ pk, sk: 'B', v: 1 }]);
  });

  it('answers which items of a transaction failed their conditions, writing none of it', async () => {
    const pk = partition();
    await table.put({ pk, sk: 'B' });
    await table.put({ pk, sk: 'D' });
    const fresh = (sk: string): TxItem => ({
      put: { pk, sk, v: 2 },
      when: { if: 'attribute_not_exists(pk)' },
    });
    const cancelled = await table.transactOrFailed(['A', 'B', 'C', 'D', 'E'].map(fresh));
    // DynamoDB reports every item's reason, in request order.
    expect(cancelled.failed).toEqual([1, 3]);
    expect(await table.queryAll({ partition: pk })).toEqual([
      { pk, sk: 'B' },
      { pk, sk: 'D' },
    ]);
    expect(await table.transactOrFailed(['A', 'C', 'E'].map(fresh))).toEqual({ failed: [] });
    expect((await table.queryAll({ partition: pk })).map((i) => i.sk)).toEqual([
      'A',
      'B',
      'C',
      'D',
      'E',
    ]);
  });

  it('treats a failed condition without its own error as a lost race that may be retried', async () => {
    const pk = partition();
    await table.put({ pk, sk: 'A', version: 2 });
    const attempt = table.transact([
      {
        update: { pk, sk: 'A' },
        set: 'SET version = :n',
        values: { ':n': 3 },
        when: { if: 'version = :old', values: { ':old': 1 } },
      },
    ]);
    await expect(attempt).rejects.toBeInstanceOf(ConflictError);
    await expect(attempt).rejects.toMatchObject({ retryable: true });
    expect(await table.get({ pk, sk: 'A' })).toMatchObject({ version: 2 });
  });

  it('raises a single write’s own error when its condition fails', async () => {
    const pk = partition();
    await table.put({ pk, sk: 'A' });
    await expect(
      table.put(
        { pk, sk: 'A' },
        { if: 'attribute_not_exists(pk)', else: () => new GoneError('exists') },
      ),
    ).rejects.toBeInstanceOf(GoneError);
    await expect(
      table.delete(
        { pk, sk: 'missing' },
        { if: 'attribute_exists(pk)', else: () => new NotFoundError('no such item') },
      ),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('reads 250 keys in one call, absent keys absent, and queries every page of a partition', async () => {
    const pk = partition();
    const big = 'x'.repeat(8_000);
    const written = Array.from({ length: 240 }, (_, i) => ({
      pk,
      sk: `ITEM#${String(i).padStart(4, '0')}`,
      big,
    }));
    for (let i = 0; i < written.length; i += 25) {
      await table.transact(written.slice(i, i + 25).map((put) => ({ put })));
    }
    const keys = [
      ...written.map(({ pk: p, sk }) => ({ pk: p, sk })),
      ...Array.from({ length: 10 }, (_, i) => ({ pk, sk: `NONE#${i}` })),
    ];
    const found = await table.batchGet(keys, { attributes: ['big'] });
    expect(found.size).toBe(240);
    expect(table.pick(found, { pk, sk: 'ITEM#0239' })).toEqual({ pk, sk: 'ITEM#0239', big });
    expect(table.pick(found, { pk, sk: 'NONE#3' })).toBeUndefined();
    // 240 items of 8 KB are about 1.9 MB: DynamoDB returns them in pages of 1 MB.
    const first = await table.query({ partition: pk, prefix: 'ITEM#' });
    expect(first.lastKey).toBeDefined();
    const all = await table.queryAll({ partition: pk, prefix: 'ITEM#', attributes: ['sk'] });
    expect(all.map((i) => i.sk)).toEqual(written.map((i) => i.sk));
    const newest = await table.query({
      partition: pk,
      prefix: 'ITEM#',
      newestFirst: true,
      limit: 2,
    });
    expect(newest.items.map((i) => i.sk)).toEqual(['ITEM#0239', 'ITEM#0238']);
  });
});
