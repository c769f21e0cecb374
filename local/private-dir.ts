/**
 * The local stack's state directory holds secrets (the bootstrap superuser's password in
 * `stack.json` and `state.json`): only its owner may read it, whatever umask or older run made it.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';

/** Creates `dir` with mode 0700, or narrows an existing one to 0700. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/** Writes a file readable by its owner only (0600), narrowing an existing file too. */
export function writePrivateFile(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}
