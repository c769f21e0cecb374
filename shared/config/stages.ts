/**
 * Per-stage settings: what differs between the local stack and each deployed stage (mail
 * sender, accept page, browser origins, domain, throttles, sign-in flows). The CDK app picks a
 * stage with `-c stage=<name>`; the local server applies the `local` stage the same way, so a
 * setting that matters on AWS (CORS origins, say) is exercised by the local tests too.
 *
 * Settings are data validated at synth time: a stage with a malformed value fails `cdk synth`
 * instead of deploying a default.
 */
import * as z from 'zod';

const Origin = z
  .string()
  .regex(/^https?:\/\/[^/\s]+$/, 'an origin is scheme://host[:port] with no path');

export const StageSettingsSchema = z.object({
  /** Lower-case name; stack ids and SSM parameter paths carry it, so two stages share an account. */
  stage: z.string().regex(/^[a-z][a-z0-9-]{0,19}$/),
  mail: z.object({
    /** Verified SES identity invites are sent through: a domain or an email address. */
    sesIdentity: z.string().min(3),
    /** Sender address; must belong to `sesIdentity`. */
    from: z.email(),
    /** The invite accept page; emails link to `<acceptUrl>?token=<token>`. */
    acceptUrl: z.url(),
    /** Most invite emails the mailer sends per second (stay under the account's SES rate). */
    sendRatePerSecond: z.number().int().min(1).max(1000),
  }),
  /** Browser origins allowed to call the API cross-origin (the accept page, the console). */
  allowedOrigins: z.array(Origin).max(20),
  /** Optional custom domain for the API; the certificate must be in the stack's region. */
  domain: z.object({ name: z.string().min(3), certificateArn: z.string().min(20) }).optional(),
  /** API Gateway stage throttles (requests per second, burst). */
  throttle: z.object({
    rateLimit: z.number().int().min(1),
    burstLimit: z.number().int().min(1),
  }),
  cognito: z.object({
    /**
     * Whether the app client allows USER_PASSWORD_AUTH. Off on deployed stages: people sign in
     * through the OAuth code flow. The local stack's test client keeps it (stack.json contract).
     */
    allowPasswordAuth: z.boolean(),
  }),
  /** Where alarm notifications go (an SNS email subscription); none when absent. */
  alarmEmail: z.email().optional(),
});

export type StageSettings = z.infer<typeof StageSettingsSchema>;

/** The stages this repository knows. Edit or add one per deployment; `local` is `npm start`'s. */
export const STAGES: Record<string, z.input<typeof StageSettingsSchema>> = {
  local: {
    stage: 'local',
    mail: {
      sesIdentity: 'gatehouse.local',
      from: 'no-reply@gatehouse.local',
      acceptUrl: 'http://127.0.0.1:3000/accept',
      sendRatePerSecond: 50,
    },
    // The local server serves the accept page on its own origin; tests add a second origin.
    allowedOrigins: [],
    throttle: { rateLimit: 200, burstLimit: 400 },
    cognito: { allowPasswordAuth: true },
  },
  prod: {
    stage: 'prod',
    mail: {
      sesIdentity: 'example.com',
      from: 'no-reply@example.com',
      acceptUrl: 'https://app.example.com/accept',
      sendRatePerSecond: 10,
    },
    allowedOrigins: ['https://app.example.com'],
    throttle: { rateLimit: 200, burstLimit: 400 },
    cognito: { allowPasswordAuth: false },
  },
};

/** The validated settings of `stage`; throws naming the stage and the bad field. */
export function stageSettings(
  stage: string,
  stages: Record<string, unknown> = STAGES,
): StageSettings {
  const raw = stages[stage];
  if (raw === undefined) {
    throw new Error(
      `Unknown stage "${stage}"; known stages: ${Object.keys(stages).join(', ')} (shared/config/stages.ts)`,
    );
  }
  const parsed = StageSettingsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `Stage "${stage}": ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}
