/**
 * Builds @gatehouse/authorizer: the prebuilt authorizer bundle (dist/bundle/index.mjs and its
 * source map, from functions/authorizer/handler.ts) and the construct library (dist/lib, ESM
 * with declarations). `npm run build -w packages/authorizer`; `npm pack` runs it (prepack).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { AUTHORIZER_BUNDLE_OPTIONS } from './bundle-options.js';

export const PACKAGE_DIR = fileURLToPath(new URL('../', import.meta.url));
export const REPO_ROOT = join(PACKAGE_DIR, '../..');
export const BUNDLE_DIR = join(PACKAGE_DIR, 'dist/bundle');
/** Gatehouse's authorizer entry (infra/stacks/api-stack.ts AUTHORIZER_ENTRY). */
const AUTHORIZER_ENTRY = 'functions/authorizer/handler.ts';

/**
 * Bundles the authorizer into `outDir` (index.mjs, index.mjs.map). Written beside and renamed
 * into place, so a reader never sees half a bundle; with `keepExisting` a bundle another
 * process finished meanwhile is kept.
 */
export async function buildAuthorizerBundle(
  outDir = BUNDLE_DIR,
  { keepExisting = false } = {},
): Promise<string> {
  const temp = `${outDir}.tmp-${process.pid}`;
  rmSync(temp, { recursive: true, force: true });
  await build({
    ...AUTHORIZER_BUNDLE_OPTIONS,
    absWorkingDir: REPO_ROOT,
    entryPoints: [AUTHORIZER_ENTRY],
    outfile: join(temp, 'index.mjs'),
  });
  if (keepExisting && existsSync(join(outDir, 'index.mjs'))) {
    rmSync(temp, { recursive: true, force: true });
    return outDir;
  }
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, '..'), { recursive: true });
  renameSync(temp, outDir);
  return outDir;
}

/** Compiles src/ to dist/lib (JS and .d.ts). */
export function buildLibrary(): void {
  rmSync(join(PACKAGE_DIR, 'dist/lib'), { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    { cwd: PACKAGE_DIR, stdio: 'inherit' },
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildAuthorizerBundle();
  buildLibrary();
}
