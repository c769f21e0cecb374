/**
 * The authorizer's DynamoDB transport: each operation one SigV4-signed POST of DynamoDB's JSON
 * protocol over a keep-alive `node:https` agent, signed by `aws4` and (un)marshalled by the SDK's
 * `util-dynamodb`. It serves what the authorizer sends (GetItem, BatchGetItem and its conditional
 * UpdateItem) and refuses the rest.
 *
 * Why not the SDK's client here: the authorizer runs before every protected request, and the
 * client alone (its middleware, endpoint rules, schemas and retry strategies) is 183 KiB of the
 * bundle, more than the rest of the authorizer together, and most of its cold start (README,
 * performance; bench/results.json `sdkFloor`). What the client would do is kept, as the SDK's
 * defaults set it for our other functions (shared/platform/dependency-guard.ts):
 * - the same attempts (3), on the same failures (`isDependencyFailure`: throttling, server
 *   errors, network errors, timeouts), with exponential backoff and full jitter;
 * - a connection not made within 1 s, and an attempt not answered within the dependency
 *   timeout, fail that attempt; the call ends at the request's deadline
 *   (`guardedCall`), and an outage becomes the same 503 `UnavailableError`;
 * - errors carry DynamoDB's exception name, `$fault` and `$metadata.httpStatusCode`, as the SDK's
 *   do, so callers tell a failed condition from an outage alike on both transports;
 * - credentials are the environment's (Lambda's role credentials; placeholders for a local
 *   endpoint without any), as in every bundled function (infra/constructs/lambda-credentials.ts).
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import aws4 from 'aws4';
import type { AwsCredentials } from '#shared/config/env.js';
import {
  DEFAULT_TIMEOUTS,
  guardedCall,
  isDependencyFailure,
  isThrottling,
} from '#shared/platform/dependency-guard.js';
import type {
  DocumentOperation,
  DocumentOperations,
  DocumentTransport,
} from '#shared/store/document-transport.js';

/** The operations this transport sends; any other is refused before it is sent. */
export const SIGNED_HTTP_OPERATIONS = ['GetItem', 'BatchGetItem', 'UpdateItem'] as const;
type Served = (typeof SIGNED_HTTP_OPERATIONS)[number];

/** Attempts per call, and the connect timeout, as the other functions' SDK clients have them. */
const { maxAttempts: MAX_ATTEMPTS, connectionTimeoutMs: CONNECT_TIMEOUT_MS } = DEFAULT_TIMEOUTS;
/** First backoff ceiling (ms), doubled per attempt; throttling starts higher (the SDK's values). */
const BACKOFF_BASE_MS = 100;
const THROTTLED_BACKOFF_BASE_MS = 500;

export interface SignedHttpTransportOptions {
  region: string;
  /** Where requests go (`dynamoEndpoint`). */
  endpoint: string;
  /** A local emulator: placeholder credentials when the environment has none. */
  local?: boolean;
  /** Longest one attempt may take (ms). */
  requestTimeoutMs: number;
  /** The credentials to sign with, asked for when the first request is signed. */
  credentials?: () => AwsCredentials | undefined;
}

/** Sees each attempt before it is sent (retries included); throwing ends the call with that error. */
export type RequestListener = (operation: DocumentOperation, input: object) => void;

export interface SignedHttpTransport extends DocumentTransport {
  /** Adds a listener: the local stack's access guard, the bench's and tests' request counters. */
  onRequest(listener: RequestListener): void;
}

/** A DynamoDB error answer, shaped as the SDK shapes its service exceptions. */
export class DynamoDbServiceError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { httpStatusCode: number };

  constructor(status: number, body: Record<string, unknown>) {
    const type = typeof body.__type === 'string' ? body.__type : '';
    const message = body.message ?? body.Message;
    super(typeof message === 'string' ? message : `DynamoDB answered HTTP ${status}`);
    this.name = type.slice(type.lastIndexOf('#') + 1) || (status >= 500 ? 'ServerError' : 'Error');
    this.$fault = status >= 500 ? 'server' : 'client';
    this.$metadata = { httpStatusCode: status };
  }
}

/**
 * Where the authorizer sends DynamoDB requests, as the SDK's client would decide it: a local
 * emulator's URL, else the SDK's endpoint settings (`AWS_ENDPOINT_URL_DYNAMODB`, then
 * `AWS_ENDPOINT_URL`), else the region's public endpoint, its FIPS one when
 * `AWS_USE_FIPS_ENDPOINT` is `true` (China's regions have their own domain). Dual-stack
 * endpoints are not chosen: the IPv4 endpoint answers from every network Lambda runs in.
 */
export function dynamoEndpoint(settings: {
  AWS_REGION: string;
  DYNAMODB_ENDPOINT?: string;
  AWS_ENDPOINT_URL_DYNAMODB?: string;
  AWS_ENDPOINT_URL?: string;
  AWS_USE_FIPS_ENDPOINT?: 'true' | 'false';
}): string {
  const set =
    settings.DYNAMODB_ENDPOINT ?? settings.AWS_ENDPOINT_URL_DYNAMODB ?? settings.AWS_ENDPOINT_URL;
  if (set) return set;
  const region = settings.AWS_REGION;
  const host = settings.AWS_USE_FIPS_ENDPOINT === 'true' ? 'dynamodb-fips' : 'dynamodb';
  return `https://${host}.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

/** The given credentials; placeholders for a local emulator when none are given. */
function signingCredentials(options: SignedHttpTransportOptions): AwsCredentials {
  const given = options.credentials?.();
  if (given) return given;
  if (options.local) return { accessKeyId: 'local', secretAccessKey: 'local' };
  throw new Error('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set (Lambda sets them)');
}

const MARSHALL = { removeUndefinedValues: true, convertEmptyValues: false } as const;
type Doc = Record<string, unknown>;
type Wire = Record<string, unknown>;

/**
 * Binary values in an attribute-value map, turned by `convert` (JSON carries them as base64;
 * `util-dynamodb` wants and gives `Uint8Array`), through maps and lists.
 */
function mapBinary(value: unknown, convert: (b: unknown) => unknown): unknown {
  if (!value || typeof value !== 'object') return value;
  const av = value as Record<string, unknown>;
  if ('B' in av) return { B: convert(av.B) };
  if ('BS' in av) return { BS: (av.BS as unknown[]).map(convert) };
  if ('M' in av) return { M: mapAttributes(av.M, convert) };
  if ('L' in av) return { L: (av.L as unknown[]).map((v) => mapBinary(v, convert)) };
  return value;
}

function mapAttributes(map: unknown, convert: (b: unknown) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(map as Record<string, unknown>)) {
    out[name] = mapBinary(v, convert);
  }
  return out;
}

const toBase64 = (b: unknown) => Buffer.from(b as Uint8Array).toString('base64');
const fromBase64 = (b: unknown) => {
  const buffer = Buffer.from(String(b), 'base64');
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
};
const toWire = (doc: unknown) => mapAttributes(marshall(doc as Doc, MARSHALL), toBase64);
const fromWire = (wire: unknown) =>
  unmarshall(mapAttributes(wire, fromBase64) as Parameters<typeof unmarshall>[0]);

/** Each served operation's input in DynamoDB's wire shape. */
const REQUEST_SHAPES: Record<Served, (input: Doc) => Wire> = {
  GetItem: (input) => ({ ...input, Key: toWire(input.Key) }),
  UpdateItem: (input) => ({
    ...input,
    Key: toWire(input.Key),
    ...(input.ExpressionAttributeValues
      ? { ExpressionAttributeValues: toWire(input.ExpressionAttributeValues) }
      : {}),
  }),
  BatchGetItem: (input) => ({
    ...input,
    RequestItems: Object.fromEntries(
      Object.entries(input.RequestItems as Record<string, Doc & { Keys: unknown[] }>).map(
        ([table, request]) => [table, { ...request, Keys: request.Keys.map(toWire) }],
      ),
    ),
  }),
};

/** Each served operation's answer in the document shape. */
const RESPONSE_SHAPES: Record<Served, (output: Wire) => Doc> = {
  GetItem: (output) => ({ ...output, Item: output.Item && fromWire(output.Item) }),
  UpdateItem: (output) => ({
    ...output,
    Attributes: output.Attributes && fromWire(output.Attributes),
  }),
  BatchGetItem: (output) => ({
    ...output,
    Responses: output.Responses
      ? Object.fromEntries(
          Object.entries(output.Responses as Record<string, unknown[]>).map(([table, items]) => [
            table,
            items.map(fromWire),
          ]),
        )
      : undefined,
    UnprocessedKeys: output.UnprocessedKeys
      ? Object.fromEntries(
          Object.entries(output.UnprocessedKeys as Record<string, Doc & { Keys: unknown[] }>).map(
            ([table, request]) => [table, { ...request, Keys: request.Keys.map(fromWire) }],
          ),
        )
      : undefined,
  }),
};

const isServed = (operation: DocumentOperation): operation is Served =>
  (SIGNED_HTTP_OPERATIONS as readonly string[]).includes(operation);

/** The SDK's backoff: a random wait up to base x 2^(attempt-1), bigger for throttling. */
function backoffMs(attempt: number, error: unknown): number {
  const base = isThrottling(error) ? THROTTLED_BACKOFF_BASE_MS : BACKOFF_BASE_MS;
  return Math.random() * Math.min(20_000, base * 2 ** (attempt - 1));
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

function parseBody(status: number, text: string): Record<string, unknown> {
  if (text === '') return {};
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    // A proxy's or load balancer's page, not DynamoDB's JSON.
    return { message: `DynamoDB answered HTTP ${status} with a body that is not JSON` };
  }
}

/** The authorizer's transport (see the module's comment). */
export function createHttpTransport(options: SignedHttpTransportOptions): SignedHttpTransport {
  const url = new URL(options.endpoint);
  const secure = url.protocol === 'https:';
  const send = secure ? httpsRequest : httpRequest;
  const agent = secure ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  const listeners: RequestListener[] = [];
  let credentials: AwsCredentials | undefined;

  /** One signed attempt: the parsed answer, or a `DynamoDbServiceError` for a non-2xx status. */
  function attempt(operation: Served, body: string): Promise<Wire> {
    credentials ??= signingCredentials(options);
    const signed = aws4.sign(
      {
        host: url.host,
        path: '/',
        method: 'POST',
        service: 'dynamodb',
        region: options.region,
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': `DynamoDB_20120810.${operation}`,
        },
        body,
      },
      credentials,
    );
    return new Promise((resolve, reject) => {
      const req = send(
        {
          protocol: url.protocol,
          hostname: url.hostname,
          port: url.port,
          path: '/',
          method: 'POST',
          headers: signed.headers,
          agent,
          signal: AbortSignal.timeout(options.requestTimeoutMs),
        },
        (res) => {
          readBody(res).then((text) => {
            const status = res.statusCode ?? 0;
            const parsed = parseBody(status, text);
            if (status >= 200 && status < 300) resolve(parsed);
            else reject(new DynamoDbServiceError(status, parsed));
          }, reject);
        },
      );
      req.on('error', reject);
      req.on('socket', (socket) => {
        if (!socket.connecting) return; // a kept-alive connection
        // An unreachable endpoint fails the attempt after 1 s, not after the whole timeout.
        const timer = setTimeout(
          () => {
            const error = Object.assign(new Error('connection timed out'), { code: 'ETIMEDOUT' });
            req.destroy(error);
          },
          Math.min(CONNECT_TIMEOUT_MS, options.requestTimeoutMs),
        );
        socket.once('connect', () => clearTimeout(timer));
        socket.once('close', () => clearTimeout(timer));
      });
      req.end(body);
    });
  }

  async function withRetries(operation: Served, input: Doc): Promise<Doc> {
    const body = JSON.stringify(REQUEST_SHAPES[operation](input));
    for (let tries = 1; ; tries++) {
      for (const listener of listeners) listener(operation, input);
      try {
        return RESPONSE_SHAPES[operation](await attempt(operation, body));
      } catch (error) {
        if (tries >= MAX_ATTEMPTS || !isDependencyFailure(error)) throw error;
        await new Promise((r) => setTimeout(r, backoffMs(tries, error)));
      }
    }
  }

  return {
    call<O extends DocumentOperation>(operation: O, input: DocumentOperations[O][0]) {
      if (!isServed(operation)) {
        return Promise.reject(
          new Error(`the signed HTTP transport does not send ${operation} (only the authorizer's)`),
        );
      }
      return guardedCall('DynamoDB', () => withRetries(operation, input as Doc)) as Promise<
        DocumentOperations[O][1]
      >;
    },
    onRequest(listener) {
      listeners.push(listener);
    },
  };
}
