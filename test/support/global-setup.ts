/**
 * Starts the whole local stack (DynamoDB Local, cognito-local, the SES emulator, the real
 * handlers and authorizer) on free ports in a temporary directory, once for the test run. It
 * allows one extra CORS origin (`stack.cors.allowedOrigins`) for the browser tests' page.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { localExtras } from '../../local/extras.js';
import { freePort } from '../../local/processes.js';
import { type RunningStack, type StackInfo, startStack } from '../../local/stack.js';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo;
    /** The shared stack's data directory (a test reads an emulator's own files from it). */
    stackDir: string;
  }
}

/** Whether nothing listens on `port` (127.0.0.1) right now. */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A free port below the system's ephemeral range (32768 and up on Linux), kept free for the
 * whole run: no outgoing connection and no `listen(0)` is given it, as one was in a CI run
 * (the CORS test's page then could not listen on its allowed origin).
 */
async function portOutsideEphemeralRange(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    if (await canListen(port)) return port;
  }
  return freePort();
}

let stack: RunningStack | undefined;
let dir: string | undefined;

export async function setup(project: TestProject) {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  // The shared stack's handlers and authorizer wait up to 20 s per DynamoDB, Cognito or SES
  // attempt (deployed: 3 s). DynamoDB Local runs one transaction at a time, and on a loaded
  // 2-core CI machine (two test files, chromium, the emulators) a fixture's tenant creation and
  // an invite's acceptance waited past 3 s and then past 8 s (a 503 in tests that assert no
  // outage). Tests of timeouts and outages start their own stack or clients with short limits
  // (faults, authorizer-unavailable, authorizer-metrics).
  process.env.DEPENDENCY_TIMEOUT_MS ??= '20000';
  // One extra allowed origin: a port the CORS tests serve their own page from.
  const allowedTestOrigin = `http://127.0.0.1:${await portOutsideEphemeralRange()}`;
  stack = await startStack({
    dir,
    persist: false,
    corsOrigins: [allowedTestOrigin],
    ...localExtras(),
  });
  project.provide('stack', stack.info);
  project.provide('stackDir', dir);
}

export async function teardown() {
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
