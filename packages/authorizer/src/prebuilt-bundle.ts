/**
 * Where the prebuilt authorizer bundle is, and the Lambda asset made of it plus the route map:
 * a staging directory holding `index.mjs`, its source map and `routes.json`, content-hashed by
 * CDK like any asset (a changed route map is a new asset, hence a new function version).
 */
import { copyFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROUTE_MAP_FILE, type RouteMapFile } from './route-map.js';

/** The bundle's file names (the Lambda handler is `index.handler`). */
export const BUNDLE_FILES = ['index.mjs', 'index.mjs.map'] as const;

/**
 * The directory of the prebuilt bundle: `dist/bundle` of the package, seen from the compiled
 * library (`dist/lib`) or from the source (`src`, inside the Gatehouse repository).
 */
export function prebuiltBundleDir(): string {
  const candidates = ['../bundle/', '../dist/bundle/'].map((rel) =>
    fileURLToPath(new URL(rel, import.meta.url)),
  );
  const found = candidates.find((dir) => existsSync(join(dir, 'index.mjs')));
  if (!found) {
    throw new Error(
      `GatehouseAuthorizer: no prebuilt authorizer bundle in ${candidates.join(' or ')}; build the package first (npm run build -w packages/authorizer)`,
    );
  }
  return found;
}

/** A fresh staging directory with the bundle and `routes.json`, for `Code.fromAsset`. */
export function stageAuthorizerAsset(routeMap: RouteMapFile, bundleDir = prebuiltBundleDir()) {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-authorizer-'));
  for (const file of BUNDLE_FILES) copyFileSync(join(bundleDir, file), join(dir, file));
  writeFileSync(join(dir, ROUTE_MAP_FILE), JSON.stringify(routeMap));
  return dir;
}
