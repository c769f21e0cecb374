/** The identity port: what Gatehouse needs from the user directory (Cognito in production). */

export interface IdentityUser {
  userId: string;
  email: string;
  created: boolean;
}

export interface IdentityProvider {
  /**
   * Returns the user with this (normalized) email, creating it when missing. A password is set
   * only on a user created here: permanent by default (the user can sign in at once), or
   * temporary (`{ temporary: true }`: the first sign-in must choose a new one).
   */
  ensureUser(
    email: string,
    password?: string,
    options?: { temporary?: boolean },
  ): Promise<IdentityUser>;
  /** The user with this email, if any. */
  findUser(email: string): Promise<IdentityUser | undefined>;
  /** The user with this id (Cognito `sub`), if any. */
  describeUser(userId: string): Promise<IdentityUser | undefined>;
  /** Signs the user out of every device: refresh tokens stop working. */
  globalSignOut(accessToken: string): Promise<void>;
}

/** Lowercase and trim: the one normal form of an email in Gatehouse. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
