/**
 * How every Gatehouse Lambda is bundled, in one place: CDK's NodejsFunction
 * (infra/constructs/api-function.ts), the bundle benchmark (bench/bundles.ts), the bundle tests
 * (test/infra/function-needs.test.ts, test/unit/observability.test.ts) and the prebuilt
 * authorizer package build with these options. Plain data and esbuild types only: importing this
 * module loads neither CDK nor esbuild.
 */
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';

/** The repository root, which BUNDLE_ALIASES are relative to. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Lets CommonJS dependencies call `require` inside an ESM bundle. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module';const require = createRequire(import.meta.url);";

/**
 * The SDK packages the Lambda runtime ships (nodejs22.x carries the AWS SDK for JavaScript v3):
 * what a bundle that uses the runtime's SDK leaves out.
 */
export const RUNTIME_SDK_EXTERNALS: readonly string[] = ['@aws-sdk/*', '@smithy/*'];

/**
 * Module replacements, relative to the project root (esbuild's working directory in CDK;
 * `lambdaBuildOptions` makes them absolute): the SDK's default credential chain becomes the environment's credentials, which is
 * all Lambda uses (infra/constructs/lambda-credentials.ts), and the event-stream codec, which no
 * operation Gatehouse calls uses, a stub that refuses (infra/constructs/no-event-streams.ts).
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': './infra/constructs/lambda-credentials.ts',
  '@smithy/core/event-streams': './infra/constructs/no-event-streams.ts',
};

/**
 * Where each function's AWS SDK comes from when deployed. Every function bundles its own: in the
 * bench (bench/results.json, `bundles.<fn>.sdkExternal`) loading the runtime's unbundled SDK
 * costs more cold start than it saves in size (each client's CommonJS build loads every command
 * of the service, and hundreds of files are resolved), and a bundled SDK is the version the
 * tests ran against. `runtime` stays possible per function (README, performance).
 */
export function sdkSource(_functionName: string): 'bundled' | 'runtime' {
  return 'bundled';
}

/**
 * Whether Node applies the source map at run time (`NODE_OPTIONS=--enable-source-maps`), which
 * makes stack traces read file:line of the TypeScript. Node reads and parses the whole map when it
 * loads the bundle: in the bench that is about 15% of the authorizer's cold start, which every
 * protected request on a cold container waits for. So the authorizer ships its map but leaves it
 * off (its faults are dependency errors, named without a trace); set
 * `NODE_OPTIONS=--enable-source-maps` on that function to read a trace. Every other function
 * keeps it on.
 */
export function sourceMapsAtRuntime(functionName: string): boolean {
  return functionName !== 'authorizer';
}

/** esbuild's options for one deployed function (entry and output are the caller's). */
export function lambdaBuildOptions(sdk: 'bundled' | 'runtime' = 'bundled') {
  return {
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    // The map only has to turn stack traces into file:line; sources would double its size.
    sourcemap: true,
    sourcesContent: false,
    // Absolute, so a build from another working directory (packages/) finds them too.
    alias: Object.fromEntries(
      Object.entries(BUNDLE_ALIASES).map(([from, to]) => [
        from,
        fileURLToPath(new URL(to, `file://${ROOT}`)),
      ]),
    ),
    external: sdk === 'runtime' ? [...RUNTIME_SDK_EXTERNALS] : [],
  } satisfies BuildOptions;
}
