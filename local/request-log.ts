/** `npm start`'s access log: one line per request the local API answers. */

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  ms: number;
  /** The tenant the authorizer decided for, when a request had one. */
  tenant?: string;
}

/** `POST /v1/tenants/demo/invites 201 12ms tenant=demo` (path without its query string). */
export function formatRequestLine(entry: RequestLogEntry): string {
  const path = entry.path.replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c));
  const tenant = entry.tenant ? ` tenant=${entry.tenant}` : '';
  return `${entry.method} ${path} ${entry.status} ${Math.round(entry.ms)}ms${tenant}`;
}
