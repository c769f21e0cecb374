/** The authorizer package in tests: its prebuilt bundle, built once when a fresh clone has none. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLE_DIR, buildAuthorizerBundle } from '../../packages/authorizer/scripts/build.js';

/** The package's dist/bundle, built first when missing (the construct copies it into its asset). */
export async function ensureAuthorizerBundle(): Promise<string> {
  if (existsSync(join(BUNDLE_DIR, 'index.mjs'))) return BUNDLE_DIR;
  return buildAuthorizerBundle(BUNDLE_DIR, { keepExisting: true });
}
