/**
 * CORS as API Gateway's HTTP API applies a `corsPreflight` configuration: it answers every
 * OPTIONS preflight itself, adds the CORS headers to an integration's answer when the request's
 * origin is allowed, ignores CORS headers an integration returns, and gives a disallowed origin
 * no CORS header at all (the browser then refuses the response).
 */
import { CORS_POLICY } from '#shared/config/cors.js';
import { stageSettings } from '#shared/config/stages.js';

/** The HTTP API's CORS settings (what `corsPreflight` configures on AWS). */
export interface CorsSettings {
  allowOrigins: readonly string[];
  allowMethods: readonly string[];
  allowHeaders: readonly string[];
  exposeHeaders: readonly string[];
  maxAgeSeconds: number;
}

/** The `local` stage's settings plus `extraOrigins` (tests add the origin of their own page). */
export function localCors(extraOrigins: readonly string[] = []): CorsSettings {
  const origins = [...stageSettings('local').allowedOrigins, ...extraOrigins];
  return { ...CORS_POLICY, allowOrigins: [...new Set(origins)] };
}

function allowedOrigin(settings: CorsSettings, origin: string | undefined): string | undefined {
  if (!origin) return undefined;
  return settings.allowOrigins.includes('*') || settings.allowOrigins.includes(origin)
    ? origin
    : undefined;
}

/** The gateway's own answer to an OPTIONS preflight: 204, with CORS headers only for an allowed origin. */
export function preflightHeaders(
  settings: CorsSettings,
  origin: string | undefined,
): Record<string, string> {
  const allowed = allowedOrigin(settings, origin);
  if (!allowed) return {};
  return {
    'access-control-allow-origin': allowed,
    'access-control-allow-methods': settings.allowMethods.join(','),
    'access-control-allow-headers': settings.allowHeaders.join(','),
    'access-control-max-age': String(settings.maxAgeSeconds),
    vary: 'origin',
  };
}

/** An integration's headers as the gateway sends them on: its CORS headers replaced by the API's. */
export function withCorsHeaders(
  settings: CorsSettings,
  origin: string | undefined,
  headers: Record<string, string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (!k.toLowerCase().startsWith('access-control-')) out[k] = v;
  }
  const allowed = allowedOrigin(settings, origin);
  if (!allowed) return out;
  out['access-control-allow-origin'] = allowed;
  if (settings.exposeHeaders.length)
    out['access-control-expose-headers'] = settings.exposeHeaders.join(',');
  out.vary = out.vary ? `${out.vary}, origin` : 'origin';
  return out;
}
