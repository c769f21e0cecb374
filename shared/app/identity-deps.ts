/** The Cognito-backed identity provider of this process, created once from the environment. */
import { loadEnv } from '#shared/config/env.js';
import { cognitoIdentity, createCognitoClient } from '#shared/identity/cognito-identity.js';
import type { IdentityProvider } from '#shared/identity/identity-provider.js';

let identity: IdentityProvider | undefined;

export function identityFromEnv(): IdentityProvider {
  if (!identity) {
    const env = loadEnv();
    identity = cognitoIdentity(
      createCognitoClient({
        region: env.AWS_REGION,
        endpoint: env.COGNITO_ENDPOINT,
        requestTimeoutMs: env.DEPENDENCY_TIMEOUT_MS,
      }),
      env.USER_POOL_ID,
    );
  }
  return identity;
}
