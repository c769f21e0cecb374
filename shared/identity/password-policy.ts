/**
 * The user pool's password policy, declared once: the CDK user pool is built from it, and the
 * API checks passwords against it before creating anyone (cognito-local enforces no policy).
 */
import * as z from 'zod/mini';

export const PASSWORD_POLICY = {
  minLength: 12,
  requireLowercase: true,
  requireUppercase: true,
  requireDigits: true,
  requireSymbols: true,
} as const;

/** What a person is told the rules are (accept page, error messages). */
export const PASSWORD_RULES =
  'at least 12 characters, with a lowercase and an uppercase letter, a digit and a symbol';

export const PasswordSchema = z.string().check(
  z.maxLength(256),
  z.refine(
    (p) =>
      p.length >= PASSWORD_POLICY.minLength &&
      /[a-z]/.test(p) &&
      /[A-Z]/.test(p) &&
      /[0-9]/.test(p) &&
      /[^A-Za-z0-9]/.test(p),
    { message: `must have ${PASSWORD_RULES}` },
  ),
);
