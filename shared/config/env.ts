/**
 * Runtime configuration: `process.env` parsed once with zod (mini) into a frozen object. No other module
 * reads `process.env`. Locally (npm start, tests) deployment-specific values fall back to local
 * defaults; in Lambda they are required, so a function deployed without one fails loudly.
 */
// zod/mini: the same checks as zod, tree-shaken to what this schema uses. The authorizer loads
// this module and no other schema, so its bundle carries no full zod (see README, performance).
import * as z from 'zod/mini';

const text = (fallback: string) => z._default(z.string().check(z.minLength(1)), fallback);
/** A number from a variable's text, within [min, max] (and whole when `int`). */
const numberVar = (opts: { int?: boolean; min: number; max: number; exclusiveMin?: boolean }) =>
  z.pipe(
    z.coerce.number(),
    (opts.int ? z.int() : z.number()).check(
      opts.exclusiveMin ? z.gt(opts.min) : z.gte(opts.min),
      z.lte(opts.max),
    ),
  );

const EnvSchema = z.object({
  TABLE_NAME: text('gatehouse'),
  AWS_REGION: text('us-east-1'),
  /** Set only for local emulators. */
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  /**
   * The AWS SDK's own endpoint settings, which the SDK clients read themselves; read here for the
   * authorizer's signed HTTP transport, which must honour them alike (a FIPS-only deployment).
   */
  AWS_ENDPOINT_URL_DYNAMODB: z.optional(z.url()),
  AWS_ENDPOINT_URL: z.optional(z.url()),
  AWS_USE_FIPS_ENDPOINT: z.optional(z.enum(['true', 'false'])),
  COGNITO_ENDPOINT: z.optional(z.url()),
  SES_ENDPOINT: z.optional(z.url()),
  USER_POOL_ID: text('local'),
  USER_POOL_CLIENT_ID: text('local'),
  /** Several app clients, comma-separated; when set, USER_POOL_CLIENT_ID is not read. */
  USER_POOL_CLIENT_IDS: z.optional(z.string().check(z.minLength(1))),
  /** Issuer of access tokens; defaults to the Cognito issuer of USER_POOL_ID. */
  TOKEN_ISSUER: z.optional(z.url()),
  /** JWKS location; http only for cognito-local. */
  JWKS_URI: z.optional(z.url()),
  MAIL_FROM: z._default(z.string().check(z.minLength(3)), 'no-reply@gatehouse.local'),
  ACCEPT_URL: z._default(z.url(), 'http://127.0.0.1:3000/accept'),
  /** `internal` for Gatehouse's own API; `external` when protecting another API. */
  AUTHORIZER_MODE: z._default(z.enum(['internal', 'external']), 'internal'),
  /**
   * External mode: the route map file (packages/authorizer routes.json, with the tenant
   * parameter inside), relative to the bundle's directory or absolute. @default routes.json
   */
  AUTHORIZER_ROUTES_FILE: z.optional(z.string().check(z.minLength(1))),
  POWERTOOLS_SERVICE_NAME: z._default(z.string(), 'gatehouse'),
  /** Longest one attempt of a DynamoDB, Cognito or SES call may take (ms); calls also end at the request's deadline. */
  DEPENDENCY_TIMEOUT_MS: z._default(numberVar({ int: true, min: 10, max: 60_000 }), 3000),
  /** First retry delay of an outbox mail that failed (seconds); it doubles per attempt. */
  MAIL_RETRY_BASE_SECONDS: z._default(numberVar({ min: 0, exclusiveMin: true, max: 86_400 }), 60),
  /** Longest delay between two attempts of one outbox mail (seconds). */
  MAIL_RETRY_MAX_SECONDS: z._default(numberVar({ min: 0, exclusiveMin: true, max: 86_400 }), 3600),
  /** Attempts before an outbox mail is dead (listed, and sent again only when re-driven). */
  MAIL_MAX_ATTEMPTS: z._default(numberVar({ int: true, min: 1, max: 100 }), 10),
  /**
   * The SES configuration set mail is sent with (its bounce and complaint events come back to
   * the mail-events function); unset sends without one, and the mail-events function then
   * ignores every event.
   */
  MAIL_CONFIGURATION_SET: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/))),
  /** Most mails one mailer or re-drive instance sends per second (the stage's `mail.sendRatePerSecond`). */
  MAIL_SEND_RATE_PER_SECOND: z._default(numberVar({ min: 0, exclusiveMin: true, max: 1000 }), 10),
  /** Set by the Lambda runtime: its presence means the process runs in Lambda. */
  AWS_LAMBDA_FUNCTION_NAME: z.optional(z.string().check(z.minLength(1))),
  /** The deployed stage (shared/config/stages.ts); metrics carry it as a dimension. */
  GATEHOUSE_STAGE: z.optional(z.string().check(z.minLength(1))),
});

export type Env = Readonly<z.infer<typeof EnvSchema>>;

/**
 * What differs per deployment and has only a local default: in Lambda each must be set on the
 * function. (AWS_REGION is set by the runtime; the tuning knobs keep their defaults everywhere.)
 */
export const DEPLOYMENT_VARIABLES = [
  'TABLE_NAME',
  'USER_POOL_ID',
  'USER_POOL_CLIENT_ID',
  'MAIL_FROM',
  'ACCEPT_URL',
] as const satisfies readonly (keyof Env)[];

/** A variable a deployed function reads was not set on it. */
export class MissingConfigError extends Error {
  constructor(readonly variable: string) {
    super(
      `Missing environment variable ${variable}: this Lambda function reads it, and local defaults do not apply in Lambda; set it on the function (infra/)`,
    );
    this.name = 'MissingConfigError';
  }
}

let cached: Env | undefined;

/**
 * Reads the environment once; throws at cold start when a value is malformed. In Lambda
 * (AWS_LAMBDA_FUNCTION_NAME set) a deployment variable that is missing throws a
 * `MissingConfigError` naming it when the function first reads it: functions read their
 * configuration while loading, so that is the cold start, and a function is never refused for a
 * variable it does not use (the offboarding function has no mail settings).
 */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  if (source === process.env && cached) return cached;
  const parsed = EnvSchema.parse(source);
  if (parsed.AWS_LAMBDA_FUNCTION_NAME !== undefined) {
    for (const name of DEPLOYMENT_VARIABLES) {
      if (source[name]) continue;
      Object.defineProperty(parsed, name, {
        enumerable: true,
        get: () => {
          throw new MissingConfigError(name);
        },
      });
    }
  }
  const env = Object.freeze(parsed);
  if (source === process.env) cached = env;
  return env;
}

/** The issuer the authorizer trusts for access tokens. */
export function tokenIssuer(env: Env): string {
  return (
    env.TOKEN_ISSUER ?? `https://cognito-idp.${env.AWS_REGION}.amazonaws.com/${env.USER_POOL_ID}`
  );
}

/** AWS credentials, as Lambda hands a function its role's. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * The credentials Lambda puts in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN), for the one caller that signs its own requests (the authorizer's DynamoDB
 * transport; the SDK clients read them themselves). Kept out of `Env` so secrets never sit in
 * the parsed configuration. Undefined when the key or the secret is unset.
 */
export function awsCredentials(
  source: NodeJS.ProcessEnv = process.env,
): AwsCredentials | undefined {
  const accessKeyId = source.AWS_ACCESS_KEY_ID;
  const secretAccessKey = source.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return undefined;
  const sessionToken = source.AWS_SESSION_TOKEN;
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}
