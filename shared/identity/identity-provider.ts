/** The identity port: what Gatehouse needs from the user directory (Cognito in production). */

export interface IdentityUser {
  userId: string;
  email: string;
  created: boolean;
}

export interface IdentityProvider {
  /**
   * Returns the user with this (normalized) email, creating it when missing. With a password the
   * user can sign in at once; without one Cognito keeps it for a later password set.
   */
  ensureUser(email: string, password?: string): Promise<IdentityUser>;
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
