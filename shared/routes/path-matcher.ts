/**
 * Matches a request path against API Gateway path templates (`/v1/tenants/{tenantId}`,
 * `/apps/{appId+}`): the route it is for, or why none is (unknown path, or a known path with
 * another method and the methods it allows). The local server and the `$default` handler use it.
 */

/** A route as the matcher needs it: its method and API Gateway path template. */
export interface PathRoute {
  method: string;
  path: string;
}

interface CompiledPath<R extends PathRoute> {
  route: R;
  pattern: RegExp;
  params: string[];
}

export type PathMatch<R extends PathRoute> =
  /** The route, with its path parameters still percent-encoded (`raw`). */
  | { kind: 'route'; route: R; raw: Record<string, string> }
  /** The path is known but not with this method; `allow` lists the methods it has. */
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'not-found' };

function compile<R extends PathRoute>(route: R): CompiledPath<R> {
  const params: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      const m = /^\{([A-Za-z0-9_]+)(\+?)\}$/.exec(segment);
      if (!m) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      params.push(m[1] ?? '');
      return m[2] ? '(.+)' : '([^/]+)';
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}$`), params };
}

/** Builds a matcher over `routes` (compiled once). */
export function pathMatcher<R extends PathRoute>(
  routes: readonly R[],
): (pathname: string, method: string) => PathMatch<R> {
  const compiled = routes.map(compile);
  return (pathname, method) => {
    const allow = new Set<string>();
    for (const { route, pattern, params } of compiled) {
      const m = pattern.exec(pathname);
      if (!m) continue;
      if (route.method !== method) {
        allow.add(route.method);
        continue;
      }
      const raw: Record<string, string> = {};
      params.forEach((name, i) => {
        raw[name] = m[i + 1] ?? '';
      });
      return { kind: 'route', route, raw };
    }
    return allow.size ? { kind: 'method-not-allowed', allow: [...allow] } : { kind: 'not-found' };
  };
}
