/**
 * Password sign-in for scripts and the local stack (USER_PASSWORD_AUTH, where the app client
 * allows it), and the access token every command sends: refreshed at the OAuth token endpoint
 * for a browser sign-in (browser-login.ts), through Cognito's API for a password one.
 */
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  type InitiateAuthCommandOutput,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { refreshAtTokenEndpoint } from './browser-login.js';
import type { CognitoTarget } from './config.js';
import { loadSession, type StoredSession, saveSession } from './credentials.js';
import { CliError, EXIT, notLoggedIn, usageError } from './errors.js';

/** Refresh when the access token has less than this left, so a request never races expiry. */
const REFRESH_MARGIN_MS = 60_000;

function cognitoClient(target: CognitoTarget): CognitoIdentityProviderClient {
  if (!target.region) {
    throw usageError(
      'No Cognito region.',
      'give --region <region> (or GATEHOUSE_REGION / AWS_REGION)',
    );
  }
  return new CognitoIdentityProviderClient({
    region: target.region,
    ...(target.endpoint
      ? {
          endpoint: target.endpoint,
          // A local emulator ignores credentials but the SDK wants some to sign with.
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }
      : {}),
  });
}

function requireClientId(target: CognitoTarget): string {
  if (!target.clientId) {
    throw usageError(
      'No Cognito app client id.',
      'give --client-id <id> (or GATEHOUSE_COGNITO_CLIENT_ID)',
    );
  }
  return target.clientId;
}

function expiry(res: InitiateAuthCommandOutput): string {
  const seconds = res.AuthenticationResult?.ExpiresIn ?? 3600;
  return new Date(Date.now() + seconds * 1000).toISOString();
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : '';
}

/**
 * Signs in with email and password and returns the session to store. A first sign-in with a
 * one-time password (a user an operator added) answers Cognito's NEW_PASSWORD_REQUIRED with the
 * password `newPassword` supplies.
 */
export async function signIn(
  cognito: CognitoTarget,
  email: string,
  password: string,
  newPassword?: () => Promise<string | undefined>,
): Promise<StoredSession> {
  const client = cognitoClient(cognito);
  const clientId = requireClientId(cognito);
  try {
    let res: InitiateAuthCommandOutput = await client.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: clientId,
        AuthParameters: { USERNAME: email, PASSWORD: password },
      }),
    );
    if (res.ChallengeName === 'NEW_PASSWORD_REQUIRED' && res.Session) {
      const chosen = await newPassword?.();
      if (!chosen) {
        throw new CliError(
          'This is a first sign-in with a one-time password: choose a new password.',
          EXIT.unauthenticated,
          'run `gatehouse login` on a terminal, or pipe two lines (the one-time password, then the new one) with --password-stdin',
        );
      }
      res = await client.send(
        new RespondToAuthChallengeCommand({
          ClientId: clientId,
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          Session: res.Session,
          ChallengeResponses: { USERNAME: email, NEW_PASSWORD: chosen },
        }),
      );
    }
    const result = res.AuthenticationResult;
    if (!result?.AccessToken || !result.RefreshToken) {
      throw new CliError(
        `Sign-in needs another step (${res.ChallengeName ?? 'unknown challenge'}), which the CLI does not support.`,
        EXIT.unauthenticated,
        'finish the sign-in once in the hosted UI (e.g. set a permanent password), then retry',
      );
    }
    return {
      email,
      accessToken: result.AccessToken,
      refreshToken: result.RefreshToken,
      expiresAt: expiry(res),
      cognito,
    };
  } catch (error) {
    const name = errorName(error);
    // Cognito answers NotAuthorized; cognito-local answers InvalidPassword for a wrong password.
    if (
      name === 'NotAuthorizedException' ||
      name === 'UserNotFoundException' ||
      name === 'InvalidPasswordException'
    ) {
      throw new CliError(
        'Incorrect email or password.',
        EXIT.unauthenticated,
        'check them and run `gatehouse login` again',
      );
    }
    // A client without USER_PASSWORD_AUTH (every deployed stage) refuses the flow itself.
    if (
      name === 'InvalidParameterException' &&
      /USER_PASSWORD_AUTH|not enabled/i.test(String((error as Error).message))
    ) {
      throw new CliError(
        'This stack does not allow password sign-in.',
        EXIT.usage,
        'run `gatehouse login` without password options to sign in through your browser',
      );
    }
    if (name === 'PasswordResetRequiredException' || name === 'UserNotConfirmedException') {
      throw new CliError(
        `Your account cannot sign in yet (${name}).`,
        EXIT.unauthenticated,
        'reset or confirm your password first, then run `gatehouse login`',
      );
    }
    throw error;
  } finally {
    client.destroy();
  }
}

async function refresh(session: StoredSession): Promise<StoredSession> {
  const client = cognitoClient(session.cognito);
  try {
    const res = await client.send(
      new InitiateAuthCommand({
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        ClientId: requireClientId(session.cognito),
        AuthParameters: { REFRESH_TOKEN: session.refreshToken },
      }),
    );
    const token = res.AuthenticationResult?.AccessToken;
    if (!token) throw notLoggedIn('Your session could not be refreshed.');
    return {
      ...session,
      accessToken: token,
      // Cognito only rotates the refresh token when rotation is on; keep the old one otherwise.
      refreshToken: res.AuthenticationResult?.RefreshToken ?? session.refreshToken,
      expiresAt: expiry(res),
    };
  } catch (error) {
    if (errorName(error) === 'NotAuthorizedException') {
      throw notLoggedIn('Your session has expired or was signed out.');
    }
    throw error;
  } finally {
    client.destroy();
  }
}

/**
 * A valid access token for an API: the stored one, refreshed (and stored again) when it is
 * about to expire. Fails with exit 4 when there is no session.
 */
export async function accessToken(dir: string, apiUrl: string): Promise<string> {
  const session = loadSession(dir, apiUrl);
  if (!session) throw notLoggedIn(`You are not logged in to ${apiUrl}.`);
  if (Date.parse(session.expiresAt) - Date.now() > REFRESH_MARGIN_MS) return session.accessToken;
  const renewed = session.oauth
    ? await refreshAtTokenEndpoint({ ...session, oauth: session.oauth })
    : await refresh(session);
  saveSession(dir, apiUrl, renewed);
  return renewed.accessToken;
}
