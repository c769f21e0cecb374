/** Lambda entry serving the OpenAPI document (built once per cold start from the route table). */
import { apiHandler } from '#shared/http/api-handler.js';
import { openApiDocument } from '#shared/http/openapi.js';
import { docsRoutes } from '#shared/routes/docs-routes.js';
import { routeTable } from '#shared/routes/route-table.js';

let document: ReturnType<typeof openApiDocument> | undefined;

export const handler = apiHandler('docs', docsRoutes, {
  'docs.openapi': async () => {
    document ??= openApiDocument(routeTable);
    return document;
  },
});
