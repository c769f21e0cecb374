/**
 * The local stack enforces the user pool's password policy on every call that sets a password
 * (cognito-local enforces none; a proxy in front of it does, as Cognito would): a weak password
 * is refused with Cognito's own InvalidPasswordException on each path, a strong one works.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  ChangePasswordCommand,
  ConfirmForgotPasswordCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, inject, it } from 'vitest';
import { cognito, createUser, signIn, stack, uniqueEmail } from '../support/stack-client.js';

const pool = { UserPoolId: stack.cognito.userPoolId };
const ClientId = stack.cognito.clientId;
const WEAK = ['short-1A!', 'alllowercase-123!', 'NoDigitsHere-abc!', 'NoSymbols1234abc'];
const strong = () => `Strong-${randomBytes(6).toString('hex')}-1!`;

/** Expects Cognito's InvalidPasswordException (HTTP 400) from `call`. */
async function expectRefused(call: Promise<unknown>) {
  const error = (await call.then(
    () => undefined,
    (e: unknown) => e,
  )) as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  expect(error?.name).toBe('InvalidPasswordException');
  expect(error?.$metadata?.httpStatusCode).toBe(400);
}

async function userExists(email: string): Promise<boolean> {
  return cognito.send(new AdminGetUserCommand({ ...pool, Username: email })).then(
    () => true,
    () => false,
  );
}

/** A user an operator created with a one-time password: the first sign-in's challenge session. */
async function newPasswordChallenge(email: string) {
  const temporary = strong();
  await cognito.send(
    new AdminCreateUserCommand({
      ...pool,
      Username: email,
      TemporaryPassword: temporary,
      MessageAction: 'SUPPRESS',
      UserAttributes: [{ Name: 'email', Value: email }],
    }),
  );
  const res = await cognito.send(
    new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId,
      AuthParameters: { USERNAME: email, PASSWORD: temporary },
    }),
  );
  expect(res.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
  return res.Session;
}

describe('the local Cognito enforces the password policy', () => {
  it('AdminCreateUser: refuses a weak TemporaryPassword (creating nobody), takes a strong one', async () => {
    const email = uniqueEmail('create');
    const create = (TemporaryPassword: string) =>
      cognito.send(
        new AdminCreateUserCommand({
          ...pool,
          Username: email,
          TemporaryPassword,
          MessageAction: 'SUPPRESS',
          UserAttributes: [{ Name: 'email', Value: email }],
        }),
      );
    for (const weak of WEAK) await expectRefused(create(weak));
    expect(await userExists(email)).toBe(false);
    await create(strong());
    expect(await userExists(email)).toBe(true);
  });

  it('AdminSetUserPassword: refuses a weak password, takes a strong one', async () => {
    const user = await createUser();
    const set = (Password: string) =>
      cognito.send(
        new AdminSetUserPasswordCommand({
          ...pool,
          Username: user.email,
          Password,
          Permanent: true,
        }),
      );
    for (const weak of WEAK) await expectRefused(set(weak));
    const chosen = strong();
    await set(chosen);
    expect((await signIn(user.email, chosen)).accessToken).toBeTruthy();
  });

  it('RespondToAuthChallenge NEW_PASSWORD_REQUIRED (the CLI first sign-in): refuses a weak one, takes a strong one', async () => {
    const email = uniqueEmail('first');
    const respond = (Session: string | undefined, password: string) =>
      cognito.send(
        new RespondToAuthChallengeCommand({
          ClientId,
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          Session,
          ChallengeResponses: { USERNAME: email, NEW_PASSWORD: password },
        }),
      );
    const session = await newPasswordChallenge(email);
    await expectRefused(respond(session, 'weakpass'));
    const res = await respond(session, strong());
    expect(res.AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it('ChangePassword: refuses a weak ProposedPassword, takes a strong one', async () => {
    const user = await createUser();
    const change = (ProposedPassword: string) =>
      cognito.send(
        new ChangePasswordCommand({
          AccessToken: user.accessToken,
          PreviousPassword: user.password,
          ProposedPassword,
        }),
      );
    for (const weak of WEAK) await expectRefused(change(weak));
    const chosen = strong();
    await change(chosen);
    expect((await signIn(user.email, chosen)).accessToken).toBeTruthy();
  });

  it('ConfirmForgotPassword: refuses a weak password, takes a strong one with the mailed code', async () => {
    const user = await createUser();
    await cognito.send(new ForgotPasswordCommand({ ClientId, Username: user.email }));
    // cognito-local "sends" the code to its log; it keeps it on the user in its own data file.
    const db = JSON.parse(
      readFileSync(
        join(inject('stackDir'), 'cognito', '.cognito', 'db', `${pool.UserPoolId}.json`),
        'utf8',
      ),
    ) as { Users: Record<string, { ConfirmationCode?: string }> };
    const code = Object.values(db.Users).find(
      (u) => JSON.stringify(u).includes(user.email) && u.ConfirmationCode,
    )?.ConfirmationCode;
    expect(code).toBeTruthy();
    const confirm = (Password: string) =>
      cognito.send(
        new ConfirmForgotPasswordCommand({
          ClientId,
          Username: user.email,
          ConfirmationCode: code,
          Password,
        }),
      );
    for (const weak of WEAK) await expectRefused(confirm(weak));
    const chosen = strong();
    await confirm(chosen);
    expect((await signIn(user.email, chosen)).accessToken).toBeTruthy();
  });

  it('SignUp: refuses a weak password (creating nobody), takes a strong one', async () => {
    const email = uniqueEmail('signup');
    const signUp = (Password: string) =>
      cognito.send(
        new SignUpCommand({
          ClientId,
          Username: email,
          Password,
          UserAttributes: [{ Name: 'email', Value: email }],
        }),
      );
    for (const weak of WEAK) await expectRefused(signUp(weak));
    expect(await userExists(email)).toBe(false);
    const res = await signUp(strong());
    expect(res.UserSub).toBeTruthy();
  });

  it('passes other calls through untouched: a wrong password at sign-in is still cognito-local’s own answer', async () => {
    const user = await createUser();
    const error = await signIn(user.email, 'weak').catch((e: Error) => e);
    // cognito-local names a wrong password InvalidPasswordException itself (Cognito: NotAuthorized);
    // the proxy must not judge InitiateAuth.
    expect((error as Error).name).toMatch(/InvalidPasswordException|NotAuthorizedException/);
    expect((await signIn(user.email, user.password)).accessToken).toBeTruthy();
  });
});
