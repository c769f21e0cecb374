/**
 * Sign-in for the console and the hosted pages: the OAuth 2.0 authorization-code flow with PKCE
 * through oauth4webapi, against Cognito's managed login (deployed) or the local facade (same
 * endpoints). Tokens live in this tab's sessionStorage only.
 */
import * as oauth from 'oauth4webapi';
import type { ConsoleConfig } from '../config.js';

const SESSION = 'gatehouse.session';
const PENDING = 'gatehouse.pending-sign-in';

export interface Session {
  accessToken: string;
  refreshToken?: string;
  email?: string;
  /** Epoch ms after which the access token is refreshed before use. */
  refreshAt: number;
}

interface PendingSignIn {
  verifier: string;
  state: string;
  redirectUri: string;
  /** Whatever the page wants back after the redirect (the console's route, the invite token). */
  resume: string;
}

const server = (config: ConsoleConfig): oauth.AuthorizationServer => ({
  issuer: config.issuer,
  authorization_endpoint: config.authorizationEndpoint,
  token_endpoint: config.tokenEndpoint,
  end_session_endpoint: config.logoutEndpoint,
});
const client = (config: ConsoleConfig): oauth.Client => ({ client_id: config.clientId });
/** http only for the local stack on loopback. */
const requestOptions = (config: ConsoleConfig) => ({
  [oauth.allowInsecureRequests]: config.tokenEndpoint.startsWith('http:'),
});

function read<T>(key: string): T | undefined {
  const raw = sessionStorage.getItem(key);
  return raw ? (JSON.parse(raw) as T) : undefined;
}

export const currentSession = () => read<Session>(SESSION);

/** Sends the browser to the sign-in page; `resume` comes back from `completeSignIn`. */
export async function beginSignIn(config: ConsoleConfig, redirectUri: string, resume: string) {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const pending: PendingSignIn = { verifier, state, redirectUri, resume };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const url = new URL(config.authorizationEndpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('scope', 'openid email profile');
  url.searchParams.set('state', state);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  location.assign(url.href);
}

function storeTokens(tokens: oauth.TokenEndpointResponse, previous?: Session): Session {
  const claims = oauth.getValidatedIdTokenClaims(tokens);
  const session: Session = {
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token ?? previous?.refreshToken,
    email: typeof claims?.email === 'string' ? claims.email : previous?.email,
    // A minute early, so a request never leaves with a token about to expire.
    refreshAt: Date.now() + Math.max(0, (tokens.expires_in ?? 300) - 60) * 1000,
  };
  sessionStorage.setItem(SESSION, JSON.stringify(session));
  return session;
}

/**
 * On the page the sign-in returned to: exchanges the code for tokens and cleans the address.
 * Undefined when this load is not a return from sign-in; throws with the server's words when
 * sign-in failed.
 */
export async function completeSignIn(
  config: ConsoleConfig,
): Promise<{ session: Session; resume: string } | undefined> {
  const callback = new URL(location.href);
  if (!callback.searchParams.has('code') && !callback.searchParams.has('error')) return undefined;
  const pending = read<PendingSignIn>(PENDING);
  sessionStorage.removeItem(PENDING);
  const clean = new URL(callback.href);
  for (const p of ['code', 'state', 'error', 'error_description', 'iss'])
    clean.searchParams.delete(p);
  history.replaceState(null, '', clean.href);
  if (!pending) return undefined;
  const as = server(config);
  let params: URLSearchParams;
  try {
    params = oauth.validateAuthResponse(as, client(config), callback, pending.state);
  } catch (error) {
    if (error instanceof oauth.AuthorizationResponseError)
      throw new Error(error.error_description ?? error.error);
    throw error;
  }
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client(config),
    oauth.None(),
    params,
    pending.redirectUri,
    pending.verifier,
    requestOptions(config),
  );
  const tokens = await oauth.processAuthorizationCodeResponse(as, client(config), response);
  return { session: storeTokens(tokens), resume: pending.resume };
}

/** A valid access token: the stored one, refreshed first when it is about to expire. */
export async function accessToken(config: ConsoleConfig): Promise<string | undefined> {
  const session = currentSession();
  if (!session) return undefined;
  if (Date.now() < session.refreshAt || !session.refreshToken) return session.accessToken;
  const as = server(config);
  try {
    const response = await oauth.refreshTokenGrantRequest(
      as,
      client(config),
      oauth.None(),
      session.refreshToken,
      requestOptions(config),
    );
    const tokens = await oauth.processRefreshTokenResponse(as, client(config), response);
    return storeTokens(tokens, session).accessToken;
  } catch {
    // Refresh refused (revoked, signed out everywhere): sign in again.
    sessionStorage.removeItem(SESSION);
    return undefined;
  }
}

/** Forgets this tab's tokens and passes through the sign-in server's logout back to `logoutUri`. */
export function signOut(config: ConsoleConfig, logoutUri: string) {
  sessionStorage.removeItem(SESSION);
  const url = new URL(config.logoutEndpoint);
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('logout_uri', logoutUri);
  location.assign(url.href);
}
