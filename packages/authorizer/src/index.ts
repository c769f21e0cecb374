/** @gatehouse/authorizer: the Gatehouse Lambda authorizer for other teams' HTTP and REST APIs. */
export { gatehouseHttpAuthorizer, gatehouseRestAuthorizer } from './authorizer-settings.js';
export {
  BACKEND_CONTEXT_KEYS,
  type BackendContextKey,
  httpHeaderMapping,
  restHeaderMapping,
} from './backend-context.js';
export { GatehouseAuthorizer, type GatehouseAuthorizerProps } from './gatehouse-authorizer.js';
export {
  GatehouseStage,
  type GatehouseStageAttributes,
  GatehouseStageParameters,
  gatehouseParameterNames,
} from './gatehouse-stage.js';
export { BUNDLE_FILES, prebuiltBundleDir } from './prebuilt-bundle.js';
export {
  AUTHORIZER_ACTIONS,
  type AuthorizerAction,
  type AuthorizerPermission,
  ROUTE_MAP_FILE,
  ROUTE_MAP_FORMAT,
  type RouteMap,
  RouteMapError,
  type RouteMapFile,
  validateRouteMap,
} from './route-map.js';
export {
  AUTHORIZER_TABLE_ACCESS,
  GATEHOUSE_INDEX_NAMES,
  type TableAccess,
  tableAccessStatement,
} from './table-access.js';
