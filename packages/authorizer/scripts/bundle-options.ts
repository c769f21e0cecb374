/**
 * The esbuild options of the prebuilt authorizer bundle: the same as CDK's NodejsFunction gets
 * for every Gatehouse function (infra/constructs/api-function.ts), written out for esbuild.
 * This is the one place to point at a shared definition when the repository has one.
 */
import type { BuildOptions } from 'esbuild';

/** Lets CommonJS dependencies call `require` inside an ESM bundle. */
const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module';const require = createRequire(import.meta.url);";

export const AUTHORIZER_BUNDLE_OPTIONS: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  mainFields: ['module', 'main'],
  banner: { js: ESM_REQUIRE_BANNER },
  target: 'node22',
  minify: true,
  sourcemap: true,
  // The map only has to turn stack traces into file:line; sources would double its size.
  sourcesContent: false,
  // The SDK versions the tests ran against, not whatever the runtime carries: nothing external.
  external: [],
  logLevel: 'warning',
};
