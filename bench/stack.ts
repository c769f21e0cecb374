/** The bench's local stack: the emulators and local API in a temp dir, sign-in, and DynamoDB clients that count their requests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createDocumentClient, type DocumentClient } from '#shared/store/dynamo-client.js';
import { type StackInfo, startStack } from '../local/stack.js';

/** Counts what a document client sends: HTTP requests (retries included), per operation. */
export interface RequestCounter {
  /** HTTP requests sent so far. */
  readonly total: number;
  /** Requests per command name, e.g. `BatchGetCommand`. */
  readonly byCommand: Readonly<Record<string, number>>;
  reset(): void;
}

const counters = new WeakMap<DocumentClient, RequestCounter>();

/**
 * Adds a counting middleware to a document client. It sits in the deserialize step, inside the
 * SDK's retry loop, so every attempt that goes over the wire is counted once. A client has one
 * counter: a second call returns it (reset it before measuring).
 */
export function countRequests(db: DocumentClient): RequestCounter {
  const existing = counters.get(db);
  if (existing) return existing;
  let total = 0;
  let byCommand: Record<string, number> = {};
  db.middlewareStack.add(
    (next, context) => async (args) => {
      total++;
      const name = String(context.commandName ?? 'unknown');
      byCommand[name] = (byCommand[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'deserialize', name: 'benchCountRequests' },
  );
  const counter: RequestCounter = {
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
  counters.set(db, counter);
  return counter;
}

export interface BenchStack {
  info: StackInfo;
  /** A new document client on DynamoDB Local with its own request counter. */
  countingClient(): { db: DocumentClient; counter: RequestCounter };
  /** Signs in through cognito-local (USER_PASSWORD_AUTH) and returns the access token. */
  signIn(email: string, password: string): Promise<string>;
  stop(): Promise<void>;
}

/** Starts DynamoDB Local, cognito-local, the SES emulator and the local API on free ports. */
export async function startBenchStack(): Promise<BenchStack> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  const running = await startStack({ dir, persist: false });
  const { info } = running;
  const cognito = new CognitoIdentityProviderClient({
    region: info.cognito.region,
    endpoint: info.cognito.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const clients: DocumentClient[] = [];
  return {
    info,
    countingClient() {
      const db = createDocumentClient({
        AWS_REGION: info.dynamodb.region,
        DYNAMODB_ENDPOINT: info.dynamodb.endpoint,
      });
      clients.push(db);
      return { db, counter: countRequests(db) };
    },
    async signIn(email, password) {
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
    },
    async stop() {
      for (const db of clients) db.destroy();
      cognito.destroy();
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
