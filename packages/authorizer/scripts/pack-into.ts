/**
 * `npm run pack-authorizer`: packs @gatehouse/authorizer (prepack builds it) into a directory
 * as `gatehouse-authorizer.tgz`, the stable name a consumer's `file:` dependency points at.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PACKAGE_DIR } from './build.js';

export const TARBALL_NAME = 'gatehouse-authorizer.tgz';

/** Packs the package into `destination`; returns the tarball's path and size in bytes. */
export function packAuthorizer(destination: string): { path: string; bytes: number } {
  const dir = resolve(destination);
  mkdirSync(dir, { recursive: true });
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], {
    cwd: PACKAGE_DIR,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [packed] = JSON.parse(out) as { filename: string }[];
  if (!packed) throw new Error('npm pack reported no tarball');
  const path = join(dir, TARBALL_NAME);
  renameSync(join(dir, packed.filename), path);
  return { path, bytes: statSync(path).size };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const destination = process.argv[2];
  if (!destination) throw new Error('usage: tsx packages/authorizer/scripts/pack-into.ts <dir>');
  const { path, bytes } = packAuthorizer(destination);
  process.stdout.write(`${path} (${(bytes / 1024).toFixed(1)} KiB)\n`);
}
