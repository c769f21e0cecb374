/**
 * What the viewer may do in the current tenant, so the console offers only that (a plain member
 * sees no admin actions). `can('DELETE', '/v1/tenants/{tenantId}/members/{userId}')` answers
 * for one API route, named exactly as the typed client names it; `can(..., userId)` also
 * answers yes for a route the viewer may call only on their own membership when `userId` is
 * theirs.
 *
 * The answer comes from `GET /v1/me/tenants/{tenantId}/abilities` (see `useAbilities`, used by
 * console-main.tsx): while it loads, nothing is offered.
 */
import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { ApiClient } from './api/client.js';
import type { paths } from './api/schema.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type Can = (method: Method, path: keyof paths, onUserId?: string) => boolean;

/** Nothing is offered: while the viewer's abilities load, or when they could not be read. */
export const CAN_NOTHING: Can = () => false;

export const CanContext = createContext<Can>(CAN_NOTHING);

export function useCan(): Can {
  return useContext(CanContext);
}

/**
 * The roles and groups the viewer may hand out (they hold all each confers); a list is absent
 * when the viewer may not read it (the pickers then take typed ids).
 */
export interface Grantable {
  roles?: string[];
  groups?: string[];
}

/** Nothing to hand out: while the abilities load, or when they could not be read. */
export const GRANT_NOTHING: Grantable = { roles: [], groups: [] };

export const GrantableContext = createContext<Grantable>(GRANT_NOTHING);

/** The ids of `kind` the viewer may grant, or undefined when they may not list them. */
export function useGrantable(kind: keyof Grantable): string[] | undefined {
  return useContext(GrantableContext)[kind];
}

/** The abilities route's answer. */
export interface Abilities {
  routes: string[];
  selfRoutes: string[];
  grantable: Grantable;
}

/**
 * A `can` answering from `abilities` for the viewer `me`. Routes outside tenants (`/v1/me`,
 * `/v1/me/tokens`, ...) need only the signed-in session the console holds: always offered.
 */
export function canFrom(abilities: Abilities, me: string): Can {
  const routes = new Set(abilities.routes);
  const own = new Set(abilities.selfRoutes);
  return (method, path, onUserId) => {
    if (!path.includes('{tenantId}')) return true;
    const key = `${method} ${path}`;
    return routes.has(key) || (onUserId === me && own.has(key));
  };
}

/**
 * The viewer's `can` in `tenantId`, asked again on every tenant switch; `undefined` while it
 * loads, and `CAN_NOTHING` (with `error`) when the API did not answer.
 */
export function useAbilities(api: ApiClient, tenantId: string, me: string) {
  const [state, setState] = useState<{
    tenantId: string;
    can: Can;
    grantable: Grantable;
    error?: string;
  }>();
  useEffect(() => {
    if (!tenantId) return;
    let current = true;
    setState(undefined);
    void api
      .GET('/v1/me/tenants/{tenantId}/abilities', { params: { path: { tenantId } } })
      .then(({ data }) => {
        if (!current) return;
        setState(
          data
            ? { tenantId, can: canFrom(data, me), grantable: data.grantable }
            : {
                tenantId,
                can: CAN_NOTHING,
                grantable: GRANT_NOTHING,
                error: 'What you may do here could not be read.',
              },
        );
      });
    return () => {
      current = false;
    };
  }, [api, tenantId, me]);
  return state?.tenantId === tenantId ? state : undefined;
}
