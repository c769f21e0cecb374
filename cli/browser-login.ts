/**
 * `gatehouse login` by browser, as `gh auth login` does: the OAuth 2.0 authorization-code flow
 * with PKCE (S256) and state through oauth4webapi, the endpoints from the issuer's discovery
 * document (Cognito's managed login deployed, the local facade on `npm start`), the browser sent
 * back to a one-shot loopback receiver, and refresh through the same token endpoint.
 */
import { spawn } from 'node:child_process';
import * as oauth from 'oauth4webapi';
import { CLI_CALLBACK_URL } from '#shared/config/stages.js';
import type { CognitoTarget, Target } from './config.js';
import type { OAuthEndpoints, StoredSession } from './credentials.js';
import { CliError, EXIT, notLoggedIn, usageError } from './errors.js';
import { receiveLoopbackCallback } from './loopback-callback.js';

export interface BrowserLoginOptions {
  /** Open the system browser (else only print the address). */
  openBrowser: boolean;
  timeoutMs: number;
  /** Where the person is told what to do (stderr). */
  say(line: string): void;
}

const SCOPES = 'openid email profile';

/** The stage's loopback callback (`GATEHOUSE_CALLBACK_URL` for a client that allows another). */
export function callbackUrl(): string {
  return process.env.GATEHOUSE_CALLBACK_URL || CLI_CALLBACK_URL;
}

/** Plain http is allowed only to the loopback interface (the local stack). */
function insecureAllowed(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(hostname);
}

function requestOptions(url: string) {
  return { [oauth.allowInsecureRequests]: insecureAllowed(url) };
}

/** Failures of the sign-in server, in its own words. */
function signInRefused(error: unknown): CliError | undefined {
  if (error instanceof oauth.AuthorizationResponseError) {
    const denied = error.error === 'access_denied';
    return new CliError(
      denied
        ? 'Sign-in was cancelled or refused in the browser.'
        : `Sign-in failed: ${error.error_description ?? error.error}.`,
      EXIT.unauthenticated,
      'run `gatehouse login` again',
    );
  }
  if (error instanceof oauth.ResponseBodyError) {
    return new CliError(
      `Sign-in failed: ${error.error_description ?? error.error}.`,
      EXIT.unauthenticated,
      'run `gatehouse login` again',
    );
  }
  return undefined;
}

async function discover(issuer: string): Promise<oauth.AuthorizationServer> {
  const issuerUrl = new URL(issuer);
  try {
    const response = await oauth.discoveryRequest(issuerUrl, {
      algorithm: 'oidc',
      ...requestOptions(issuer),
    });
    const as = await oauth.processDiscoveryResponse(issuerUrl, response);
    if (!as.authorization_endpoint || !as.token_endpoint) {
      throw new Error('it names no authorization or token endpoint (has the pool a domain?)');
    }
    return as;
  } catch (error) {
    throw new CliError(
      `Cannot read the sign-in settings of ${issuer}: ${(error as Error).message}`,
      EXIT.unexpected,
      'check --issuer (or GATEHOUSE_ISSUER / GATEHOUSE_USER_POOL_ID) and that the stack is up',
    );
  }
}

/**
 * The issuer and app client to sign in with: the target's, or else the console's own settings
 * on the API's origin (`/console/config.json`, served by `npm start` and by the console's
 * CloudFront distribution), so `--api <console origin>` alone is enough.
 */
async function signInSettings(target: Target): Promise<{ issuer: string; clientId: string }> {
  let { issuer } = target;
  let clientId = target.cognito.clientId;
  if (!issuer || !clientId) {
    const served = await fetch(`${target.apiUrl}/console/config.json`)
      .then(async (res) => (res.ok ? ((await res.json()) as Partial<ConsoleSettings>) : {}))
      .catch(() => ({}) as Partial<ConsoleSettings>);
    issuer ??= typeof served.issuer === 'string' ? served.issuer : undefined;
    clientId ??= typeof served.clientId === 'string' ? served.clientId : undefined;
  }
  if (!issuer || !clientId) {
    throw usageError(
      `No sign-in settings for ${target.apiUrl} (its /console/config.json names none).`,
      'give --issuer <url> and --client-id <id> (or GATEHOUSE_ISSUER / GATEHOUSE_USER_POOL_ID and GATEHOUSE_COGNITO_CLIENT_ID)',
    );
  }
  return { issuer, clientId };
}

/** The fields of the console's `config.json` sign-in reads. */
interface ConsoleSettings {
  issuer: string;
  clientId: string;
}

/** Opens `url` in the person's browser ($BROWSER, else the platform's opener); never throws. */
function openInBrowser(url: string): void {
  const custom = process.env.BROWSER;
  const [command, args] = custom
    ? [custom, [url]]
    : process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url.replaceAll('&', '^&')]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    // The address is printed too: the person opens it by hand.
  }
}

/**
 * Signs in through the browser and returns the session to store (the tokens, the email from
 * the ID token, and the token endpoint refresh goes to).
 */
export async function browserSignIn(
  target: Target,
  options: BrowserLoginOptions,
): Promise<StoredSession> {
  const { issuer, clientId } = await signInSettings(target);
  const as = await discover(issuer);
  const client: oauth.Client = { client_id: clientId };
  const redirectUri = callbackUrl();
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const authorize = new URL(as.authorization_endpoint as string);
  authorize.searchParams.set('response_type', 'code');
  authorize.searchParams.set('client_id', clientId);
  authorize.searchParams.set('redirect_uri', redirectUri);
  authorize.searchParams.set('scope', SCOPES);
  authorize.searchParams.set('state', state);
  authorize.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
  authorize.searchParams.set('code_challenge_method', 'S256');

  const receiver = await receiveLoopbackCallback(redirectUri, options.timeoutMs);
  try {
    options.say(
      options.openBrowser
        ? 'Opening your browser to sign in. If it does not open, visit:'
        : 'To sign in, open this address in a browser on this machine:',
    );
    options.say(`  ${authorize.href}`);
    options.say(`Waiting for the sign-in (up to ${Math.round(options.timeoutMs / 1000)} s)...`);
    if (options.openBrowser) openInBrowser(authorize.href);
    const callback = await receiver.callback;
    try {
      const params = oauth.validateAuthResponse(as, client, callback.url, state);
      const response = await oauth.authorizationCodeGrantRequest(
        as,
        client,
        oauth.None(),
        params,
        redirectUri,
        verifier,
        requestOptions(as.token_endpoint as string),
      );
      const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
      const session = sessionOf(tokens, { ...target.cognito, clientId }, as);
      callback.respond(true, 'You are signed in to the Gatehouse CLI. You can close this tab.');
      return session;
    } catch (error) {
      const refused = signInRefused(error) ?? stateMismatch(error);
      callback.respond(
        false,
        refused ? `${refused.message} Return to your terminal.` : 'Return to your terminal.',
      );
      throw refused ?? error;
    }
  } finally {
    await receiver.close();
  }
}

/** A callback whose state is not this login's (another tab, or a forged request). */
function stateMismatch(error: unknown): CliError | undefined {
  if (error instanceof oauth.OperationProcessingError && /"state"/.test(error.message)) {
    return new CliError(
      'The browser came back from a different sign-in than this one (state mismatch); nothing was stored.',
      EXIT.unauthenticated,
      'run `gatehouse login` again and finish the sign-in in the tab it opens',
    );
  }
  return undefined;
}

function sessionOf(
  tokens: oauth.TokenEndpointResponse,
  cognito: CognitoTarget,
  as: oauth.AuthorizationServer,
): StoredSession {
  const claims = oauth.getValidatedIdTokenClaims(tokens);
  const email = typeof claims?.email === 'string' ? claims.email : undefined;
  if (!tokens.refresh_token || !email) {
    throw new CliError(
      'The sign-in server sent no refresh token or no email address.',
      EXIT.unauthenticated,
      'check that the app client allows the openid and email scopes',
    );
  }
  return {
    email,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    expiresAt: new Date(Date.now() + (tokens.expires_in ?? 3600) * 1000).toISOString(),
    cognito,
    oauth: { issuer: as.issuer, tokenEndpoint: as.token_endpoint as string },
  };
}

/** A new access token from the session's token endpoint (refresh_token grant). */
export async function refreshAtTokenEndpoint(
  session: StoredSession & { oauth: OAuthEndpoints },
): Promise<StoredSession> {
  const as: oauth.AuthorizationServer = {
    issuer: session.oauth.issuer,
    token_endpoint: session.oauth.tokenEndpoint,
  };
  const client: oauth.Client = { client_id: session.cognito.clientId ?? '' };
  let tokens: oauth.TokenEndpointResponse;
  try {
    const response = await oauth.refreshTokenGrantRequest(
      as,
      client,
      oauth.None(),
      session.refreshToken,
      requestOptions(session.oauth.tokenEndpoint),
    );
    tokens = await oauth.processRefreshTokenResponse(as, client, response);
  } catch (error) {
    if (error instanceof oauth.ResponseBodyError && error.error === 'invalid_grant') {
      throw notLoggedIn('Your session has expired or was signed out.');
    }
    throw error;
  }
  return {
    ...session,
    accessToken: tokens.access_token,
    // Cognito keeps the refresh token unless rotation is on.
    refreshToken: tokens.refresh_token ?? session.refreshToken,
    expiresAt: new Date(Date.now() + (tokens.expires_in ?? 3600) * 1000).toISOString(),
  };
}
