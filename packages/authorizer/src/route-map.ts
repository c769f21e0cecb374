/**
 * The route map a consumer gives the authorizer: route key -> permissions that must all hold.
 * One validator for both ends: the construct runs it at synth (an error names the route) and
 * the authorizer runs it again on the routes.json it reads at cold start. No dependencies, so
 * the construct and the Lambda bundle can both carry it.
 */
import { readFileSync } from 'node:fs';

/** The actions of Gatehouse's ACL model (a test keeps this equal to Gatehouse's own list). */
export const AUTHORIZER_ACTIONS = ['create', 'read', 'update', 'delete', 'full'] as const;
export type AuthorizerAction = (typeof AUTHORIZER_ACTIONS)[number];

/** Methods a route key may name (API Gateway's, including `ANY`). */
export const ROUTE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'];

export interface AuthorizerPermission {
  /** Resource id; `{param}` placeholders are filled from the route's path parameters. */
  readonly resource: string;
  readonly action: AuthorizerAction;
}

/** Route key (`GET /t/{tenantId}/apps/{appId+}`) -> permissions that must all hold. */
export type RouteMap = Readonly<Record<string, readonly AuthorizerPermission[]>>;

/** What routes.json holds beside the authorizer bundle. */
export interface RouteMapFile {
  /** Version of this file's shape; an authorizer refuses a format it does not know. */
  readonly format: typeof ROUTE_MAP_FORMAT;
  readonly tenantParam: string;
  readonly routes: RouteMap;
}

export const ROUTE_MAP_FORMAT = 1;

/** The file name of the route map in the authorizer's asset, beside `index.mjs`. */
export const ROUTE_MAP_FILE = 'routes.json';

/** A route map that cannot work; `problems` name each route and what is wrong with it. */
export class RouteMapError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid Gatehouse route map:\n- ${problems.join('\n- ')}`);
    this.name = 'RouteMapError';
  }
}

export interface ParsedRouteKey {
  readonly method: string;
  readonly path: string;
  /** Path parameter names, without the greedy `+`. */
  readonly params: readonly string[];
  readonly greedy: readonly string[];
}

const ROUTE_KEY = /^([A-Z]+) (\/\S*)$/;
const PATH_PARAM = /^\{([A-Za-z0-9_]+)(\+?)\}$/;
const PLACEHOLDER = /\{([A-Za-z0-9_]+)\}/g;
// Characters a static part of a resource template may not hold: they never survive into a valid
// resource id (the authorizer checks the bound id again with Gatehouse's full grammar).
const FORBIDDEN_IN_RESOURCE = /[\s%?#"\\{}]/;

/** Parses `METHOD /path/{param}`; a message naming the problem, or the parsed key. */
export function parseRouteKey(key: string): ParsedRouteKey | string {
  const match = ROUTE_KEY.exec(key);
  const method = match?.[1];
  const path = match?.[2];
  if (!method || !path) return `"${key}" is not a route key like "GET /t/{tenantId}/apps"`;
  if (!ROUTE_METHODS.includes(method)) return `"${key}" has an unknown method ${method}`;
  const params: string[] = [];
  const greedy: string[] = [];
  const segments = path === '/' ? [] : path.slice(1).split('/');
  for (const [i, segment] of segments.entries()) {
    if (segment === '') return `"${key}" has an empty path segment`;
    if (!segment.includes('{') && !segment.includes('}')) continue;
    const param = PATH_PARAM.exec(segment);
    const name = param?.[1];
    if (!name) return `"${key}" has a malformed path parameter "${segment}"`;
    if (params.includes(name)) return `"${key}" names the parameter {${name}} twice`;
    if (param[2]) {
      if (i !== segments.length - 1) return `"${key}" has a greedy {${name}+} before the end`;
      greedy.push(name);
    }
    params.push(name);
  }
  return { method, path, params, greedy };
}

/** Why `template` (with placeholders bound to a sample) can never be a valid resource id. */
function resourceProblem(template: string, params: readonly string[]): string | undefined {
  if (typeof template !== 'string' || template.length === 0) return 'an empty resource';
  for (const [, name] of template.matchAll(PLACEHOLDER)) {
    if (!params.includes(name ?? ''))
      return `resource "${template}" uses {${name}}, not a path parameter`;
  }
  const sample = template.replace(PLACEHOLDER, 'x');
  if (FORBIDDEN_IN_RESOURCE.test(sample)) return `resource "${template}" has a forbidden character`;
  const levels = sample.split(/[:/]/);
  if (levels.some((level) => level === '' || level === '.' || level === '..')) {
    return `resource "${template}" has an empty, "." or ".." level`;
  }
  return undefined;
}

function permissionProblems(key: string, value: unknown, params: readonly string[]): string[] {
  if (!Array.isArray(value)) return [`route "${key}": permissions must be a list`];
  const problems: string[] = [];
  for (const [i, entry] of value.entries()) {
    const where = `route "${key}", permission ${i + 1}`;
    if (!entry || typeof entry !== 'object') {
      problems.push(`${where}: not an object {resource, action}`);
      continue;
    }
    const extra = Object.keys(entry).filter((k) => k !== 'resource' && k !== 'action');
    if (extra.length) problems.push(`${where}: unknown field ${extra.join(', ')}`);
    const { resource, action } = entry as { resource?: unknown; action?: unknown };
    if (!AUTHORIZER_ACTIONS.includes(action as AuthorizerAction)) {
      problems.push(
        `${where}: unknown action ${JSON.stringify(action)} (one of ${AUTHORIZER_ACTIONS.join(', ')})`,
      );
    }
    const problem = resourceProblem(resource as string, params);
    if (problem) problems.push(`${where}: ${problem}`);
  }
  return problems;
}

/**
 * Checks a route map: route keys, the tenant parameter in every path (never greedy), known
 * actions, and resources whose placeholders are path parameters of their route. Throws a
 * RouteMapError listing every problem; returns the map unchanged otherwise.
 */
export function validateRouteMap(routes: unknown, tenantParam: string): RouteMap {
  if (!routes || typeof routes !== 'object' || Array.isArray(routes)) {
    throw new RouteMapError(['the route map must be an object of route key -> permissions']);
  }
  const problems: string[] = [];
  for (const [key, permissions] of Object.entries(routes)) {
    const parsed = parseRouteKey(key);
    if (typeof parsed === 'string') {
      problems.push(`route ${parsed}`);
      continue;
    }
    if (!parsed.params.includes(tenantParam) || parsed.greedy.includes(tenantParam)) {
      problems.push(`route "${key}" has no {${tenantParam}} parameter (the tenant)`);
    }
    problems.push(...permissionProblems(key, permissions, parsed.params));
  }
  if (problems.length) throw new RouteMapError(problems);
  return routes as RouteMap;
}

/** The routes.json document for a validated map. */
export function routeMapFile(routes: RouteMap, tenantParam: string): RouteMapFile {
  return { format: ROUTE_MAP_FORMAT, tenantParam, routes: validateRouteMap(routes, tenantParam) };
}

/** Reads and validates a routes.json; throws (the cold start fails) when it is not usable. */
export function readRouteMapFile(path: string): { tenantParam: string; routes: RouteMap } {
  const doc = JSON.parse(readFileSync(path, 'utf8')) as Partial<RouteMapFile> | null;
  if (doc?.format !== ROUTE_MAP_FORMAT) {
    throw new RouteMapError([`${path}: unknown route map format ${JSON.stringify(doc?.format)}`]);
  }
  const tenantParam = doc.tenantParam;
  if (typeof tenantParam !== 'string' || !tenantParam) {
    throw new RouteMapError([`${path}: no tenantParam`]);
  }
  return { tenantParam, routes: validateRouteMap(doc.routes, tenantParam) };
}
