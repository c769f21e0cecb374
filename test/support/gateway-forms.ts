/**
 * One route map served in both API Gateway forms by the local gateway, in this test process:
 * an HTTP API (payload 2.0 authorizer, simple responses) at `/`, and a REST API (REQUEST
 * authorizer, IAM policy enforced on the method ARN) at `/rest/`, both over the real authorizer
 * (external mode) reading DynamoDB Local and verifying cognito-local tokens. The integration
 * echoes the context it received, so a test compares the decisions and what a backend sees.
 */
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import type { AuthorizerDeps } from '#shared/auth/authorizer.js';
import { authorizerForms } from '#shared/auth/authorizer-factory.js';
import { externalRoutes } from '#shared/auth/route-requirements.js';
import { createSnapshotReader } from '#shared/auth/snapshot-reader.js';
import { createAccessTokenVerifier, fetchJwks } from '#shared/auth/token-verifier.js';
import { systemClock } from '#shared/platform/clock.js';
import type { RequiredPermission } from '#shared/routes/route-types.js';
import { sdkTransport } from '#shared/store/dynamo-client.js';
import {
  createLocalServer,
  type LambdaHttpHandler,
  type LocalRoute,
} from '../../local/http-server.js';
import { domainDeps } from './domain-deps.js';
import { stack } from './stack-client.js';

export type Form = 'http' | 'rest';
export const FORMS: readonly Form[] = ['http', 'rest'];

export interface FormReply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: replies are asserted field by field
  body: any;
}

/** The integration: what it was handed as authorizer context, in either payload version. */
const echo = (async (event: APIGatewayProxyEventV2 | APIGatewayProxyEvent) => {
  const authorizer = (event.requestContext as { authorizer?: Record<string, unknown> }).authorizer;
  const context = 'httpMethod' in event ? authorizer : authorizer?.lambda;
  return { statusCode: 200, body: JSON.stringify({ context }) };
}) as unknown as LambdaHttpHandler;

/**
 * Serves `routes` (method + path template -> permissions, tenant in `{tenantId}`) in both
 * forms; `unmapped` route keys are mounted on the gateway too but missing from the route map.
 */
export async function startGatewayForms(
  routes: Record<string, RequiredPermission[]>,
  unmapped: string[] = [],
) {
  const issuer = `${stack.cognito.endpoint}/${stack.cognito.userPoolId}`;
  const verifier = createAccessTokenVerifier({
    issuer,
    clientId: stack.cognito.clientId,
    jwks: await fetchJwks(`${issuer}/.well-known/jwks.json`),
  });
  const store = domainDeps();
  const deps: AuthorizerDeps = {
    verifier,
    snapshots: createSnapshotReader(sdkTransport(store.db), store.tableName),
    requirements: externalRoutes('tenantId', routes),
    clock: systemClock,
    mode: 'external',
  };
  const { http, rest } = authorizerForms(deps);
  const mounted: LocalRoute[] = [...Object.keys(routes), ...unmapped].map((key) => {
    const [method = 'GET', path = '/'] = key.split(' ');
    return { method, path, authorized: true, handler: async () => echo };
  });
  const server = createLocalServer([
    { name: 'forms-http', authorizer: async () => http, routes: mounted },
    { name: 'forms-rest', rest: { stage: 'rest', authorizer: async () => rest }, routes: mounted },
  ]);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  /** One request in one form; `authorization` is sent as given (a whole header value). */
  const call = async (
    form: Form,
    method: string,
    path: string,
    authorization?: string,
  ): Promise<FormReply> => {
    const url = `${base}${form === 'rest' ? '/rest' : ''}${path}`;
    const res = await fetch(url, {
      method,
      headers: authorization === undefined ? {} : { authorization },
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON
    }
    return { status: res.status, body };
  };
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return { call, close };
}
