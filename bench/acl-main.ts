/** Runs the ACL benchmark on its own and prints a table: `tsx bench/acl-main.ts [--quick] [--json]`. */

import { spawnSync } from 'node:child_process';
import { benchAcl, formatAclTable } from './acl.js';

if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
  // Heap deltas need full collections: run again with --expose-gc (tsx's loader flags kept).
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', ...process.execArgv, ...process.argv.slice(1)],
    { stdio: 'inherit' },
  );
  process.exit(child.status ?? 1);
}
const quick = process.argv.includes('--quick');
const result = await benchAcl({ quick });
if (process.argv.includes('--json')) console.log(JSON.stringify(result, null, 2));
else console.log(formatAclTable(result));
