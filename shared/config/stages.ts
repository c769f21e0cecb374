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

/**
 * A managed-login redirect (callback or sign-out) URL: absolute, no fragment, https, or plain
 * http on a loopback host (Cognito allows http only for `localhost`; the local stack serves
 * 127.0.0.1, checked below).
 */
const RedirectUrl = z.url().refine(
  (u) => {
    const url = new URL(u);
    return (
      !url.hash &&
      (url.protocol === 'https:' ||
        (url.protocol === 'http:' && ['localhost', '127.0.0.1'].includes(url.hostname)))
    );
  },
  { message: 'a redirect URL is https (or http on localhost) with no fragment' },
);

/** Where Cognito's managed login may send people back to (console, accept page, CLI loopback). */
const OAuthSettings = z.object({
  /** The Cognito domain prefix (`<prefix>.auth.<region>.amazoncognito.com`), unique per region. */
  domainPrefix: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/),
  /** Allowed `redirect_uri`s of the authorization-code flow; matched exactly, port included. */
  callbackUrls: z.array(RedirectUrl).min(1).max(100),
  /** Allowed `logout_uri`s of `/logout`. */
  logoutUrls: z.array(RedirectUrl).max(100),
});

/** The CLI's loopback callback: Cognito matches ports exactly, so the CLI listens on this one. */
export const CLI_CALLBACK_URL = 'http://localhost:8765/callback';

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
  /** The OAuth 2.0 code flow with PKCE (managed login on AWS, the local facade on `npm start`). */
  oauth: OAuthSettings,
  /**
   * The console's CloudFront distribution (infra/constructs/console-site.ts). With a domain the
   * console is `https://<name>/console/` from the first deploy, and synth checks that `oauth`
   * and `mail.acceptUrl` name it; the certificate must be in us-east-1 (CloudFront's). Without
   * one it is the distribution's own `https://<id>.cloudfront.net` (output `ConsoleUrl`): add
   * that origin's `/console/` and `/accept` to `oauth` and deploy again (see README, Deploying).
   */
  console: z
    .object({
      domain: z
        .object({
          name: z.string().min(3),
          certificateArn: z
            .string()
            .regex(/^arn:aws[\w-]*:acm:us-east-1:/, 'an ACM certificate in us-east-1'),
        })
        .optional(),
    })
    .optional(),
  /** Where alarm notifications go (an SNS email subscription); none when absent. */
  alarmEmail: z.email().optional(),
});

export type StageSettings = z.infer<typeof StageSettingsSchema>;

/** Cognito accepts plain http only for `localhost`; the local stage alone may name 127.0.0.1. */
function deployedRedirectIssue(settings: StageSettings): string | undefined {
  if (settings.stage === 'local') return undefined;
  const { callbackUrls, logoutUrls } = settings.oauth;
  const bad = [...callbackUrls, ...logoutUrls].find((u) => {
    const url = new URL(u);
    return url.protocol === 'http:' && url.hostname !== 'localhost';
  });
  return bad ? `oauth: ${bad}: Cognito allows plain http only for localhost` : undefined;
}

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
    // The local stack serves these on its own origin (the port `npm start` was given).
    oauth: {
      domainPrefix: 'gatehouse-local',
      callbackUrls: [
        'http://127.0.0.1:3000/console/',
        'http://127.0.0.1:3000/accept',
        CLI_CALLBACK_URL,
      ],
      logoutUrls: ['http://127.0.0.1:3000/console/'],
    },
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
    oauth: {
      domainPrefix: 'gatehouse-prod-example',
      callbackUrls: [
        'https://app.example.com/console/',
        'https://app.example.com/accept',
        CLI_CALLBACK_URL,
      ],
      logoutUrls: ['https://app.example.com/console/'],
    },
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
  const redirectIssue = deployedRedirectIssue(parsed.data);
  if (redirectIssue) throw new Error(`Stage "${stage}": ${redirectIssue}`);
  return parsed.data;
}
