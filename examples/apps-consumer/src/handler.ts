/**
 * The example protected service: an in-memory apps registry that trusts the Gatehouse
 * authorizer's context (`tenantId`, `userId`, `email`) and holds no access logic itself.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

const apps = new Map<string, { id: string; createdBy: string; createdAt: string }>();

function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}

export const handler = async (
  event: APIGatewayProxyEventV2,
): Promise<APIGatewayProxyStructuredResultV2> => {
  const ctx =
    (event.requestContext as { authorizer?: { lambda?: Record<string, string> } }).authorizer
      ?.lambda ?? {};
  const caller = { tenantId: ctx.tenantId, userId: ctx.userId, email: ctx.email };
  const tenantId = event.pathParameters?.tenantId ?? '';
  const appId = event.pathParameters?.appId;
  const key = `${tenantId}/${appId}`;
  const method = event.requestContext.http.method;
  if (!appId) {
    const items = [...apps.entries()]
      .filter(([k]) => k.startsWith(`${tenantId}/`))
      .map(([, v]) => v);
    return json(200, { apps: items, caller });
  }
  if (method === 'PUT') {
    const created = {
      id: `/${appId}`,
      createdBy: caller.userId ?? '',
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
