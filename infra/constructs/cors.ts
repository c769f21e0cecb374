/**
 * The HTTP API's CORS settings for a stage's browser origins (the accept page, the console):
 * API Gateway answers the preflight itself, before any route or authorizer, and adds the
 * headers to every response of an allowed origin.
 */
import { Duration } from 'aws-cdk-lib';
import { CorsHttpMethod, type CorsPreflightOptions } from 'aws-cdk-lib/aws-apigatewayv2';
import { CORS_POLICY } from '#shared/config/cors.js';

/**
 * CORS for `origins`: the methods the route table uses, no credentials (Gatehouse takes bearer
 * tokens, never cookies), so no origin is trusted with ambient authority.
 */
export function corsPreflight(origins: readonly string[]): CorsPreflightOptions {
  return {
    allowOrigins: [...origins],
    allowMethods: CORS_POLICY.allowMethods.map((m) => CorsHttpMethod[m]),
    allowHeaders: [...CORS_POLICY.allowHeaders],
    exposeHeaders: [...CORS_POLICY.exposeHeaders],
    allowCredentials: false,
    maxAge: Duration.seconds(CORS_POLICY.maxAgeSeconds),
  };
}
