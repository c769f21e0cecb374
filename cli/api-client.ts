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
    case 503:
      return 'a service Gatehouse depends on is down or slow; retry in a little while';
    default:
      return status >= 500
        ? 'the service failed; retry, and check its logs if it persists'
        : undefined;
  }
}

/** How the client retries answers that say "try again later" (503, 429). */
export interface RetryOptions {
  /** Retries after the first attempt. @default 3 */
  retries?: number;
  /** Longest wait the client accepts; a longer Retry-After fails at once. @default 30 s */
  maxWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Where the client says it is retrying. @default stderr */
  warn?: (line: string) => void;
}

const RETRY_STATUSES = new Set([429, 503]);

/** The wait a Retry-After header asks for (seconds or an HTTP date), if any. */
function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** An answer worth retrying after a wait (internal to the client). */
class RetryLater extends Error {
  constructor(
    readonly apiError: ApiError,
    readonly waitMs: number | undefined,
  ) {
    super(apiError.message);
  }
}

/** Talks to one Gatehouse API with a bearer token obtained on demand. */
export class ApiClient {
  private readonly retry: Required<RetryOptions>;

  constructor(
    readonly baseUrl: string,
    private readonly token: (() => Promise<string>) | undefined,
    private readonly tenant?: string,
    retry: RetryOptions = {},
  ) {
    this.retry = {
      retries: retry.retries ?? 3,
      maxWaitMs: retry.maxWaitMs ?? 30_000,
      sleep: retry.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
      warn: retry.warn ?? ((line) => void process.stderr.write(`${line}\n`)),
    };
  }

  /**
   * Sends a request; resolves for 2xx, throws ApiError for problem answers. A 503 (a dependency
   * of the API is down or slow) or 429 is retried a few times, after the Retry-After the API
   * asked for (else 1, 2, 4 s), saying so on stderr.
   */
  async request<T = unknown>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once<T>(method, path, options);
      } catch (error) {
        if (!(error instanceof RetryLater) || attempt > this.retry.retries) {
          throw error instanceof RetryLater ? error.apiError : error;
        }
        const wait = error.waitMs ?? 1000 * 2 ** (attempt - 1);
        if (wait > this.retry.maxWaitMs) throw error.apiError;
        const seconds = Math.max(1, Math.round(wait / 1000));
        this.retry.warn(
          `gatehouse: the API answered ${error.apiError.status} (${error.apiError.message}); retrying in ${seconds} s (retry ${attempt} of ${this.retry.retries})`,
        );
        await this.retry.sleep(wait);
      }
    }
  }

  private async once<T>(
    method: string,
    path: string,
    options: RequestOptions,
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
    const apiError = new ApiError(res.status, problem, hintFor(res.status, problem, this.tenant));
    if (RETRY_STATUSES.has(res.status)) {
      throw new RetryLater(apiError, retryAfterMs(res.headers.get('retry-after')));
    }
    throw apiError;
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
