/** Wires the production dependencies once per cold start from the parsed environment. */

import { createStoreDeps, type WiredStoreDeps } from '#shared/app/store-deps.js';
import { type Env, loadEnv } from '#shared/config/env.js';
import { createDocumentClient } from '#shared/store/dynamo-client.js';

export interface AppDeps extends WiredStoreDeps {
  env: Env;
}

let shared: AppDeps | undefined;

/** The dependencies of this process, created on first use and reused across invocations. */
export function appDeps(): AppDeps {
  if (!shared) {
    const env = loadEnv();
    shared = { env, ...createStoreDeps(createDocumentClient(env), env.TABLE_NAME) };
  }
  return shared;
}
