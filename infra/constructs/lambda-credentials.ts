/**
 * Stands in for `@aws-sdk/credential-provider-node` in every deployed bundle (the alias in
 * infra/constructs/bundling.ts). Lambda hands a function its role's credentials in the
 * environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), so the SDK's default
 * chain never gets past its first link there; the rest of it (SSO, ini files, web identity,
 * container and instance metadata, and the STS and SSO clients they carry) was about 80 KiB of
 * every bundle and part of every cold start. Local runs and tests do not bundle: they keep the
 * SDK's own chain.
 */
import { type FromEnvInit, fromEnv } from '@aws-sdk/credential-provider-env';

/** The SDK clients' `credentialDefaultProvider`: the environment's credentials, nothing else. */
export const defaultProvider = (init?: FromEnvInit) => fromEnv(init);
