/**
 * Loads a function's real Lambda entry by name: `functions/<name>/handler.ts`, the CDK convention.
 * Every call of a loaded handler runs as that function, so the local access guard holds it to
 * its declared table needs (local/access-guard.ts), as IAM does on AWS.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { authorizerDeps } from '#shared/app/authorizer-deps.js';
import { appDeps } from '#shared/app/deps.js';
import { guardTableClient, guardTransport, runAs } from './access-guard.js';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

export function functionEntry(name: string): string {
  return join(projectRoot, 'functions', name, 'handler.ts');
}

const loaded = new Map<string, Promise<unknown>>();
let guarded = false;

/** Imports `functions/<name>/handler.ts` once and returns its `handler`, run as `name`. */
export async function loadHandler<T>(name: string): Promise<T> {
  let mod = loaded.get(name);
  if (!mod) {
    mod = import(pathToFileURL(functionEntry(name)).href);
    loaded.set(name, mod);
  }
  const m = (await mod) as { handler?: (...args: unknown[]) => unknown };
  const handler = m.handler;
  if (!handler) throw new Error(`functions/${name}/handler.ts exports no handler`);
  if (!guarded) {
    // The handlers share this process's one table client (appDeps), and the authorizer has its
    // own transport (authorizerDeps): guard both once.
    guardTableClient(appDeps().db);
    guardTransport(authorizerDeps().transport);
    guarded = true;
  }
  return ((...args: unknown[]) => runAs(name, () => handler(...args))) as T;
}
