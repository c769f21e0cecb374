/**
 * The example protected service (examples/apps-consumer: the same routes and handler its CDK app
 * deploys), mounted on the local server behind the external-mode authorizer twice, on one route
 * map: as an HTTP API (`/example/...`) and as a REST API whose stage is `rest`
 * (`/rest/example/...`, resources keyed exactly as the HTTP routes).
 */
import { APPS_TENANT_PARAM, appsRoutes } from '../examples/apps-consumer/src/routes.js';
import type { LambdaHttpHandler, LocalApi, LocalRoute } from './http-server.js';

/** The REST form's stage: the first segment of its URLs. */
export const EXAMPLE_REST_STAGE = 'rest';

export async function exampleApis(): Promise<LocalApi[]> {
  let forms: Promise<Awaited<ReturnType<typeof build>>> | undefined;
  const build = async () => {
    const { authorizerDeps } = await import('#shared/app/authorizer-deps.js');
    const { buildAuthorizers } = await import('#shared/auth/authorizer-factory.js');
    // The deployed authorizer's wiring: the same transport, which the local access guard holds.
    const deps = authorizerDeps();
    return buildAuthorizers(deps.env, deps, {
      mode: 'external',
      tenantParam: APPS_TENANT_PARAM,
      routes: appsRoutes,
    });
  };
  const authorizers = () => {
    forms ??= build();
    return forms;
  };
  const { handler } = await import('../examples/apps-consumer/src/handler.js');
  const routes: LocalRoute[] = Object.keys(appsRoutes).map((key) => {
    const [method = 'GET', path = '/'] = key.split(' ');
    return { method, path, authorized: true, handler: async () => handler as LambdaHttpHandler };
  });
  return [
    { name: 'example-apps', authorizer: async () => (await authorizers()).http, routes },
    {
      name: 'example-apps-rest',
      rest: { stage: EXAMPLE_REST_STAGE, authorizer: async () => (await authorizers()).rest },
      routes,
    },
  ];
}
