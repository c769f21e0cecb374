/**
 * The local stand-in for IAM on the table (local/access-guard.ts), against DynamoDB Local: a
 * request a function's declared needs do not allow fails like AccessDenied and writes nothing.
 */
import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { createDocumentClient } from '#shared/store/dynamo-client.js';
import { keys } from '#shared/store/keys.js';
import { attributesIn, guardTableClient, runAs } from '../../local/access-guard.js';

const { dynamodb } = inject('stack');
const TableName = dynamodb.tableName;
const db = createDocumentClient({
  AWS_REGION: dynamodb.region,
  DYNAMODB_ENDPOINT: dynamodb.endpoint,
});
guardTableClient(db);

const id = () => randomBytes(5).toString('hex');
const denied = { name: 'AccessDeniedException', $fault: 'client' };

async function stored(key: { pk: string; sk: string }) {
  return (await db.send(new GetCommand({ TableName, Key: key }))).Item;
}

describe('local access guard', () => {
  it('refuses a write from a read-only function and writes nothing', async () => {
    const key = { pk: `TENANT#g-${id()}`, sk: 'META' };
    await expect(
      runAs('audit', () => db.send(new PutCommand({ TableName, Item: { ...key, name: 'x' } }))),
    ).rejects.toMatchObject(denied);
    expect(await stored(key)).toBeUndefined();
  });

  it('lets a read-only function read, and a writing function write', async () => {
    const key = { pk: `TENANT#g-${id()}`, sk: 'META' };
    await runAs('members', () => db.send(new PutCommand({ TableName, Item: { ...key, n: 1 } })));
    const read = await runAs('audit', () => db.send(new GetCommand({ TableName, Key: key })));
    expect(read.Item).toMatchObject({ n: 1 });
  });

  it('refuses every table request of a function that declares no table', async () => {
    await expect(
      runAs('docs', () => db.send(new GetCommand({ TableName, Key: { pk: 'x', sk: 'y' } }))),
    ).rejects.toMatchObject(denied);
  });

  it("lets the authorizer set a token's lastUsedAt and nothing else", async () => {
    const token = keys.apiToken(`g-${id()}`, 'sa1', 'tok1');
    await db.send(new PutCommand({ TableName, Item: { ...token, status: 'active' } }));
    const touch = (set: string, key = token) =>
      runAs('authorizer', () =>
        db.send(
          new UpdateCommand({
            TableName,
            Key: key,
            UpdateExpression: set,
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':now': '2026-12-01T00:00:00.000Z' },
          }),
        ),
      );
    await touch('SET lastUsedAt = :now');
    await expect(touch('SET #s = :now, lastUsedAt = :now')).rejects.toMatchObject(denied);
    await expect(touch('SET status = :now')).rejects.toMatchObject(denied);
    await expect(touch('SET lastUsedAt = :now', keys.userSessions(id()))).rejects.toMatchObject(
      denied,
    );
    expect(await stored(token)).toMatchObject({
      status: 'active',
      lastUsedAt: '2026-12-01T00:00:00.000Z',
    });
  });

  it('holds the re-drive to the one index it declares', async () => {
    const query = (IndexName: string) =>
      runAs('mail-redrive', () =>
        db.send(
          new QueryCommand({
            TableName,
            IndexName,
            KeyConditionExpression: '#p = :p',
            ExpressionAttributeNames: { '#p': IndexName === 'byUser' ? 'gsi1pk' : 'gsi2pk' },
            ExpressionAttributeValues: { ':p': 'OUTBOX#DUE' },
          }),
        ),
      );
    await expect(query('byUser')).resolves.toBeDefined();
    await expect(query('byEmail')).rejects.toMatchObject(denied);
  });

  it('leaves requests made outside any function unchecked', async () => {
    const key = { pk: `TENANT#g-${id()}`, sk: 'META' };
    await db.send(new PutCommand({ TableName, Item: key }));
    expect(await stored(key)).toEqual(key);
  });

  it('reads the attributes an expression names, not its values or functions', () => {
    expect(
      attributesIn('SET #a = :a, b.c = if_not_exists(d, :z) REMOVE e', { '#a': 'alpha' }),
    ).toEqual(['alpha', 'b', 'd', 'e']);
  });
});
