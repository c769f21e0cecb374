/**
 * The local OAuth facade's memory: sign-in requests waiting for a password, and authorization
 * codes waiting for their token exchange. Codes are single-use and live five minutes, as
 * Cognito's do; nothing survives a restart.
 */
import { createHash, randomBytes } from 'node:crypto';

/** A validated `/oauth2/authorize` request, waiting for the person to sign in. */
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  state?: string;
  codeChallenge: string;
  scopes: string[];
}

/** Cognito's tokens for one sign-in. */
export interface IssuedTokens {
  accessToken: string;
  idToken: string;
  refreshToken: string;
  expiresIn: number;
}

interface Entry<T> {
  value: T;
  expiresAt: number;
}

export const CODE_LIFETIME_MS = 5 * 60_000;
/** How long a sign-in page may stay open before its request is forgotten. */
export const REQUEST_LIFETIME_MS = 15 * 60_000;

const newId = () => randomBytes(32).toString('base64url');

/** RFC 7636 S256: BASE64URL(SHA256(code_verifier)). */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

export function authorizationStore(now: () => number = Date.now) {
  const requests = new Map<string, Entry<AuthorizationRequest>>();
  const codes = new Map<string, Entry<AuthorizationRequest & { tokens: IssuedTokens }>>();
  const live = <T>(map: Map<string, Entry<T>>, id: string) => {
    const entry = map.get(id);
    if (entry && entry.expiresAt <= now()) map.delete(id);
    return entry && entry.expiresAt > now() ? entry.value : undefined;
  };
  const sweep = () => {
    for (const map of [requests, codes] as Map<string, Entry<unknown>>[])
      for (const [id, entry] of map) if (entry.expiresAt <= now()) map.delete(id);
  };
  return {
    /** Remembers an authorization request; its id goes into the sign-in form. */
    openRequest(request: AuthorizationRequest): string {
      sweep();
      const id = newId();
      requests.set(id, { value: request, expiresAt: now() + REQUEST_LIFETIME_MS });
      return id;
    },
    request: (id: string) => live(requests, id),
    /** Ends the request and issues its one-time code, bound to its client, redirect and challenge. */
    issueCode(requestId: string, tokens: IssuedTokens): string | undefined {
      const request = live(requests, requestId);
      if (!request) return undefined;
      requests.delete(requestId);
      const code = newId();
      codes.set(code, { value: { ...request, tokens }, expiresAt: now() + CODE_LIFETIME_MS });
      return code;
    },
    /** The code's grant, once: a second call with the same code finds nothing. */
    redeemCode(code: string) {
      const grant = live(codes, code);
      codes.delete(code);
      return grant;
    },
  };
}

export type AuthorizationStore = ReturnType<typeof authorizationStore>;
