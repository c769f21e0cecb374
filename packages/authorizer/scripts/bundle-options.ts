/**
 * The esbuild options of the prebuilt authorizer bundle: exactly those every deployed Gatehouse
 * function gets (infra/constructs/bundling.ts), so the packaged authorizer is the one the
 * repository's tests and bench measure. A build script only: nothing of it ships in the package.
 */
import type { BuildOptions } from 'esbuild';
import { lambdaBuildOptions, sdkSource } from '../../../infra/constructs/bundling.js';

export const AUTHORIZER_BUNDLE_OPTIONS: BuildOptions = {
  ...lambdaBuildOptions(sdkSource('authorizer')),
  logLevel: 'warning',
};
