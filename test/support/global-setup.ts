/**
 * Starts the whole local stack (DynamoDB Local, cognito-local, the SES emulator, the real
 * handlers and authorizer) on free ports in a temporary directory, once for the test run. It
 * allows one extra CORS origin (`stack.cors.allowedOrigins`) for the browser tests' page.
 */
import { mkdtempSync, rmSync } from 'node:fs';
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

let stack: RunningStack | undefined;
let dir: string | undefined;

export async function setup(project: TestProject) {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  // The shared stack's handlers and authorizer wait up to 8 s per DynamoDB, Cognito or SES
  // attempt (deployed: 3 s). DynamoDB Local runs one transaction at a time, and on a loaded
  // 2-core CI machine a test's 95-item bulk-invite transaction held another file's tenant
  // creation past 3 s (a 503 in a fixture, twice). Tests of timeouts and outages start their own
  // stack or clients with short limits (faults, authorizer-unavailable, authorizer-metrics).
  process.env.DEPENDENCY_TIMEOUT_MS ??= '8000';
  // One extra allowed origin: a port the CORS tests serve their own page from.
  const allowedTestOrigin = `http://127.0.0.1:${await freePort()}`;
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
