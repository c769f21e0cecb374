/** Where the CLI points: the API, the Cognito client and the default tenant, from flags, env or stack.json. */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { usageError } from './errors.js';

/** Options every command accepts (declared on the root program). */
export interface GlobalOptions {
  api?: string;
  stack?: string;
  region?: string;
  clientId?: string;
  issuer?: string;
  tenant?: string;
  json?: boolean;
}

/** The fields of `.local/stack.json` the CLI reads. */
interface StackFile {
  apiUrl?: string;
  cognito?: { endpoint?: string; region?: string; userPoolId?: string; clientId?: string };
  oauth?: { issuer?: string; clientId?: string };
  bootstrap?: { tenantId?: string; email?: string; password?: string };
}

/** How to reach Cognito for sign-in and refresh. */
export interface CognitoTarget {
  region?: string;
  clientId?: string;
  endpoint?: string;
}

/** Everything a command needs to know about where it talks to. */
export interface Target {
  apiUrl: string;
  cognito: CognitoTarget;
  /**
   * The OpenID issuer whose discovery document names the sign-in endpoints (Cognito's managed
   * login deployed, the local facade on `npm start`); undefined when nothing says which.
   */
  issuer?: string;
  tenant?: string;
  /** The stack's bootstrap superuser (local stacks only). */
  bootstrap?: { email: string; password: string };
  /** Which stack.json was read, if any. */
  stackPath?: string;
}

const env = process.env;
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The directory holding the credentials file (`GATEHOUSE_CONFIG_DIR`, default ~/.config/gatehouse). */
export function configDir(): string {
  return env.GATEHOUSE_CONFIG_DIR || join(homedir(), '.config', 'gatehouse');
}

function readStack(path: string): StackFile {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as StackFile;
  } catch (error) {
    throw usageError(
      `Cannot read the stack file ${path}: ${(error as Error).message}`,
      'start the local stack with `npm start`, or give --stack <path> or --api <url>',
    );
  }
}

function defaultStackPath(): string | undefined {
  const candidates = [resolve('.local', 'stack.json'), join(packageRoot, '.local', 'stack.json')];
  return candidates.find((p) => existsSync(p));
}

/** A deployed pool's issuer, from its region and id (`GATEHOUSE_USER_POOL_ID`), as Cognito names it. */
function cognitoIssuer(target: Target): string | undefined {
  const poolId = env.GATEHOUSE_USER_POOL_ID;
  if (!poolId || target.cognito.endpoint) return undefined;
  const region = target.cognito.region ?? poolId.split('_')[0];
  return `https://cognito-idp.${region}.amazonaws.com/${poolId}`;
}

/**
 * Resolves the target. An explicit API (`--api` / `GATEHOUSE_API_URL`) wins and then only an
 * explicit `--stack` is read; otherwise the local stack's `.local/stack.json` is the default.
 */
export function resolveTarget(opts: GlobalOptions): Target {
  const explicitApi = opts.api ?? env.GATEHOUSE_API_URL;
  const stackPath = opts.stack
    ? resolve(opts.stack)
    : (env.GATEHOUSE_STACK ?? (explicitApi ? undefined : defaultStackPath()));
  const stack: StackFile = stackPath ? readStack(stackPath) : {};
  const apiUrl = explicitApi ?? stack.apiUrl;
  if (!apiUrl) {
    throw usageError(
      'No API to talk to: no --api, no GATEHOUSE_API_URL and no .local/stack.json.',
      'start the local stack with `npm start`, or give --api <url> (or GATEHOUSE_API_URL)',
    );
  }
  const bootstrap =
    stack.bootstrap?.email && stack.bootstrap.password
      ? { email: stack.bootstrap.email, password: stack.bootstrap.password }
      : undefined;
  const target: Target = {
    apiUrl: apiUrl.replace(/\/+$/, ''),
    cognito: {
      region: opts.region ?? env.GATEHOUSE_REGION ?? stack.cognito?.region ?? env.AWS_REGION,
      clientId: opts.clientId ?? env.GATEHOUSE_COGNITO_CLIENT_ID ?? stack.cognito?.clientId,
      endpoint: env.GATEHOUSE_COGNITO_ENDPOINT ?? stack.cognito?.endpoint,
    },
  };
  const issuer =
    opts.issuer ?? env.GATEHOUSE_ISSUER ?? stack.oauth?.issuer ?? cognitoIssuer(target);
  if (issuer) target.issuer = issuer.replace(/\/+$/, '');
  const tenant = opts.tenant ?? env.GATEHOUSE_TENANT ?? stack.bootstrap?.tenantId;
  if (tenant) target.tenant = tenant;
  if (bootstrap) target.bootstrap = bootstrap;
  if (stackPath) target.stackPath = stackPath;
  return target;
}

/** The tenant a tenant-scoped command acts on, or a usage error saying how to choose one. */
export function requireTenant(target: Target): string {
  if (!target.tenant) {
    throw usageError(
      'No tenant chosen.',
      'give --tenant <id> or set GATEHOUSE_TENANT (see `gatehouse whoami` for your tenants)',
    );
  }
  return target.tenant;
}
