/**
 * What the viewer may do in the current tenant, so the console offers only that (a plain member
 * sees no admin actions). `can('DELETE', '/v1/tenants/{tenantId}/members/{userId}')` answers
 * for one API route, named exactly as the typed client names it.
 *
 * Until the API says (see the provider in console-main.tsx), everything is offered and the API
 * refuses what the viewer may not do.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { paths } from './api/schema.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type Can = (method: Method, path: keyof paths) => boolean;

export const CanContext = createContext<Can>(() => true);

export function useCan(): Can {
  return useContext(CanContext);
}
