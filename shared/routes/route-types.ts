/**
 * Types of the route table: one declaration per route, shared by CDK, the local server and OpenAPI.
 * Its schemas are zod/mini ones (every API function bundles them; full zod is 90 KiB more).
 */
import type * as z from 'zod/mini';
import type { Action } from '#shared/acl/types.js';

/** The Lambda functions that serve HTTP routes (one per capability). */
export type ApiFunctionName =
  | 'tenants'
  | 'me'
  | 'invites'
  | 'members'
  | 'groups'
  | 'roles'
  | 'acls'
  | 'audit'
  | 'service-accounts'
  | 'examples'
  | 'docs';

/** A route's stable name, `<capability>.<operation>` (e.g. `groups.list`): handlers are keyed by it. */
export type RouteId = `${string}.${string}`;

/** A permission a route needs; `{param}` placeholders are filled from path parameters. */
export interface RequiredPermission {
  resource: string;
  action: Action;
}

export type RouteAuth =
  /** No token needed (e.g. the invite lookup for the accept page). */
  | { kind: 'public' }
  /** Any valid token; not tied to a tenant (e.g. `GET /v1/me`). */
  | { kind: 'authenticated' }
  /** Optional bearer: the handler decides (invite accept with or without an account). */
  | { kind: 'optional' }
  /**
   * Member of the tenant in path parameter `tenantParam` holding every permission.
   * `self` names a path parameter: when it equals the caller's userId the permissions are waived.
   */
  | {
      kind: 'tenant';
      tenantParam: string;
      permissions: readonly RequiredPermission[];
      self?: string;
    };

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteDefinition {
  id: RouteId;
  method: HttpMethod;
  /** API Gateway path template, e.g. `/v1/tenants/{tenantId}`. */
  path: string;
  fn: ApiFunctionName;
  auth: RouteAuth;
  summary: string;
  /** Success status code. */
  status: number;
  /** Schema of the path parameters, one key per `{param}` of `path` (none: an empty object). */
  params: z.ZodMiniObject;
  body?: z.ZodMiniType;
  query?: z.ZodMiniType;
  /** Schema of the success body, for the OpenAPI document. */
  response?: z.ZodMiniType;
  tags?: string[];
}

export function routeKey(route: Pick<RouteDefinition, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}
