/** The bench's local stack: the emulators and local API in a temp dir, sign-in, and DynamoDB clients that count their requests. */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createStoreDeps } from '#shared/app/store-deps.js';
import { setTenantLimits } from '#shared/limits/mail-limits.js';
import { DEFAULT_TIMEOUTS } from '#shared/platform/dependency-guard.js';
import { createDocumentClient, type DocumentClient } from '#shared/store/dynamo-client.js';
import { keys } from '#shared/store/keys.js';
import {
  createHttpTransport,
  type SignedHttpTransport,
} from '#shared/store/signed-http-transport.js';
import type { ConsoleBuild } from '../console/build.js';
import { consolePages } from '../local/console-pages.js';
import { type StackInfo, startStack } from '../local/stack.js';

/** Counts what a document client sends: HTTP requests (retries included), per operation. */
export interface RequestCounter {
  /** HTTP requests sent so far. */
  readonly total: number;
  /** Requests per command name, e.g. `BatchGetCommand`. */
  readonly byCommand: Readonly<Record<string, number>>;
  reset(): void;
}

const counters = new WeakMap<object, RequestCounter & { count(name: string): void }>();

/** A counter of requests by command name, not yet attached to anything. */
function newCounter(): RequestCounter & { count(name: string): void } {
  let total = 0;
  let byCommand: Record<string, number> = {};
  return {
    count(name) {
      total++;
      byCommand[name] = (byCommand[name] ?? 0) + 1;
    },
    get total() {
      return total;
    },
    get byCommand() {
      return byCommand;
    },
    reset() {
      total = 0;
      byCommand = {};
    },
  };
}

/**
 * Counts what a document client sends, and what the given signed HTTP transports send (the
 * authorizer's), in one counter. The client's middleware sits in the deserialize step, inside
 * the SDK's retry loop, and a transport's listener sees each attempt, so every attempt that goes
 * over the wire is counted once, under the SDK's command name (`GetItemCommand`). A client has
 * one counter: a second call returns it (reset it before measuring).
 */
export function countRequests(
  db: DocumentClient,
  ...transports: SignedHttpTransport[]
): RequestCounter {
  const existing = counters.get(db);
  if (existing) return existing;
  const counter = newCounter();
  db.middlewareStack.add(
    (next, context) => async (args) => {
      counter.count(String(context.commandName ?? 'unknown'));
      return next(args);
    },
    { step: 'deserialize', name: 'benchCountRequests' },
  );
  for (const transport of transports) {
    transport.onRequest((operation) => counter.count(`${operation}Command`));
  }
  counters.set(db, counter);
  return counter;
}

export interface BenchStack {
  info: StackInfo;
  /**
   * A new document client on DynamoDB Local and a signed HTTP transport to it (the deployed
   * authorizer's), with one request counter for both.
   */
  countingClient(): { db: DocumentClient; transport: SignedHttpTransport; counter: RequestCounter };
  /** Signs in through cognito-local (USER_PASSWORD_AUTH) and returns the access token. */
  signIn(email: string, password: string): Promise<string>;
  /**
   * Makes an existing Cognito user an active member, as people join: the admin adds them
   * (`POST /members`, pending), they accept the mailed invite signed in. Setup, not measured.
   * Raises the tenant's mail limits first, as an operator would for a bench tenant.
   */
  join(tenantId: string, adminToken: string, email: string, password: string): Promise<string>;
  /** The person's own accept (signed in) of invite `inviteId`; returns their userId. */
  acceptAs(email: string, password: string, inviteId: string): Promise<string>;
  /** The console as the stack serves it (at `info.consoleUrl`), when started with `console`. */
  console?: ConsoleBuild;
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local, cognito-local, the SES emulator and the local API on free ports; with
 * `console`, the console and hosted pages too (built as `npm start` builds them).
 */
export async function startBenchStack(options: { console?: boolean } = {}): Promise<BenchStack> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  let consoleBuild: ConsoleBuild | undefined;
  const running = await startStack({
    dir,
    persist: false,
    ...(options.console
      ? {
          pages: async (info, context) => {
            const pages = await consolePages(info, join(context.dir, 'console'));
            consoleBuild = pages.built;
            return [pages.handler];
          },
        }
      : {}),
  });
  const { info } = running;
  const cognito = new CognitoIdentityProviderClient({
    region: info.cognito.region,
    endpoint: info.cognito.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const clients: DocumentClient[] = [];
  const raised = new Set<string>();
  {
    // The bench's own tenant sends far more mail than a new tenant may (an operator's raise).
    const db = createDocumentClient({
      AWS_REGION: info.dynamodb.region,
      DYNAMODB_ENDPOINT: info.dynamodb.endpoint,
    });
    clients.push(db);
    const deps = createStoreDeps(db, info.dynamodb.tableName);
    await setTenantLimits(deps, info.bootstrap.tenantId, {
      mailsPerHour: 100_000,
      mailsPerDay: 1_000_000,
    });
    raised.add(info.bootstrap.tenantId);
  }
  async function signIn(email: string, password: string): Promise<string> {
    const res = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: info.cognito.clientId,
        AuthParameters: { USERNAME: email, PASSWORD: password },
      }),
    );
    const token = res.AuthenticationResult?.AccessToken;
    if (!token) throw new Error(`cognito-local returned no access token for ${email}`);
    return token;
  }

  const post = (path: string, body: unknown, token?: string) =>
    fetch(`${info.apiUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
  /**
   * Accepts, signed in as `email`, the invite `inviteId`; returns their userId. The token is
   * read from the invite's outbox item (what the mail would carry): the bench stack runs no mail
   * poller, so nothing in the background adds to the DynamoDB requests it counts.
   */
  async function acceptAs(email: string, password: string, inviteId: string): Promise<string> {
    const db = createDocumentClient({
      AWS_REGION: info.dynamodb.region,
      DYNAMODB_ENDPOINT: info.dynamodb.endpoint,
    });
    clients.push(db);
    const outbox = await db.send(
      new GetCommand({
        TableName: info.dynamodb.tableName,
        Key: keys.inviteOutbox(inviteId),
        ConsistentRead: true,
      }),
    );
    const token = outbox.Item?.token;
    if (typeof token !== 'string') throw new Error(`no pending mail for invite ${inviteId}`);
    const accepted = await post('/v1/invites/accept', { token }, await signIn(email, password));
    if (accepted.status !== 200)
      throw new Error(`accept as ${email}: ${accepted.status} ${await accepted.text()}`);
    return String(((await accepted.json()) as { userId: string }).userId);
  }
  return {
    info,
    countingClient() {
      const db = createDocumentClient({
        AWS_REGION: info.dynamodb.region,
        DYNAMODB_ENDPOINT: info.dynamodb.endpoint,
      });
      clients.push(db);
      const transport = createHttpTransport({
        region: info.dynamodb.region,
        endpoint: info.dynamodb.endpoint,
        local: true,
        requestTimeoutMs: DEFAULT_TIMEOUTS.requestTimeoutMs,
      });
      return { db, transport, counter: countRequests(db, transport) };
    },
    signIn,
    async join(tenantId, adminToken, email, password) {
      const db = createDocumentClient({
        AWS_REGION: info.dynamodb.region,
        DYNAMODB_ENDPOINT: info.dynamodb.endpoint,
      });
      clients.push(db);
      if (!raised.has(tenantId)) {
        const deps = createStoreDeps(db, info.dynamodb.tableName);
        await setTenantLimits(deps, tenantId, { mailsPerHour: 100_000, mailsPerDay: 1_000_000 });
        raised.add(tenantId);
      }
      const added = await post(`/v1/tenants/${tenantId}/members`, { email }, adminToken);
      if (added.status !== 201)
        throw new Error(`add ${email}: ${added.status} ${await added.text()}`);
      const { inviteId } = (await added.json()) as { inviteId: string };
      return acceptAs(email, password, inviteId);
    },
    acceptAs,
    ...(consoleBuild ? { console: consoleBuild } : {}),
    async stop() {
      for (const db of clients) db.destroy();
      cognito.destroy();
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
