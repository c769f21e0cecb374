/**
 * The example protected service: an in-memory apps registry that trusts the Gatehouse
 * authorizer's context (`tenantId`, `principalId`, `principalKind`, `email`, `permissions`)
 * and holds no access logic itself. One handler for the HTTP API (payload 2.0, context under
 * `authorizer.lambda`) and the REST API (proxy events, context directly under `authorizer`).
 */
import type {
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';

const apps = new Map<string, { id: string; createdBy: string; createdAt: string }>();

function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}

type AuthorizerFields = Record<string, string | undefined> & { lambda?: Record<string, string> };

export const handler = async (
  event: APIGatewayProxyEventV2 | APIGatewayProxyEvent,
): Promise<APIGatewayProxyStructuredResultV2> => {
  const authorizer = (event.requestContext as { authorizer?: AuthorizerFields }).authorizer;
  const ctx = authorizer?.lambda ?? authorizer ?? {};
  const caller = {
    tenantId: ctx.tenantId,
    principalId: ctx.principalId,
    principalKind: ctx.principalKind,
    email: ctx.email,
    permissions: JSON.parse(ctx.permissions ?? '[]') as unknown,
  };
  const tenantId = event.pathParameters?.tenantId ?? '';
  const appId = event.pathParameters?.appId;
  const key = `${tenantId}/${appId}`;
  const method = 'httpMethod' in event ? event.httpMethod : event.requestContext.http.method;
  if (!appId) {
    const items = [...apps.entries()]
      .filter(([k]) => k.startsWith(`${tenantId}/`))
      .map(([, v]) => v);
    return json(200, { apps: items, caller });
  }
  if (method === 'PUT') {
    const created = {
      id: `/${appId}`,
      createdBy: caller.principalId ?? '',
      createdAt: new Date().toISOString(),
    };
    apps.set(key, created);
    return json(201, { app: created, caller });
  }
  if (method === 'DELETE') {
    apps.delete(key);
    return { statusCode: 204 };
  }
  const found = apps.get(key);
  return found
    ? json(200, { app: found, caller })
    : json(404, { message: `App /${appId} not found`, caller });
};
