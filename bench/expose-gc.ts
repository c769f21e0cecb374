/** The re-exec with `--expose-gc` that the scripts measuring heap run first (kept light: no imports but child_process). */
import { spawnSync } from 'node:child_process';

/**
 * Heap figures need full collections: without `--expose-gc`, runs this script again with it
 * (tsx's loader flags kept) and exits with the child's status.
 */
export function reexecWithGc(): void {
  if (typeof (globalThis as { gc?: unknown }).gc === 'function') return;
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', ...process.execArgv, ...process.argv.slice(1)],
    { stdio: 'inherit' },
  );
  process.exit(child.status ?? 1);
}
