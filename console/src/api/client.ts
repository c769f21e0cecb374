/** The one API client: typed from the OpenAPI document (schema.d.ts), bearer token added per request. */
import createClient from 'openapi-fetch';
import type { paths } from './schema.js';

export type ApiClient = ReturnType<typeof createClient<paths>>;

export function apiClient(token: () => Promise<string | undefined>): ApiClient {
  const client = createClient<paths>({ baseUrl: '' });
  client.use({
    async onRequest({ request }) {
      const t = await token();
      if (t) request.headers.set('authorization', `Bearer ${t}`);
      return request;
    },
  });
  return client;
}

/** An RFC 9457 problem as the API sends it. */
export interface Problem {
  title?: string;
  detail?: string;
  status?: number;
  errors?: { path?: string; message?: string }[];
}

/** The problem's message for one field (`body.password`), if it names it. */
export function fieldError(problem: unknown, path: string): string | undefined {
  return (problem as Problem | undefined)?.errors?.find((e) => e.path === path)?.message;
}

/** A problem in plain words, for a message that belongs to no single field. */
export function problemText(problem: unknown, fallback = 'Something went wrong; try again.') {
  const p = problem as Problem | undefined;
  return p?.detail ?? p?.title ?? fallback;
}
