/**
 * What the protected backend receives: the authorizer context keys of an allowed request, and
 * the API Gateway mappings that turn them into request headers for integrations that do not
 * read the authorizer context themselves (HTTP URL integrations, REST HTTP integrations).
 */
import { MappingValue, ParameterMapping } from 'aws-cdk-lib/aws-apigatewayv2';

/** Context key -> the header the mappings below write it to. */
export const BACKEND_CONTEXT_KEYS = {
  tenantId: 'x-gatehouse-tenant',
  principalId: 'x-gatehouse-principal',
  /** `user` (a session or personal token) or `service-account` (an API token). */
  principalKind: 'x-gatehouse-principal-kind',
  email: 'x-gatehouse-email',
  /** JSON list of the route's permissions, bound: `[{"resource":"...","action":"read"}]`. */
  permissions: 'x-gatehouse-permissions',
  /** Kept for integrations written for earlier versions: `principalId`, or `service-account:<id>`. */
  userId: 'x-gatehouse-user',
} as const;

export type BackendContextKey = keyof typeof BACKEND_CONTEXT_KEYS;

/**
 * HTTP API parameter mapping: `overwrite:header.x-gatehouse-tenant` = `$context.authorizer.tenantId`
 * and so on. Overwriting also drops any such header a client sent itself.
 */
export function httpHeaderMapping(): ParameterMapping {
  const mapping = new ParameterMapping();
  for (const [key, header] of Object.entries(BACKEND_CONTEXT_KEYS)) {
    mapping.overwriteHeader(header, MappingValue.custom(`$context.authorizer.${key}`));
  }
  return mapping;
}

/**
 * REST API integration request parameters: `integration.request.header.x-gatehouse-tenant` =
 * `context.authorizer.tenantId` and so on (for HTTP and HTTP_PROXY integrations; a Lambda proxy
 * integration reads `event.requestContext.authorizer.tenantId` directly).
 */
export function restHeaderMapping(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(BACKEND_CONTEXT_KEYS).map(([key, header]) => [
      `integration.request.header.${header}`,
      `context.authorizer.${key}`,
    ]),
  );
}
