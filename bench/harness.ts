/** Plumbing the bench scripts share: calls to the local API and in-process authorizers. */
import { createAuthorizer } from '#shared/auth/authorizer.js';
import { createSnapshotReader } from '#shared/auth/snapshot-reader.js';
import { createAccessTokenVerifier, fetchJwks } from '#shared/auth/token-verifier.js';
import { systemClock } from '#shared/platform/clock.js';
import { findRoute } from '#shared/routes/route-table.js';
import type { DocumentTransport } from '#shared/store/document-transport.js';
import type { StackInfo } from '../local/stack.js';
import type { BenchStack } from './stack.js';

export interface ApiReply {
  status: number;
  /** The raw body ('' when there is none). */
  text: string;
  /** The body parsed as JSON; {} when it is empty or not JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: the bench scripts read a few fields of each reply
  json: any;
}

/** One request to the local API, with a bearer `token` when given and `body` sent as JSON. */
export async function callApi(
  info: StackInfo,
  method: string,
  path: string,
  token: string | undefined,
  body?: unknown,
): Promise<ApiReply> {
  const res = await fetch(`${info.apiUrl}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = {};
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    // not JSON
  }
  return { status: res.status, text, json };
}

/** Throws unless `res` has `status`, naming `what`. */
export function expectStatus(what: string, res: ApiReply, status: number): void {
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${res.text.slice(0, 300)}`);
}

/** An access-token verifier for the stack's cognito-local user pool, its JWKS fetched once. */
async function stackVerifier(info: StackInfo) {
  const issuer = `${info.cognito.endpoint}/${info.cognito.userPoolId}`;
  return createAccessTokenVerifier({
    issuer,
    clientId: info.cognito.clientId,
    jwks: await fetchJwks(`${issuer}/.well-known/jwks.json`),
  });
}

/**
 * What the authorizer benches start from: the bootstrap tenant, the table, the stack's verifier,
 * and `newAuthorizer(transport)`, a fresh authorizer (cold caches) built as the deployed one is
 * (route table requirements, internal mode) reading through `transport` (the deployed one's is
 * the signed HTTP transport: `stack.countingClient().transport`).
 */
export async function authorizerBench(stack: BenchStack) {
  const { info } = stack;
  const tableName = info.dynamodb.tableName;
  const verifier = await stackVerifier(info);
  const newAuthorizer = (transport: DocumentTransport) =>
    createAuthorizer({
      verifier,
      snapshots: createSnapshotReader(transport, tableName),
      requirements: (key) => findRoute(key)?.auth,
      clock: systemClock,
      mode: 'internal',
    });
  return { info, tenantId: info.bootstrap.tenantId, tableName, verifier, newAuthorizer };
}
