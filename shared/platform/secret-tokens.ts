/** Random secrets and their hashes: secrets are shown once and only their SHA-256 is stored. */
import { createHash, randomBytes } from 'node:crypto';

export interface TokenGenerator {
  /** A fresh secret with at least 256 bits of randomness, base64url. */
  newSecret(): string;
}

export const randomTokens: TokenGenerator = {
  newSecret: () => randomBytes(32).toString('base64url'),
};

/** Hex SHA-256 of a secret; the only form in which secrets are stored. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * A one-time password for a user an operator adds directly: 128 random bits, plus one character
 * of each class a Cognito password policy may demand. The first sign-in must replace it.
 */
export function temporaryPassword(tokens: TokenGenerator): string {
  return `Gh-${tokens.newSecret().slice(0, 22)}-a1`;
}
