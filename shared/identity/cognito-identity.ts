/** Cognito adapter of the identity port. Users are created with the normalized email as username. */
import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  type AttributeType,
  CognitoIdentityProviderClient,
  GlobalSignOutCommand,
  InvalidPasswordException,
  UserNotFoundException,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { InvalidError } from '#shared/errors/domain-errors.js';
import type { IdentityProvider, IdentityUser } from '#shared/identity/identity-provider.js';
import { clientConfig, guardClient } from '#shared/platform/dependency-guard.js';

export function createCognitoClient(opts: {
  region: string;
  endpoint?: string;
  requestTimeoutMs?: number;
}) {
  const client = new CognitoIdentityProviderClient(clientConfig(opts));
  return guardClient(client, 'Cognito');
}

function subOf(attributes: AttributeType[] | undefined): string {
  const sub = attributes?.find((a) => a.Name === 'sub')?.Value;
  if (!sub) throw new Error('Cognito user without sub');
  return sub;
}

export function cognitoIdentity(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
): IdentityProvider {
  async function findUser(email: string): Promise<IdentityUser | undefined> {
    try {
      const res = await client.send(
        new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email }),
      );
      return { userId: subOf(res.UserAttributes), email, created: false };
    } catch (error) {
      if (error instanceof UserNotFoundException) return undefined;
      throw error;
    }
  }
  return {
    findUser,
    async describeUser(userId) {
      try {
        const res = await client.send(
          new AdminGetUserCommand({ UserPoolId: userPoolId, Username: userId }),
        );
        const email = res.UserAttributes?.find((a) => a.Name === 'email')?.Value ?? '';
        return { userId: subOf(res.UserAttributes), email, created: false };
      } catch (error) {
        if (error instanceof UserNotFoundException) return undefined;
        throw error;
      }
    },
    async ensureUser(email, password, options) {
      let user: IdentityUser | undefined;
      try {
        const res = await client.send(
          new AdminCreateUserCommand({
            UserPoolId: userPoolId,
            Username: email,
            MessageAction: 'SUPPRESS',
            UserAttributes: [
              { Name: 'email', Value: email },
              { Name: 'email_verified', Value: 'true' },
            ],
          }),
        );
        user = { userId: subOf(res.User?.Attributes), email, created: true };
      } catch (error) {
        if (!(error instanceof UsernameExistsException)) throw error;
        user = await findUser(email);
        if (!user) throw error;
      }
      if (password && user.created) {
        try {
          await client.send(
            new AdminSetUserPasswordCommand({
              UserPoolId: userPoolId,
              Username: email,
              Password: password,
              Permanent: !options?.temporary,
            }),
          );
        } catch (error) {
          // The user was created just now for this password: without it nobody could sign in
          // as them, and a retry would find a user stuck without a password. Take it back.
          await client.send(
            new AdminDeleteUserCommand({ UserPoolId: userPoolId, Username: email }),
          );
          if (error instanceof InvalidPasswordException) {
            throw new InvalidError('The password does not meet the policy', [
              { path: 'body.password', message: error.message },
            ]);
          }
          throw error;
        }
      }
      return user;
    },
    async globalSignOut(accessToken) {
      await client.send(new GlobalSignOutCommand({ AccessToken: accessToken }));
    },
  };
}
