/**
 * The authorizer's dependencies, wired once per cold start: the environment, and the table read
 * over the signed HTTP transport (shared/store/signed-http-transport.ts), not the SDK's client,
 * which this wiring never loads. Every other function uses `appDeps` (shared/app/deps.ts).
 */
import { awsCredentials, type Env, loadEnv } from '#shared/config/env.js';
import { type Clock, systemClock } from '#shared/platform/clock.js';
import {
  createHttpTransport,
  dynamoEndpoint,
  type SignedHttpTransport,
} from '#shared/store/signed-http-transport.js';

export interface AuthorizerWiring {
  env: Env;
  /** The table's transport; the local stack guards it and the bench counts its requests. */
  transport: SignedHttpTransport;
  tableName: string;
  clock: Clock;
}

let shared: AuthorizerWiring | undefined;

/** The authorizer's dependencies in this process, created on first use and reused. */
export function authorizerDeps(): AuthorizerWiring {
  if (!shared) {
    const env = loadEnv();
    const transport = createHttpTransport({
      region: env.AWS_REGION,
      endpoint: dynamoEndpoint(env),
      local: env.DYNAMODB_ENDPOINT !== undefined,
      credentials: () => awsCredentials(),
      requestTimeoutMs: env.DEPENDENCY_TIMEOUT_MS,
    });
    shared = { env, transport, tableName: env.TABLE_NAME, clock: systemClock };
  }
  return shared;
}
