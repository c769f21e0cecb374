/**
 * The example protected service (examples/apps-consumer: the same routes and handler its CDK app
 * deploys), mounted on the local server behind the external-mode authorizer.
 */
import { APPS_TENANT_PARAM, appsRoutes } from '../examples/apps-consumer/src/routes.js';
import type { LambdaAuthorizer, LambdaHttpHandler, LocalApi } from './http-server.js';

export async function exampleApis(): Promise<LocalApi[]> {
  let authorizer: Promise<LambdaAuthorizer> | undefined;
  const { handler } = await import('../examples/apps-consumer/src/handler.js');
  return [
    {
      name: 'example-apps',
      authorizer: () => {
        authorizer ??= (async () => {
          const { appDeps } = await import('#shared/app/deps.js');
          const { buildAuthorizer } = await import('#shared/auth/authorizer-factory.js');
          const deps = appDeps();
          return buildAuthorizer(deps.env, deps, {
            mode: 'external',
            tenantParam: APPS_TENANT_PARAM,
            routes: appsRoutes,
          });
        })();
        return authorizer;
      },
      routes: Object.keys(appsRoutes).map((key) => {
        const [method = 'GET', path = '/'] = key.split(' ');
        return {
          method,
          path,
          authorized: true,
          handler: async () => handler as LambdaHttpHandler,
        };
      }),
    },
  ];
}
