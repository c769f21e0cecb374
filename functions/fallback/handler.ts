/**
 * The HTTP API's `$default` route: whatever matches no route answers problem+json instead of
 * API Gateway's bare `{"message":"Not Found"}`.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { problemResponse } from '#shared/http/problem.js';

export async function handler(
  event: APIGatewayProxyEventV2,
): Promise<APIGatewayProxyStructuredResultV2> {
  return problemResponse(
    404,
    'Not found',
    `No route matches ${event.requestContext.http.method} ${event.rawPath}.`,
  );
}
