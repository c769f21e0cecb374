/** The HTTP client of the CLI: bearer auth, JSON bodies, problem+json errors with hints. */
import { ApiError, CliError, EXIT, type Problem } from './errors.js';

/** One request to the API. */
export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  headers?: Record<string, string>;
}

/** A 2xx answer: status and parsed JSON body (undefined for 204). */
export interface ApiResponse<T> {
  status: number;
  body: T;
}

/** A page of a list route. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Joins path segments, URL-encoding each (resource ids hold `:` and `/`). */
export function apiPath(...segments: string[]): string {
  return `/${segments.map((s) => encodeURIComponent(s)).join('/')}`;
}

/** `/v1/tenants/{t}/...rest`, every segment encoded. */
export function tenantPath(tenantId: string, ...rest: string[]): string {
  return apiPath('v1', 'tenants', tenantId, ...rest);
}

function hintFor(status: number, problem: Problem, tenant: string | undefined): string | undefined {
  const where = tenant ? ` (tenant ${tenant})` : '';
  switch (status) {
    case 400:
      return 'fix the fields named above and retry';
    case 401:
      return 'run `gatehouse login` (your session expired or you were logged out)';
    case 403:
      return `you lack the permission for this${where}; ask a tenant admin, or check with \`gatehouse whoami\``;
    case 404:
      return `check the id, and the tenant with --tenant${where}`;
    case 409:
      if (typeof problem.limit === 'string') {
        return `the tenant's ${problem.limit} limit is reached; remove some first, or ask the operator to raise it`;
      }
      return problem.detail?.toLowerCase().includes('superuser')
        ? 'every tenant keeps at least one active superuser; make someone else superuser first'
        : 'the current state does not allow this; look at it with a `show` or `list` command';
    case 410:
      return 'it is no longer usable (expired, revoked or used); create a new one';
    case 429:
      return 'slow down and retry in a little while';
    default:
      return status >= 500
        ? 'the service failed; retry, and check its logs if it persists'
        : undefined;
  }
}

/** Talks to one Gatehouse API with a bearer token obtained on demand. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: (() => Promise<string>) | undefined,
    private readonly tenant?: string,
  ) {}

  /** Sends a request; resolves for 2xx, throws ApiError for problem answers. */
  async request<T = unknown>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (this.token) headers.authorization = `Bearer ${await this.token()}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const url = new URL(`${this.baseUrl}${path}`);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body });
    } catch (error) {
      throw new CliError(
        `Cannot reach ${this.baseUrl}: ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}`,
        EXIT.unexpected,
        'is the stack running (`npm start`)? or give the right --api <url>',
      );
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    if (res.ok) return { status: res.status, body: parsed as T };
    const problem: Problem =
      parsed && typeof parsed === 'object'
        ? (parsed as Problem)
        : { status: res.status, title: res.statusText, detail: text || res.statusText };
    throw new ApiError(res.status, problem, hintFor(res.status, problem, this.tenant));
  }

  /** Fetches one page, or every page with `all`. */
  async list<T>(
    path: string,
    query: Record<string, string | number | undefined>,
    all: boolean,
  ): Promise<Page<T>> {
    const first = await this.request<Page<T>>('GET', path, { query });
    if (!all) return first.body;
    const items = [...first.body.items];
    let cursor = first.body.nextCursor;
    while (cursor) {
      const next = await this.request<Page<T>>('GET', path, { query: { ...query, cursor } });
      items.push(...next.body.items);
      cursor = next.body.nextCursor;
    }
    return { items, nextCursor: null };
  }
}
