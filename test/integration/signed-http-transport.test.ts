/**
 * The authorizer's signed HTTP transport against DynamoDB Local: the same documents as the SDK's
 * client for every attribute type, DynamoDB's errors by name, the SDK's retry rules on server
 * errors, throttling, refused connections and timeouts (a fault-injecting proxy in front of
 * DynamoDB Local), the request deadline, and a signature the SDK's own signer agrees with.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCredentials } from '#shared/config/env.js';
import { UnavailableError } from '#shared/errors/domain-errors.js';
import { withDeadline } from '#shared/platform/deadline.js';
import { createDocumentClient, sdkTransport } from '#shared/store/dynamo-client.js';
import {
  createHttpTransport,
  type SignedHttpTransport,
} from '#shared/store/signed-http-transport.js';
import { createTable } from '#shared/store/table.js';
import { freePort } from '../../local/processes.js';
import { stack } from '../support/stack-client.js';

const TableName = stack.dynamodb.tableName;
const region = stack.dynamodb.region;
const sdk = sdkTransport(
  createDocumentClient({ AWS_REGION: region, DYNAMODB_ENDPOINT: stack.dynamodb.endpoint }),
);
const run = `sht-${Date.now().toString(36)}`;

/** A transport to `endpoint` that counts its attempts. */
function transportTo(endpoint: string, requestTimeoutMs = 3000) {
  const transport = createHttpTransport({ region, endpoint, local: true, requestTimeoutMs });
  const attempts: string[] = [];
  transport.onRequest((operation) => attempts.push(operation));
  return { transport, attempts };
}

/** What the proxy does with the next request: pass it to DynamoDB Local, fail it, or hang. */
type Fault =
  | { status: number; type: string }
  | { answer: (body: string) => object }
  | 'hang'
  | 'pass'
  | ((req: IncomingMessage, body: string) => void);

/** A proxy in front of DynamoDB Local that applies `faults` in order, then passes requests on. */
async function faultProxy(): Promise<{ url: string; faults: Fault[]; server: Server }> {
  const faults: Fault[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const fault = faults.shift() ?? 'pass';
      if (fault === 'hang') return; // never answers
      if (typeof fault === 'object' && 'answer' in fault) {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify(fault.answer(body)));
        return;
      }
      if (typeof fault === 'object') {
        res.writeHead(fault.status, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${fault.type}` }));
        return;
      }
      if (typeof fault === 'function') fault(req, body);
      const answer = await fetch(stack.dynamodb.endpoint, {
        method: 'POST',
        headers: {
          'content-type': String(req.headers['content-type']),
          'x-amz-target': String(req.headers['x-amz-target']),
          authorization: String(req.headers.authorization),
          'x-amz-date': String(req.headers['x-amz-date']),
        },
        body,
      });
      res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(await answer.text());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, faults, server };
}

const bytes = (data: string | ArrayBuffer | ArrayBufferView) =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

/** SHA-256 (HMAC with a secret) from node:crypto, in the shape the SDK's signer takes. */
class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView) {
    this.hash.update(bytes(data));
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

/** Every attribute type the document client maps, binary ones nested too. */
const EVERY_TYPE = {
  s: 'text',
  n: 42.5,
  big: 9007199254740991,
  t: true,
  f: false,
  nothing: null,
  list: ['a', 1, { inner: 'x' }, new Uint8Array([1, 2])],
  map: { deep: { deeper: 'y', bytes: new Uint8Array([0, 255, 128]) } },
  ss: new Set(['a', 'b']),
  ns: new Set([1, 2, 3]),
  b: new Uint8Array([104, 105, 0, 255]),
  bs: new Set([new Uint8Array([1]), new Uint8Array([2, 3])]),
  empty: '',
};

let proxy: Awaited<ReturnType<typeof faultProxy>>;
let local: ReturnType<typeof transportTo>;
const key = (sk: string) => ({ pk: `${run}#ITEM`, sk });

beforeAll(async () => {
  proxy = await faultProxy();
  local = transportTo(stack.dynamodb.endpoint);
  await sdk.call('PutItem', { TableName, Item: { ...key('every'), ...EVERY_TYPE } });
  await sdk.call('PutItem', { TableName, Item: { ...key('second'), n: 2 } });
});

afterAll(async () => {
  await new Promise((resolve) => proxy.server.close(resolve));
});

describe('the signed HTTP transport', () => {
  it('reads every attribute type as the SDK client does, with GetItem and BatchGetItem', async () => {
    const get = { TableName, Key: key('every'), ConsistentRead: true };
    const ours = await local.transport.call('GetItem', get);
    const theirs = await sdk.call('GetItem', get);
    expect(ours.Item).toEqual(theirs.Item);
    expect(ours.Item?.b).toBeInstanceOf(Uint8Array);
    expect(ours.Item).toMatchObject({ s: 'text', n: 42.5, ss: new Set(['a', 'b']) });

    const batch = {
      RequestItems: { [TableName]: { Keys: [key('every'), key('second'), key('absent')] } },
    };
    const ourBatch = await local.transport.call('BatchGetItem', batch);
    const theirBatch = await sdk.call('BatchGetItem', batch);
    const bySk = (items: Record<string, unknown>[] = []) =>
      [...items].sort((a, b) => String(a.sk).localeCompare(String(b.sk)));
    expect(bySk(ourBatch.Responses?.[TableName])).toEqual(bySk(theirBatch.Responses?.[TableName]));
    expect(ourBatch.Responses?.[TableName]).toHaveLength(2);
    expect(ourBatch.UnprocessedKeys ?? {}).toEqual({});
  });

  it('writes an update whose values round-trip, binary included, and returns the new item', async () => {
    const out = await local.transport.call('UpdateItem', {
      TableName,
      Key: key('updated'),
      UpdateExpression: 'SET #b = :b, #n = :n, #m = :m',
      ExpressionAttributeNames: { '#b': 'b', '#n': 'n', '#m': 'm' },
      ExpressionAttributeValues: {
        ':b': new Uint8Array([9, 8, 7]),
        ':n': 7,
        ':m': { x: undefined, y: 'kept' },
      },
      ReturnValues: 'ALL_NEW',
    });
    const read = await sdk.call('GetItem', { TableName, Key: key('updated') });
    expect(read.Item).toEqual(out.Attributes);
    expect(read.Item).toEqual({
      ...key('updated'),
      b: new Uint8Array([9, 8, 7]),
      n: 7,
      m: { y: 'kept' },
    });
  });

  it("names DynamoDB's errors as the SDK does: a failed condition is the port's own error", async () => {
    const failed = await local.transport
      .call('UpdateItem', {
        TableName,
        Key: key('never'),
        UpdateExpression: 'SET n = :n',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':n': 1 },
      })
      .catch((error: unknown) => error);
    expect(failed).toMatchObject({
      name: 'ConditionalCheckFailedException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    expect(local.attempts.filter((a) => a === 'UpdateItem').length).toBeGreaterThan(0);

    class Gone extends Error {}
    const table = createTable(local.transport, TableName);
    await expect(
      table.update(key('never'), 'SET n = :n', {
        values: { ':n': 1 },
        when: { if: 'attribute_exists(pk)', else: () => new Gone('gone') as never },
      }),
    ).rejects.toBeInstanceOf(Gone);
    // Nothing was written by either attempt.
    expect((await sdk.call('GetItem', { TableName, Key: key('never') })).Item).toBeUndefined();
  });

  it('asks again for the keys DynamoDB leaves unprocessed, and reads them (never as absent)', async () => {
    const { transport, attempts } = transportTo(proxy.url);
    const asked: string[] = [];
    const wireKey = (sk: string) => ({ pk: { S: key(sk).pk }, sk: { S: sk } });
    // DynamoDB's answer to the first request: one item read, the other key left unprocessed.
    proxy.faults.push({
      answer: (body) => {
        asked.push(body);
        return {
          Responses: { [TableName]: [{ ...wireKey('second'), n: { N: '2' } }] },
          UnprocessedKeys: { [TableName]: { Keys: [wireKey('every')], ConsistentRead: true } },
        };
      },
    });
    proxy.faults.push((_, body) => asked.push(body));
    const table = createTable(transport, TableName);
    const found = await table.batchGet([key('second'), key('every')]);
    expect(table.pick(found, key('second'))).toEqual({ ...key('second'), n: 2 });
    expect(table.pick(found, key('every'))).toMatchObject({ s: 'text', b: EVERY_TYPE.b });
    expect(attempts).toEqual(['BatchGetItem', 'BatchGetItem']);
    // The second request asked for the unprocessed key only, in DynamoDB's wire shape.
    const second = JSON.parse(asked[1] ?? '{}');
    expect(second.RequestItems[TableName].Keys).toEqual([wireKey('every')]);
  });

  it('passes a client error through after one attempt (no retry, not an outage)', async () => {
    const { transport, attempts } = transportTo(stack.dynamodb.endpoint);
    const error = await transport
      .call('GetItem', { TableName, Key: { pk: 'only-a-partition-key' } })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ValidationException', $fault: 'client' });
    expect(error).not.toBeInstanceOf(UnavailableError);
    expect(attempts).toEqual(['GetItem']);
  });

  it('refuses an operation the authorizer does not send, before sending anything', async () => {
    const { transport, attempts } = transportTo(stack.dynamodb.endpoint);
    await expect(transport.call('PutItem', { TableName, Item: key('refused') })).rejects.toThrow(
      /does not send PutItem/,
    );
    expect(attempts).toEqual([]);
    expect((await sdk.call('GetItem', { TableName, Key: key('refused') })).Item).toBeUndefined();
  });

  it.each([
    ['a server error', { status: 500, type: 'InternalServerError' }],
    ['throttling', { status: 400, type: 'ProvisionedThroughputExceededException' }],
    ['an unavailable service', { status: 503, type: 'ServiceUnavailable' }],
  ])('retries %s and succeeds on the third attempt', async (_, fault) => {
    const { transport, attempts } = transportTo(proxy.url);
    proxy.faults.push(fault, fault);
    const out = await transport.call('GetItem', { TableName, Key: key('second') });
    expect(out.Item).toEqual({ ...key('second'), n: 2 });
    expect(attempts).toEqual(['GetItem', 'GetItem', 'GetItem']);
  });

  it('gives up after three attempts with the 503 an outage gets', async () => {
    const { transport, attempts } = transportTo(proxy.url);
    const fault = { status: 500, type: 'InternalServerError' };
    proxy.faults.push(fault, fault, fault);
    const error = await transport
      .call('GetItem', { TableName, Key: key('second') })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).status).toBe(503);
    expect(attempts).toHaveLength(3);
    expect(proxy.faults).toEqual([]);
  });

  it('turns a refused connection into the 503, after the same attempts', async () => {
    const { transport, attempts } = transportTo(`http://127.0.0.1:${await freePort()}`);
    await expect(
      transport.call('GetItem', { TableName, Key: key('second') }),
    ).rejects.toBeInstanceOf(UnavailableError);
    expect(attempts).toHaveLength(3);
  });

  it('ends an attempt that gets no answer at the timeout, and retries it', async () => {
    const { transport, attempts } = transportTo(proxy.url, 200);
    proxy.faults.push('hang');
    const out = await transport.call('GetItem', { TableName, Key: key('second') });
    expect(out.Item).toEqual({ ...key('second'), n: 2 });
    expect(attempts).toHaveLength(2);
  });

  it("ends the call at the request's deadline, however many attempts are left", async () => {
    const { transport, attempts } = transportTo(proxy.url, 60_000);
    proxy.faults.push('hang');
    const started = Date.now();
    const error = await withDeadline(Date.now() + 300, () =>
      transport.call('GetItem', { TableName, Key: key('second') }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    // Well before the attempt's own 60 s timeout: the deadline ended it.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(attempts).toHaveLength(1);
  });

  it("stops at a listener that refuses (the local access guard), with that listener's error", async () => {
    const { transport } = transportTo(stack.dynamodb.endpoint);
    class Denied extends Error {}
    transport.onRequest(() => {
      throw new Denied('not allowed');
    });
    await expect(
      transport.call('GetItem', { TableName, Key: key('second') }),
    ).rejects.toBeInstanceOf(Denied);
  });

  it("signs with the environment's credentials as the SDK's own signer does", async () => {
    let seen: { headers: IncomingMessage['headers']; body: string } | undefined;
    proxy.faults.push((req, body) => {
      seen = { headers: req.headers, body };
    });
    const transport: SignedHttpTransport = createHttpTransport({
      region,
      endpoint: proxy.url,
      requestTimeoutMs: 3000,
      // What awsCredentials() reads from Lambda's environment.
      credentials: () =>
        awsCredentials({
          AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
          AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
          AWS_SESSION_TOKEN: 'session-token-example',
        } as NodeJS.ProcessEnv),
    });
    await transport.call('GetItem', { TableName, Key: key('second') });
    if (!seen) throw new Error('the proxy saw no request');
    const authorization = String(seen.headers.authorization);
    expect(authorization).toMatch(
      new RegExp(`^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/\\d{8}/${region}/dynamodb/aws4_request`),
    );
    expect(seen.headers['x-amz-security-token']).toBe('session-token-example');

    // The SDK's signer, given the same request, time and signed headers, computes the same signature.
    const signedNames = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? [];
    const headers = Object.fromEntries(signedNames.map((n) => [n, String(seen?.headers[n])]));
    const amzDate = String(seen.headers['x-amz-date']);
    const signer = new SignatureV4({
      // x-amz-content-sha256 is S3's: left out, as the transport leaves it out.
      applyChecksum: false,
      service: 'dynamodb',
      region,
      sha256: Sha256,
      credentials: {
        accessKeyId: 'AKIDEXAMPLE',
        secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
        sessionToken: 'session-token-example',
      },
    });
    const { port } = proxy.server.address() as AddressInfo;
    const expected = await signer.sign(
      {
        method: 'POST',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port,
        path: '/',
        headers,
        body: seen.body,
      },
      {
        signingDate: new Date(
          amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'),
        ),
      },
    );
    const signature = (a: string) => /Signature=([0-9a-f]+)/.exec(a)?.[1];
    expect(signature(authorization)).toBeDefined();
    expect(signature(authorization)).toBe(
      signature(String((expected.headers as Record<string, string>).authorization)),
    );
  });
});
