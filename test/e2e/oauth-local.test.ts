/**
 * The local OAuth facade (Cognito's managed login for `npm start`): the authorization-code flow
 * with PKCE driven by oauth4webapi from Node, as the console and the CLI drive it, and each way
 * a request is refused (RFC 6749 errors).
 */
import * as oauth from 'oauth4webapi';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, createUser, stack, type TestUser } from '../support/stack-client.js';

const insecure = { [oauth.allowInsecureRequests]: true };
const settings = stack.oauth as NonNullable<typeof stack.oauth>;
const client: oauth.Client = { client_id: settings.clientId };
const redirectUri = `${stack.apiUrl}/console/`;
let as: oauth.AuthorizationServer;
let user: TestUser;

beforeAll(async () => {
  const issuer = new URL(settings.issuer);
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
  user = await createUser();
});

/** The authorize URL a client builds, with PKCE unless `params` says otherwise. */
async function authorizeUrl(verifier: string, params: Record<string, string | null> = {}) {
  const url = new URL(as.authorization_endpoint as string);
  const all: Record<string, string | null> = {
    response_type: 'code',
    client_id: settings.clientId,
    redirect_uri: redirectUri,
    scope: 'openid email profile',
    state: 'st-1',
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...params,
  };
  for (const [k, v] of Object.entries(all)) if (v !== null) url.searchParams.set(k, v);
  return url;
}

/** What a person does in the browser: open the page, type email and password, submit. */
async function signInOnPage(url: URL, email: string, password: string) {
  const page = await fetch(url, { redirect: 'manual' });
  const html = await page.text();
  const requestId = /name="request" value="([^"]+)"/.exec(html)?.[1];
  if (!requestId) throw new Error(`no sign-in form (${page.status}): ${html.slice(0, 200)}`);
  return fetch(new URL('/login', url), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ request: requestId, email, password }),
  });
}

/** A signed-in person's code: the callback parameters the app receives. */
async function codeFor(verifier: string) {
  const done = await signInOnPage(await authorizeUrl(verifier), user.email, user.password);
  expect(done.status).toBe(302);
  const callback = new URL(done.headers.get('location') as string);
  expect(callback.origin + callback.pathname).toBe(redirectUri);
  return oauth.validateAuthResponse(as, client, callback, 'st-1');
}

async function exchange(params: URLSearchParams, verifier: string, redirect = redirectUri) {
  const res = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    params,
    redirect,
    verifier,
    insecure,
  );
  return oauth.processAuthorizationCodeResponse(as, client, res);
}

async function oauthErrorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof oauth.ResponseBodyError) return error.error;
    throw error;
  }
  throw new Error('expected an OAuth error');
}

describe('local OAuth facade', () => {
  it('signs in with the code flow and PKCE; the tokens call the API and refresh', async () => {
    const verifier = oauth.generateRandomCodeVerifier();
    const tokens = await exchange(await codeFor(verifier), verifier);
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(oauth.getValidatedIdTokenClaims(tokens)?.email).toBe(user.email);
    const me = await api('GET', '/v1/me', { token: tokens.access_token });
    expect(me.status).toBe(200);
    expect(me.body.userId).toBe(user.userId);

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(
        as,
        client,
        oauth.None(),
        tokens.refresh_token as string,
        insecure,
      ),
    );
    expect((await api('GET', '/v1/me', { token: refreshed.access_token })).status).toBe(200);
  });

  it('refuses a wrong code_verifier, and the code is spent after it', async () => {
    const verifier = oauth.generateRandomCodeVerifier();
    const params = await codeFor(verifier);
    const wrong = oauth.generateRandomCodeVerifier();
    expect(await oauthErrorOf(exchange(params, wrong))).toBe('invalid_grant');
    expect(await oauthErrorOf(exchange(params, verifier))).toBe('invalid_grant');
  });

  it('refuses a code used a second time', async () => {
    const verifier = oauth.generateRandomCodeVerifier();
    const params = await codeFor(verifier);
    await exchange(params, verifier);
    expect(await oauthErrorOf(exchange(params, verifier))).toBe('invalid_grant');
  });

  it('refuses a token request whose redirect_uri differs from the authorization', async () => {
    const verifier = oauth.generateRandomCodeVerifier();
    const params = await codeFor(verifier);
    const other = `${stack.apiUrl}/accept`;
    expect(await oauthErrorOf(exchange(params, verifier, other))).toBe('invalid_grant');
  });

  it('never redirects to a redirect_uri the client does not list', async () => {
    const verifier = oauth.generateRandomCodeVerifier();
    const url = await authorizeUrl(verifier, { redirect_uri: 'https://evil.example/cb' });
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('Unknown return address');
  });

  it('sends a request without PKCE back with invalid_request and its state', async () => {
    const cases: Record<string, string | null>[] = [
      { code_challenge: null },
      { code_challenge_method: null },
      { code_challenge_method: 'plain' },
    ];
    for (const missing of cases) {
      const url = await authorizeUrl(oauth.generateRandomCodeVerifier(), missing);
      const res = await fetch(url, { redirect: 'manual' });
      expect(res.status).toBe(302);
      const back = new URL(res.headers.get('location') as string);
      expect(back.searchParams.get('error')).toBe('invalid_request');
      expect(back.searchParams.get('state')).toBe('st-1');
      expect(back.searchParams.get('code')).toBeNull();
      expect(() => oauth.validateAuthResponse(as, client, back, 'st-1')).toThrow(
        oauth.AuthorizationResponseError,
      );
    }
  });

  it('shows a wrong password next to the password field and issues no code', async () => {
    const url = await authorizeUrl(oauth.generateRandomCodeVerifier());
    const res = await signInOnPage(url, user.email, 'Wrong-password-123!');
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    const html = await res.text();
    expect(html).toMatch(
      /id="password"[^>]*aria-invalid="true"[^>]*aria-describedby="password-error"/,
    );
    expect(html).toContain('id="password-error">The email or password is not right');
    expect(html).toContain(`value="${user.email}"`);
  });

  it('refuses an unknown client, and a refresh or grant type it does not know', async () => {
    const url = await authorizeUrl(oauth.generateRandomCodeVerifier(), { client_id: 'nope' });
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(400);
    const post = (body: Record<string, string>) =>
      fetch(as.token_endpoint as string, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: settings.clientId, ...body }),
      });
    const bad = await post({ grant_type: 'refresh_token', refresh_token: 'not-a-token' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe('invalid_grant');
    const password = await post({ grant_type: 'password' });
    expect(((await password.json()) as { error: string }).error).toBe('unsupported_grant_type');
  });

  it('signs out to an allowed logout_uri only', async () => {
    const logout = (uri: string) => {
      const url = new URL('/logout', stack.apiUrl);
      url.searchParams.set('client_id', settings.clientId);
      url.searchParams.set('logout_uri', uri);
      return fetch(url, { redirect: 'manual' });
    };
    const ok = await logout(redirectUri);
    expect(ok.status).toBe(302);
    expect(ok.headers.get('location')).toBe(redirectUri);
    const foreign = await logout('https://evil.example/');
    expect(foreign.status).toBe(400);
    expect(foreign.headers.get('location')).toBeNull();
  });
});
