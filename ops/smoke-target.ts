/**
 * What the smoke test runs against: a stage described by a stack.json (the local one is
 * `.local/stack.json`; a deployed stage's file is written by its operator), checked with zod so
 * a missing field is named before any request.
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';

export const SmokeStackSchema = z.object({
  apiUrl: z.url(),
  cognito: z.object({
    /** Absent on AWS (the SDK's regional endpoint); the local stack's proxy locally. */
    endpoint: z.url().optional(),
    region: z.string().min(1),
    userPoolId: z.string().min(1),
    /** An app client that allows USER_PASSWORD_AUTH (the smoke test signs in with passwords). */
    clientId: z.string().min(1),
  }),
  /** A superuser who may create tenants; or SMOKE_ADMIN_EMAIL / SMOKE_ADMIN_PASSWORD. */
  bootstrap: z
    .object({ email: z.string().min(3), password: z.string().min(1) })
    .partial()
    .optional(),
  /** The SES emulator's JSON store (local): where the invite mail is read from. */
  mail: z.object({ storeUrl: z.url() }).partial().optional(),
  /** Browser origins the stage allows (the first is used for the preflight check). */
  cors: z.object({ allowedOrigins: z.array(z.string()) }).optional(),
  smoke: z
    .object({
      /** Address the invite goes to (default: a fresh `smoke-...@example.test`). */
      inviteeEmail: z.email().optional(),
      /**
       * A shell command printing the newest invite mail to $SMOKE_INVITEE (or just its token):
       * how a deployed stage's inbox is read (an SES receipt rule to S3, a test mailbox API...).
       */
      inviteTokenCommand: z.string().min(1).optional(),
    })
    .optional(),
});

export type SmokeStack = z.infer<typeof SmokeStackSchema>;

/** The stack file at `path`, validated; throws naming the first bad field. */
export function readSmokeStack(path: string): SmokeStack {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the stack file ${path}: ${(error as Error).message}`);
  }
  const parsed = SmokeStackSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${path}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  return parsed.data;
}

/** The admin the smoke test signs in as: the environment wins over the file. */
export function smokeAdmin(
  stack: SmokeStack,
  env = process.env,
): { email: string; password: string } {
  const email = env.SMOKE_ADMIN_EMAIL || stack.bootstrap?.email;
  const password = env.SMOKE_ADMIN_PASSWORD || stack.bootstrap?.password;
  if (!email || !password) {
    throw new Error(
      'no admin to sign in as: give bootstrap.email and bootstrap.password in the stack file, or SMOKE_ADMIN_EMAIL and SMOKE_ADMIN_PASSWORD',
    );
  }
  return { email, password };
}
