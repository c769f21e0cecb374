/**
 * The local stand-in for Cognito's managed login (cognito-local has none): the OAuth 2.0
 * authorization-code flow with PKCE on the API's origin, so the console, the accept page and
 * the CLI run the same oauth4webapi code locally and deployed. `GET /oauth2/authorize` checks
 * the client and redirect URL and shows the sign-in page; `POST /login` signs in against
 * cognito-local (USER_PASSWORD_AUTH, through the password-policy proxy) and redirects with a
 * one-time code; `POST /oauth2/token` exchanges it (or a refresh token) for Cognito's tokens;
 * `GET /logout` returns to an allowed sign-out URL. Errors follow RFC 6749.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  type InitiateAuthCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import type { StaticHandler } from '../http-server.js';
import {
  type AuthorizationRequest,
  type AuthorizationStore,
  authorizationStore,
  type IssuedTokens,
  s256,
} from './authorization-store.js';
import { errorPage, type SignInForm, signInPage } from './sign-in-page.js';

export interface OAuthFacadeOptions {
  /** The Cognito endpoint (the password-policy proxy in front of cognito-local). */
  cognitoEndpoint: string;
  region: string;
  /** The one app client the facade serves (stack.json's `cognito.clientId`). */
  clientId: string;
  /** Allowed `redirect_uri`s, matched exactly. */
  callbackUrls: readonly string[];
  /** Allowed `logout_uri`s, matched exactly. */
  logoutUrls: readonly string[];
  store?: AuthorizationStore;
}

/** The scopes the app client allows (the deployed client's, and Cognito's own). */
const ALLOWED_SCOPES = new Set(['openid', 'email', 'profile', 'aws.cognito.signin.user.admin']);

const WRONG_CREDENTIALS = new Set([
  'NotAuthorizedException',
  'UserNotFoundException',
  'InvalidPasswordException',
]);

/**
 * The pages' headers. The sign-in form posts here and is redirected on to the app, and browsers
 * hold that redirect to `form-action` too: the allowed callbacks' origins (the CLI's loopback
 * among them) are listed beside 'self'.
 */
function pageHeaders(callbackUrls: readonly string[]) {
  const formTargets = ["'self'", ...new Set(callbackUrls.map((u) => new URL(u).origin))];
  return {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; form-action ${formTargets.join(' ')}; frame-ancestors 'none'`,
  };
}

function redirect(res: ServerResponse, to: URL) {
  res.writeHead(302, { location: to.href, 'cache-control': 'no-store' });
  res.end();
}

/** RFC 6749 section 5.2: a JSON error from the token endpoint. */
function tokenError(res: ServerResponse, error: string, description: string, status = 400) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ error, error_description: description }));
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) break;
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** Every parameter appears at most once (RFC 6749 section 3.1); the repeated one's name, if any. */
function repeatedParam(params: URLSearchParams): string | undefined {
  const seen = new Set<string>();
  for (const key of params.keys()) {
    if (seen.has(key)) return key;
    seen.add(key);
  }
  return undefined;
}

function tokensOf(result: InitiateAuthCommandOutput): Omit<IssuedTokens, 'refreshToken'> & {
  refreshToken?: string;
} {
  const r = result.AuthenticationResult;
  if (!r?.AccessToken || !r.IdToken) throw new Error('Cognito returned no tokens');
  return {
    accessToken: r.AccessToken,
    idToken: r.IdToken,
    refreshToken: r.RefreshToken,
    expiresIn: r.ExpiresIn ?? 3600,
  };
}

export function oauthFacade(options: OAuthFacadeOptions): StaticHandler {
  const store = options.store ?? authorizationStore();
  const cognito = new CognitoIdentityProviderClient({
    region: options.region,
    endpoint: options.cognitoEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const callbacks = new Set(options.callbackUrls);
  const logouts = new Set(options.logoutUrls);
  const headers = pageHeaders(options.callbackUrls);
  const html = (res: ServerResponse, status: number, body: string) => {
    res.writeHead(status, headers);
    res.end(body);
  };

  /**
   * An unknown client or return address gets an error page, never a redirect (RFC 6749
   * section 4.1.2.1): true when it answered so.
   */
  function refuseUntrusted(
    res: ServerResponse,
    clientId: string,
    returnTo: string,
    allowed: Set<string>,
  ): boolean {
    if (clientId !== options.clientId)
      html(res, 400, errorPage('Unknown app', 'The app that sent you here is not known.'));
    else if (!allowed.has(returnTo))
      html(
        res,
        400,
        errorPage(
          'Unknown return address',
          'The app asked to return to an address it may not use.',
        ),
      );
    else return false;
    return true;
  }

  /** GET /oauth2/authorize: an error page when the app cannot be trusted, else a redirect error or the sign-in page. */
  function authorize(res: ServerResponse, params: URLSearchParams) {
    const clientId = params.get('client_id') ?? '';
    const redirectUri = params.get('redirect_uri') ?? '';
    if (refuseUntrusted(res, clientId, redirectUri, callbacks)) return;
    const back = (error: string, description: string) => {
      const to = new URL(redirectUri);
      to.searchParams.set('error', error);
      to.searchParams.set('error_description', description);
      const state = params.get('state');
      if (state !== null) to.searchParams.set('state', state);
      redirect(res, to);
    };
    const repeated = repeatedParam(params);
    if (repeated) return back('invalid_request', `${repeated} is given more than once`);
    if (params.get('response_type') !== 'code')
      return back('unsupported_response_type', 'response_type must be code');
    const challenge = params.get('code_challenge');
    if (!challenge || params.get('code_challenge_method') !== 'S256')
      return back('invalid_request', 'PKCE is required: code_challenge with method S256');
    if (!/^[A-Za-z0-9_-]{43}$/.test(challenge))
      return back('invalid_request', 'code_challenge must be a base64url SHA-256 (43 characters)');
    const scopes = (params.get('scope') ?? 'openid email profile').split(' ').filter(Boolean);
    const unknown = scopes.find((s) => !ALLOWED_SCOPES.has(s));
    if (unknown) return back('invalid_scope', `scope ${unknown} is not allowed for this client`);
    const request: AuthorizationRequest = {
      clientId,
      redirectUri,
      codeChallenge: challenge,
      scopes,
      ...(params.get('state') !== null ? { state: params.get('state') as string } : {}),
    };
    html(res, 200, signInPage({ requestId: store.openRequest(request) }));
  }

  /** POST /login: signs in against cognito-local; the redirect with a code, or the form again. */
  async function login(res: ServerResponse, form: URLSearchParams) {
    const requestId = form.get('request') ?? '';
    const request = store.request(requestId);
    if (!request)
      return html(
        res,
        400,
        errorPage(
          'This sign-in page has expired',
          'Go back to the app and start signing in again.',
        ),
      );
    const email = (form.get('email') ?? '').trim();
    const password = form.get('password') ?? '';
    const again = (errors: SignInForm['errors']) =>
      html(res, 400, signInPage({ requestId, email, errors }));
    if (!email || !password)
      return again({
        ...(email ? {} : { email: 'Enter your email address.' }),
        ...(password ? {} : { password: 'Enter your password.' }),
      });
    let result: InitiateAuthCommandOutput;
    try {
      result = await cognito.send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: request.clientId,
          AuthParameters: { USERNAME: email, PASSWORD: password },
        }),
      );
    } catch (error) {
      // cognito-local answers a wrong password with InvalidPasswordException, Cognito with
      // NotAuthorizedException; neither tells whether the address has an account.
      if (WRONG_CREDENTIALS.has((error as Error).name))
        return again({ password: 'The email or password is not right. Check both and try again.' });
      throw error;
    }
    if (result.ChallengeName)
      return again({
        form: 'This account must choose a new password first; use the link in your invitation email.',
      });
    const tokens = tokensOf(result);
    if (!tokens.refreshToken) throw new Error('Cognito returned no refresh token');
    const code = store.issueCode(requestId, { ...tokens, refreshToken: tokens.refreshToken });
    if (!code) return again({ form: 'This sign-in page has expired; start again from the app.' });
    const to = new URL(request.redirectUri);
    to.searchParams.set('code', code);
    if (request.state !== undefined) to.searchParams.set('state', request.state);
    redirect(res, to);
  }

  /** POST /oauth2/token: authorization_code (with the PKCE verifier) or refresh_token. */
  async function token(res: ServerResponse, form: URLSearchParams) {
    const repeated = repeatedParam(form);
    if (repeated) return tokenError(res, 'invalid_request', `${repeated} is given more than once`);
    if (form.get('client_id') !== options.clientId)
      return tokenError(res, 'invalid_client', 'unknown client_id', 401);
    const grantType = form.get('grant_type');
    if (grantType === 'authorization_code') {
      const code = form.get('code');
      const verifier = form.get('code_verifier');
      if (!code) return tokenError(res, 'invalid_request', 'code is required');
      if (!verifier) return tokenError(res, 'invalid_request', 'code_verifier is required');
      // Redeemed first: a wrong verifier or redirect also burns the code, as RFC 6749 asks.
      const grant = store.redeemCode(code);
      if (!grant) return tokenError(res, 'invalid_grant', 'the code is unknown, used or expired');
      if (
        grant.clientId !== form.get('client_id') ||
        grant.redirectUri !== form.get('redirect_uri')
      )
        return tokenError(res, 'invalid_grant', 'redirect_uri does not match the authorization');
      if (s256(verifier) !== grant.codeChallenge)
        return tokenError(res, 'invalid_grant', 'code_verifier does not match the code_challenge');
      const { tokens } = grant;
      return sendTokens(res, {
        access_token: tokens.accessToken,
        ...(grant.scopes.includes('openid') ? { id_token: tokens.idToken } : {}),
        refresh_token: tokens.refreshToken,
        token_type: 'Bearer',
        expires_in: tokens.expiresIn,
      });
    }
    if (grantType === 'refresh_token') {
      const refreshToken = form.get('refresh_token');
      if (!refreshToken) return tokenError(res, 'invalid_request', 'refresh_token is required');
      let result: InitiateAuthCommandOutput;
      try {
        result = await cognito.send(
          new InitiateAuthCommand({
            AuthFlow: 'REFRESH_TOKEN_AUTH',
            ClientId: options.clientId,
            AuthParameters: { REFRESH_TOKEN: refreshToken },
          }),
        );
      } catch (error) {
        if ((error as Error).name === 'NotAuthorizedException')
          return tokenError(res, 'invalid_grant', 'the refresh token is invalid or revoked');
        throw error;
      }
      const tokens = tokensOf(result);
      // Cognito keeps the refresh token: the answer has no new one.
      return sendTokens(res, {
        access_token: tokens.accessToken,
        id_token: tokens.idToken,
        token_type: 'Bearer',
        expires_in: tokens.expiresIn,
      });
    }
    return tokenError(
      res,
      'unsupported_grant_type',
      'grant_type must be authorization_code or refresh_token',
    );
  }

  function sendTokens(res: ServerResponse, body: Record<string, unknown>) {
    res.writeHead(200, {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      pragma: 'no-cache',
    });
    res.end(JSON.stringify(body));
  }

  /** GET /logout: nothing to forget (the facade keeps no session cookie); back to the app. */
  function logout(res: ServerResponse, params: URLSearchParams) {
    const logoutUri = params.get('logout_uri') ?? '';
    if (refuseUntrusted(res, params.get('client_id') ?? '', logoutUri, logouts)) return;
    redirect(res, new URL(logoutUri));
  }

  return async (req, res, url) => {
    const method = (req.method ?? 'GET').toUpperCase();
    const route = `${method} ${url.pathname}`;
    switch (route) {
      case 'GET /oauth2/authorize':
        authorize(res, url.searchParams);
        return true;
      case 'POST /login':
        await login(res, await readForm(req));
        return true;
      case 'POST /oauth2/token':
        await token(res, await readForm(req));
        return true;
      case 'GET /logout':
        logout(res, url.searchParams);
        return true;
      default:
        return false;
    }
  };
}
