/** Loads a function's real Lambda entry by name: `functions/<name>/handler.ts`, the CDK convention. */
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

export function functionEntry(name: string): string {
  return join(projectRoot, 'functions', name, 'handler.ts');
}

const loaded = new Map<string, Promise<unknown>>();

/** Imports `functions/<name>/handler.ts` once and returns its `handler` export. */
export async function loadHandler<T>(name: string): Promise<T> {
  let mod = loaded.get(name);
  if (!mod) {
    mod = import(pathToFileURL(functionEntry(name)).href);
    loaded.set(name, mod);
  }
  const m = (await mod) as { handler?: T };
  if (!m.handler) throw new Error(`functions/${name}/handler.ts exports no handler`);
  return m.handler;
}
