/**
 * What the HTTP API allows cross-origin, besides the stage's origins (shared/config/stages.ts):
 * the deployed API's `corsPreflight` (infra/constructs/cors.ts) and the local server
 * (local/cors.ts) both read it, so a browser sees the same answer locally and on AWS.
 */
export const CORS_POLICY = {
  /** The methods the route table uses (OPTIONS is the preflight itself). */
  allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  /** Request headers a browser client sends: the bearer token, JSON bodies, invite idempotency. */
  allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
  /** Response headers a browser may read besides the safelisted ones (503 Retry-After, 405 Allow). */
  exposeHeaders: ['retry-after', 'allow'],
  /** How long a browser may reuse a preflight answer. */
  maxAgeSeconds: 3600,
} as const;
