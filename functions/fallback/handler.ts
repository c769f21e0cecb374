/**
 * The HTTP API's `$default` route: whatever matches no route answers problem+json instead of
 * API Gateway's bare `{"message":"Not Found"}`: 404 for an unknown path, 405 with `Allow` for a
 * known path asked with another method.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { problemResponse } from '#shared/http/problem.js';
import { pathMatcher } from '#shared/routes/path-matcher.js';
import { ROUTE_AUTH } from '#shared/routes/route-auth.js';

// The route keys from the generated copy of the table (kept equal to it by
// test/unit/route-auth.test.ts): the route table itself would bring every schema and zod.
const match = pathMatcher(
  Object.keys(ROUTE_AUTH).map((key) => {
    const [method = '', path = ''] = key.split(' ');
    return { method, path };
  }),
);

/** Only what is safe to echo: the method is a token, the path is cut short. */
function describe(method: string, path: string): string {
  const shown = path.length > 200 ? `${path.slice(0, 200)}...` : path;
  return `${method.replace(/[^A-Z]/g, '').slice(0, 10)} ${shown}`;
}

export async function handler(
  event: APIGatewayProxyEventV2,
): Promise<APIGatewayProxyStructuredResultV2> {
  const method = event.requestContext.http.method.toUpperCase();
  const path = event.rawPath;
  const found = match(path, method);
  if (found.kind === 'method-not-allowed') {
    const allow = found.allow.join(', ');
    const res = problemResponse(
      405,
      'Method not allowed',
      `${describe(method, path)} is not a route; this path allows ${allow}.`,
      { allow: found.allow },
    );
    return { ...res, headers: { ...res.headers, allow } };
  }
  return problemResponse(404, 'Not found', `No route matches ${describe(method, path)}.`);
}
