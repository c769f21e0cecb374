/**
 * A proxy in front of cognito-local that enforces the user pool's password policy, which
 * cognito-local does not: every call that sets a password is checked against
 * shared/identity/password-policy.ts and a weak one is refused with Cognito's own
 * InvalidPasswordException (HTTP 400, `__type`); everything else passes through untouched.
 */
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import { PASSWORD_RULES, PasswordSchema } from '#shared/identity/password-policy.js';

const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';

type Body = Record<string, unknown>;

/** The password a call sets, per operation (undefined: the call sets none). */
const PASSWORD_OF: Record<string, (body: Body) => unknown> = {
  RespondToAuthChallenge: (b) =>
    b.ChallengeName === 'NEW_PASSWORD_REQUIRED'
      ? (b.ChallengeResponses as Body | undefined)?.NEW_PASSWORD
      : undefined,
  AdminRespondToAuthChallenge: (b) =>
    b.ChallengeName === 'NEW_PASSWORD_REQUIRED'
      ? (b.ChallengeResponses as Body | undefined)?.NEW_PASSWORD
      : undefined,
  AdminSetUserPassword: (b) => b.Password,
  AdminCreateUser: (b) => b.TemporaryPassword,
  ChangePassword: (b) => b.ProposedPassword,
  ConfirmForgotPassword: (b) => b.Password,
  SignUp: (b) => b.Password,
};

/** The operations whose password the proxy checks. */
export const PASSWORD_OPERATIONS = Object.keys(PASSWORD_OF);

/** Why `password` breaks the policy, in Cognito's words; undefined when it conforms. */
export function passwordViolation(password: unknown): string | undefined {
  if (typeof password !== 'string') return undefined;
  if (PasswordSchema.safeParse(password).success) return undefined;
  return `Password did not conform with policy: it must have ${PASSWORD_RULES}`;
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function violationOf(target: string | undefined, raw: Buffer): string | undefined {
  if (!target?.startsWith(TARGET_PREFIX)) return undefined;
  const password = PASSWORD_OF[target.slice(TARGET_PREFIX.length)];
  if (!password) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined; // cognito-local answers malformed JSON itself
  }
  return body && typeof body === 'object' ? passwordViolation(password(body as Body)) : undefined;
}

const DISCOVERY_PATH = /^\/([\w-]+)\/\.well-known\/openid-configuration$/;

/**
 * The pool's OpenID discovery document as Cognito serves it at the issuer: the issuer and JWKS
 * here, the OAuth endpoints on the managed-login domain (locally: the facade on the API's
 * origin). cognito-local's own names `localhost:9229` and no OAuth endpoint.
 */
function discoveryDocument(issuer: string, oauthBaseUrl: string) {
  return {
    issuer,
    authorization_endpoint: `${oauthBaseUrl}/oauth2/authorize`,
    token_endpoint: `${oauthBaseUrl}/oauth2/token`,
    end_session_endpoint: `${oauthBaseUrl}/logout`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    scopes_supported: ['openid', 'email', 'profile'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['none'],
  };
}

/**
 * Starts the proxy on `port` (127.0.0.1) in front of `upstream` (cognito-local's URL). When
 * cognito-local is down the client's connection is cut, as if nothing listened. With
 * `oauthBaseUrl` it answers the pool's OpenID discovery document itself.
 */
export async function startCognitoProxy(
  port: number,
  upstream: string,
  oauthBaseUrl?: string,
): Promise<Server> {
  const target = new URL(upstream);
  const server = createServer(async (req, res) => {
    const discovery = DISCOVERY_PATH.exec(req.url ?? '');
    if (oauthBaseUrl && discovery && req.method === 'GET') {
      const issuer = `http://127.0.0.1:${port}/${discovery[1]}`;
      res.writeHead(200, {
        'content-type': 'application/json',
        'access-control-allow-origin': '*',
      });
      return void res.end(JSON.stringify(discoveryDocument(issuer, oauthBaseUrl)));
    }
    const raw = await readAll(req);
    const amzTarget = req.headers['x-amz-target'];
    const violation = violationOf(typeof amzTarget === 'string' ? amzTarget : undefined, raw);
    if (violation) {
      const body = JSON.stringify({ __type: 'InvalidPasswordException', message: violation });
      res.writeHead(400, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-errortype': 'InvalidPasswordException:',
        'x-amzn-requestid': crypto.randomUUID(),
        'content-length': Buffer.byteLength(body),
      });
      return void res.end(body);
    }
    const forward = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, 'content-length': String(raw.length) },
      },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    forward.on('error', () => {
      req.socket.destroy();
    });
    forward.end(raw);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return server;
}
