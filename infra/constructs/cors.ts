/**
 * The HTTP API's CORS settings for a stage's browser origins (the accept page, the console):
 * API Gateway answers the preflight itself, before any route or authorizer, and adds the
 * headers to every response of an allowed origin.
 */
import { Duration } from 'aws-cdk-lib';
import { CorsHttpMethod, type CorsPreflightOptions } from 'aws-cdk-lib/aws-apigatewayv2';

/** Request headers a browser client sends: the bearer token, JSON bodies, invite idempotency. */
export const CORS_ALLOW_HEADERS = ['authorization', 'content-type', 'idempotency-key'];

/** Response headers a browser client may read besides the safelisted ones (503 Retry-After). */
export const CORS_EXPOSE_HEADERS = ['retry-after'];

/** How long a browser may reuse a preflight answer. */
export const CORS_MAX_AGE = Duration.hours(1);

/**
 * CORS for `origins`: the methods the route table uses, no credentials (Gatehouse takes bearer
 * tokens, never cookies), so no origin is trusted with ambient authority.
 */
export function corsPreflight(origins: readonly string[]): CorsPreflightOptions {
  return {
    allowOrigins: [...origins],
    allowMethods: [
      CorsHttpMethod.GET,
      CorsHttpMethod.POST,
      CorsHttpMethod.PUT,
      CorsHttpMethod.PATCH,
      CorsHttpMethod.DELETE,
    ],
    allowHeaders: CORS_ALLOW_HEADERS,
    exposeHeaders: CORS_EXPOSE_HEADERS,
    allowCredentials: false,
    maxAge: CORS_MAX_AGE,
  };
}
