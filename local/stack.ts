/**
 * The whole Gatehouse stack on this machine: DynamoDB Local, cognito-local, the SES emulator,
 * and the real handlers and authorizer behind the local HTTP API. Used by `npm start` and by
 * the test setup (on free ports, in a temporary directory).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { stageSettings } from '#shared/config/stages.js';
import { routeTable } from '#shared/routes/route-table.js';
import { ensureTable } from '#shared/store/local-table.js';
import { startCognitoProxy } from './cognito-proxy.js';
import { localCors } from './cors.js';
import { loadHandler } from './function-modules.js';
import {
  createLocalServer,
  type GatewayLimits,
  type LambdaAuthorizer,
  type LambdaHttpHandler,
  type LocalApi,
  type StaticHandler,
} from './http-server.js';
import { oauthFacade } from './oauth/facade.js';
import { ensurePrivateDir, writePrivateFile } from './private-dir.js';
import {
  assertPortsFree,
  freePort,
  type RunningProcess,
  startCognitoLocal,
  startDynamoDbLocal,
  startSesLocal,
} from './processes.js';
import type { RequestLogEntry } from './request-log.js';
import { startSesEvents } from './ses-events.js';

export const REGION = 'us-east-1';
export const TABLE_NAME = 'gatehouse';

/** What `.local/stack.json` holds: everything a client of the local stack needs. */
export interface StackInfo {
  apiUrl: string;
  /** The admin console (the hosted accept page is `<apiUrl>/accept`). */
  consoleUrl?: string;
  cognito: { endpoint: string; region: string; userPoolId: string; clientId: string };
  dynamodb: { endpoint: string; region: string; tableName: string };
  mail: { viewerUrl: string; storeUrl: string };
  bootstrap: { tenantId: string; email: string; password: string };
  /** Browser origins the API allows cross-origin (the stage's, plus any a caller added). */
  cors?: { allowedOrigins: string[] };
  /**
   * The OAuth code flow with PKCE (the local managed-login facade on the API's origin): the
   * issuer serves `/.well-known/openid-configuration`; redirects must be one of `callbackUrls`.
   */
  oauth?: { issuer: string; clientId: string; callbackUrls: string[]; logoutUrls: string[] };
}

export interface StackOptions {
  /** Where data and state live (`.local` for `npm start`, a temp dir for tests). */
  dir: string;
  /** Ports; 0 picks a free one. */
  ports?: { api?: number; dynamodb?: number; cognito?: number; ses?: number };
  /** Keep DynamoDB data on disk under `dir` (true for `npm start`). */
  persist?: boolean;
  fresh?: boolean;
  log?: boolean;
  /** Extra APIs served beside Gatehouse's (e.g. the example protected service). */
  extraApis?: (info: Omit<StackInfo, 'bootstrap'>) => Promise<LocalApi[]>;
  statics?: StaticHandler[];
  /** Pages that need the stack's settings (the console and its config), served before the APIs. */
  pages?: (
    info: Omit<StackInfo, 'bootstrap'>,
    context: { dir: string },
  ) => Promise<StaticHandler[]>;
  /** Background workers (e.g. the mailer's stream poller); each returns a stop function. */
  workers?: ((context: { dir: string }) => Promise<() => Promise<void>>)[];
  /** Time limits of the local API Gateway (default: AWS's). */
  limits?: GatewayLimits;
  /** Origins allowed cross-origin besides the `local` stage's (tests add their page's). */
  corsOrigins?: string[];
  /** Called once per request the local API answers (`npm start` prints a line). */
  onRequest?: (entry: RequestLogEntry) => void;
}

export interface RunningStack {
  info: StackInfo;
  /** The emulators, to stop, restart, pause or kill one (fault tests). */
  emulators: { dynamodb: RunningProcess; cognito: RunningProcess; ses: RunningProcess };
  stop(): Promise<void>;
}

interface SavedState {
  userPoolId: string;
  clientId: string;
  bootstrap: { tenantId: string; email: string; password: string };
}

const local = { accessKeyId: 'local', secretAccessKey: 'local' };

async function ensureUserPool(endpoint: string, saved: SavedState | undefined) {
  const cognito = new CognitoIdentityProviderClient({
    region: REGION,
    endpoint,
    credentials: local,
  });
  try {
    if (saved) {
      try {
        await cognito.send(new DescribeUserPoolCommand({ UserPoolId: saved.userPoolId }));
        return { userPoolId: saved.userPoolId, clientId: saved.clientId };
      } catch {
        // the pool is gone (data wiped): create a new one
      }
    }
    const pool = await cognito.send(
      new CreateUserPoolCommand({
        PoolName: 'gatehouse-local',
        UsernameAttributes: ['email'],
        UsernameConfiguration: { CaseSensitive: false },
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      }),
    );
    const userPoolId = pool.UserPool?.Id;
    if (!userPoolId) throw new Error('cognito-local returned no pool id');
    const client = await cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: userPoolId,
        ClientName: 'gatehouse-local',
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    const clientId = client.UserPoolClient?.ClientId;
    if (!clientId) throw new Error('cognito-local returned no client id');
    return { userPoolId, clientId };
  } finally {
    cognito.destroy();
  }
}

function generatedPassword(): string {
  return `Gh-${randomBytes(12).toString('base64url')}-9a`;
}

/**
 * The ports asked for (failing at once, naming the part, when one is taken) and free ones for
 * the rest. `cognito` is the password-policy proxy clients use; cognito-local itself listens on
 * a free port behind it.
 */
async function resolvePorts(asked: StackOptions['ports']) {
  await assertPortsFree(
    [
      { port: asked?.api, role: 'API' },
      { port: asked?.dynamodb, role: 'DynamoDB Local', host: '0.0.0.0' },
      { port: asked?.cognito, role: 'Cognito endpoint' },
      { port: asked?.ses, role: 'SES emulator and mail viewer' },
    ].filter((p): p is { port: number; role: string; host?: string } => Boolean(p.port)),
  );
  const port = async (p: number | undefined) => (p ? p : freePort());
  return {
    api: await port(asked?.api),
    dynamodb: await port(asked?.dynamodb),
    cognito: await port(asked?.cognito),
    cognitoLocal: await freePort(),
    ses: await port(asked?.ses),
  };
}

/**
 * DynamoDB Local, cognito-local and the SES emulator, started together; each one that started
 * goes into `started` at once, so a failure of another still stops it.
 */
async function startEmulators(
  options: StackOptions,
  ports: Awaited<ReturnType<typeof resolvePorts>>,
  started: RunningProcess[],
): Promise<[RunningProcess, RunningProcess, RunningProcess]> {
  const keep = async (p: Promise<RunningProcess>) => {
    const running = await p;
    started.push(running);
    return running;
  };
  const all = [
    keep(
      startDynamoDbLocal({
        port: ports.dynamodb,
        dataDir: options.persist ? join(options.dir, 'dynamodb') : undefined,
        log: options.log,
      }),
    ),
    keep(
      startCognitoLocal({
        port: ports.cognitoLocal,
        dataDir: join(options.dir, 'cognito'),
        issuerDomain: `http://127.0.0.1:${ports.cognito}`,
        log: options.log,
      }),
    ),
    keep(startSesLocal({ port: ports.ses, log: options.log })),
  ] as const;
  // Wait for every start to settle before failing, so none is left starting unseen.
  const settled = await Promise.allSettled(all);
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  return Promise.all(all);
}

/** The handlers read their configuration from the environment, as in Lambda. */
function setHandlerEnvironment(
  base: Omit<StackInfo, 'bootstrap'>,
  pool: { userPoolId: string; clientId: string },
) {
  Object.assign(process.env, {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    TABLE_NAME,
    DYNAMODB_ENDPOINT: base.dynamodb.endpoint,
    COGNITO_ENDPOINT: base.cognito.endpoint,
    SES_ENDPOINT: base.mail.viewerUrl,
    USER_POOL_ID: pool.userPoolId,
    USER_POOL_CLIENT_ID: pool.clientId,
    TOKEN_ISSUER: `${base.cognito.endpoint}/${pool.userPoolId}`,
    ACCEPT_URL: `${base.apiUrl}/accept`,
    MAIL_FROM: 'Gatehouse <no-reply@gatehouse.local>',
    AUTHORIZER_MODE: 'internal',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    AWS_SDK_JS_SUPPRESS_NODE_VERSION_WARNING: '1',
  });
}

/**
 * The `local` stage's redirect URLs on the origin actually served: the stage names port 3000,
 * `npm start -- --port` and the tests move it (as ACCEPT_URL follows the API's URL).
 */
function localRedirectUrls(urls: readonly string[], apiUrl: string): string[] {
  const stageOrigin = new URL(stageSettings('local').mail.acceptUrl).origin;
  return urls.map((u) =>
    u.startsWith(`${stageOrigin}/`) ? `${apiUrl}${u.slice(stageOrigin.length)}` : u,
  );
}

/** Gatehouse's own API: every route of the route table, behind the internal authorizer. */
function gatehouseApi(): LocalApi {
  return {
    name: 'gatehouse',
    authorizer: () => loadHandler<LambdaAuthorizer>('authorizer'),
    routes: routeTable.map((r) => ({
      method: r.method,
      path: r.path,
      authorized: r.auth.kind === 'tenant' || r.auth.kind === 'authenticated',
      handler: () => loadHandler<LambdaHttpHandler>(r.fn),
    })),
  };
}

async function closeServer(server: Server): Promise<void> {
  const closed = new Promise((r) => server.close(() => r(undefined)));
  server.closeAllConnections();
  await closed;
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

/** Starts every part of the stack and bootstraps tenant `demo` with a superuser. */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const dir = options.dir;
  // A taken port fails the start before anything, `--fresh`'s wipe included, happens.
  const ports = await resolvePorts(options.ports);
  if (options.fresh) rmSync(dir, { recursive: true, force: true });
  ensurePrivateDir(dir);
  const statePath = join(dir, 'state.json');
  const saved: SavedState | undefined = existsSync(statePath)
    ? (JSON.parse(readFileSync(statePath, 'utf8')) as SavedState)
    : undefined;
  const children: RunningProcess[] = [];
  const stops: (() => Promise<void>)[] = [];
  const servers: Server[] = [];
  const stop = async () => {
    await Promise.allSettled(servers.map(closeServer));
    await Promise.allSettled(stops.map((s) => s()));
    await Promise.allSettled(children.map((c) => c.stop()));
  };
  try {
    const [dynamo, cognito, ses] = await startEmulators(options, ports, children);
    const apiUrl = `http://127.0.0.1:${ports.api}`;
    servers.push(await startCognitoProxy(ports.cognito, cognito.url, apiUrl));
    const cognitoEndpoint = `http://127.0.0.1:${ports.cognito}`;
    await ensureTable({ endpoint: dynamo.url, region: REGION }, TABLE_NAME);
    const pool = await ensureUserPool(cognitoEndpoint, saved);
    const cors = localCors(options.corsOrigins);
    const { oauth } = stageSettings('local');
    const base = {
      apiUrl,
      consoleUrl: `${apiUrl}/console/`,
      cors: { allowedOrigins: [...cors.allowOrigins] },
      cognito: { endpoint: cognitoEndpoint, region: REGION, ...pool },
      dynamodb: { endpoint: dynamo.url, region: REGION, tableName: TABLE_NAME },
      mail: { viewerUrl: ses.url, storeUrl: `${ses.url}/store` },
      oauth: {
        issuer: `${cognitoEndpoint}/${pool.userPoolId}`,
        clientId: pool.clientId,
        callbackUrls: localRedirectUrls(oauth.callbackUrls, apiUrl),
        logoutUrls: localRedirectUrls(oauth.logoutUrls, apiUrl),
      },
    };
    setHandlerEnvironment(base, pool);
    const sesEvents = await startSesEvents(ses.url);
    stops.push(sesEvents.stop);
    Object.assign(process.env, sesEvents.environment);
    const extra = options.extraApis ? await options.extraApis(base) : [];
    const facade = oauthFacade({
      cognitoEndpoint,
      region: REGION,
      clientId: pool.clientId,
      callbackUrls: base.oauth.callbackUrls,
      logoutUrls: base.oauth.logoutUrls,
    });
    const pages = options.pages ? await options.pages(base, { dir }) : [];
    const server = createLocalServer([gatehouseApi(), ...extra], {
      statics: [facade, ...pages, ...(options.statics ?? [])],
      limits: options.limits,
      cors,
      fallback: () => loadHandler<LambdaHttpHandler>('fallback'),
      onRequest: options.onRequest,
    });
    servers.push(server);
    await listen(server, ports.api);
    for (const worker of options.workers ?? []) stops.push(await worker({ dir }));
    const bootstrap = await bootstrapDemo(saved?.bootstrap);
    const state: SavedState = { ...pool, bootstrap };
    writePrivateFile(statePath, JSON.stringify(state, null, 2));
    const info: StackInfo = { ...base, bootstrap };
    return { info, emulators: { dynamodb: dynamo, cognito, ses }, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Creates tenant `demo` and its superuser, unless they exist already. */
async function bootstrapDemo(
  saved: SavedState['bootstrap'] | undefined,
): Promise<SavedState['bootstrap']> {
  const { appDeps } = await import('#shared/app/deps.js');
  const { identityFromEnv } = await import('#shared/app/identity-deps.js');
  const { createTenant } = await import('#shared/tenants/tenant-service.js');
  const { ConflictError } = await import('#shared/errors/domain-errors.js');
  const bootstrap = saved ?? {
    tenantId: 'demo',
    email: 'admin@demo.gatehouse.local',
    password: generatedPassword(),
  };
  const user = await identityFromEnv().ensureUser(bootstrap.email, bootstrap.password);
  try {
    await createTenant(
      appDeps(),
      { userId: user.userId, email: bootstrap.email },
      { tenantId: bootstrap.tenantId, name: 'Demo' },
    );
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
  return bootstrap;
}
