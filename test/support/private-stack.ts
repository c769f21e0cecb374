/**
 * A whole local stack of one test file's own (fault tests stop, pause and kill its emulators,
 * which must not disturb the stack the other test files share), with small client helpers.
 * Start at most one per test file: the handlers read the environment once per process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll } from 'vitest';
import { type ExtrasOptions, localExtras } from '../../local/extras.js';
import { type RunningStack, type StackInfo, startStack } from '../../local/stack.js';

export interface PrivateStack {
  stack: RunningStack;
  info: StackInfo;
  dir: string;
  /** Starts the stack again on the same ports and data (after `stack.stop()`). */
  restart(extras?: ExtrasOptions): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * Starts it in a temporary directory with DynamoDB data on disk (so DynamoDB Local can be
 * stopped and started again) and `env` set first (timeouts, backoff).
 */
export async function startPrivateStack(
  env: Record<string, string>,
  extras: ExtrasOptions = {},
): Promise<PrivateStack> {
  Object.assign(process.env, env);
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-faults-'));
  const handle: PrivateStack = {
    stack: await startStack({ dir, persist: true, ...localExtras(extras) }),
    info: undefined as unknown as StackInfo,
    dir,
    async restart(again: ExtrasOptions = {}) {
      const port = (url: string) => Number(new URL(url).port);
      const { info } = handle;
      handle.stack = await startStack({
        dir,
        persist: true,
        ports: {
          api: port(info.apiUrl),
          dynamodb: port(info.dynamodb.endpoint),
          cognito: port(info.cognito.endpoint),
          ses: port(info.mail.viewerUrl),
        },
        ...localExtras(again),
      });
      handle.info = handle.stack.info;
    },
    async dispose() {
      await handle.stack.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  handle.info = handle.stack.info;
  return handle;
}

/**
 * A private stack for the whole file: started before its first test with `env` and `extras`,
 * disposed after its last. The returned object reads through to the running stack (also after
 * `restart()`), so use it only inside tests and hooks.
 */
export function usePrivateStack(
  env: Record<string, string>,
  extras: ExtrasOptions = {},
): PrivateStack {
  let handle: PrivateStack | undefined;
  beforeAll(async () => {
    handle = await startPrivateStack(env, extras);
  });
  afterAll(async () => {
    await handle?.dispose();
  });
  return new Proxy({} as PrivateStack, {
    get(_target, key) {
      if (!handle) throw new Error('the private stack is not started yet (use it in tests)');
      return Reflect.get(handle, key);
    },
  });
}

export interface Reply {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test responses are asserted field by field
  body: any;
}

/** Calls the stack's API; a request that takes longer than `hangAfterMs` fails as a hang. */
export async function call(
  info: StackInfo,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; hangAfterMs?: number } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${info.apiUrl}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(options.hangAfterMs ?? 25_000),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, body };
}

/** The bootstrap superuser's access token. */
export async function bootstrapToken(info: StackInfo): Promise<string> {
  const cognito = new CognitoIdentityProviderClient({
    region: info.cognito.region,
    endpoint: info.cognito.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const res = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: info.cognito.clientId,
        AuthParameters: { USERNAME: info.bootstrap.email, PASSWORD: info.bootstrap.password },
      }),
    );
    const token = res.AuthenticationResult?.AccessToken;
    if (!token) throw new Error('sign-in returned no access token');
    return token;
  } finally {
    cognito.destroy();
  }
}

/** The mails the SES emulator holds for `email` (its store starts empty after a restart). */
export async function mailsTo(info: StackInfo, email: string): Promise<unknown[]> {
  const res = await fetch(info.mail.storeUrl);
  const store = (await res.json()) as { emails: { destination: { to: string[] } }[] };
  return store.emails.filter((m) => m.destination.to.includes(email));
}

/** Polls `probe` until it returns true or `timeoutMs` passes; returns its last answer. */
export async function eventually(
  probe: () => Promise<boolean>,
  timeoutMs = 20_000,
  stepMs = 200,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
