/** Routes that describe the API itself. */
import type { RouteDefinition } from '#shared/routes/route-types.js';
import { NoPath } from '#shared/routes/tenant-route.js';

export const docsRoutes = [
  {
    id: 'docs.openapi',
    method: 'GET',
    path: '/v1/openapi.json',
    fn: 'docs',
    auth: { kind: 'public' },
    summary: 'This API described as an OpenAPI 3.1 document',
    status: 200,
    params: NoPath,
    tags: ['docs'],
  },
] satisfies RouteDefinition[];
