/**
 * The example service's route -> permissions map: a small Marathon-like apps API. The CDK app
 * (lib/apps-stack.ts) protects an HTTP API and a REST API with it; `npm start` mounts the same.
 * Reaching an app needs the Admin Router permission for the service AND the app-level one,
 * as in DC/OS; `{appId}` is substituted into the resource id.
 */
import type { AuthorizerPermission, RouteMap } from '@gatehouse/authorizer';

export const APPS_TENANT_PARAM = 'tenantId';
const base = '/example/t/{tenantId}/marathon/v2';
const adminRouter: AuthorizerPermission = {
  resource: 'dcos:adminrouter:service:marathon',
  action: 'full',
};
const app = 'dcos:service:marathon:marathon:services/{appId}';

export const appsRoutes: RouteMap = {
  [`GET ${base}/apps`]: [
    adminRouter,
    { resource: 'dcos:service:marathon:marathon:services', action: 'read' },
  ],
  [`GET ${base}/apps/{appId+}`]: [adminRouter, { resource: app, action: 'read' }],
  [`PUT ${base}/apps/{appId+}`]: [adminRouter, { resource: app, action: 'create' }],
  [`DELETE ${base}/apps/{appId+}`]: [adminRouter, { resource: app, action: 'delete' }],
};
