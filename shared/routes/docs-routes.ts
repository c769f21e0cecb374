/** Routes that describe the API itself. */
import type { RouteDefinition } from '#shared/routes/route-types.js';

export const docsRoutes: RouteDefinition[] = [
  {
    method: 'GET',
    path: '/v1/openapi.json',
    fn: 'docs',
    auth: { kind: 'public' },
    summary: 'This API described as an OpenAPI 3.1 document',
    status: 200,
    tags: ['docs'],
  },
];
