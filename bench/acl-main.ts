/** Runs the ACL benchmark on its own and prints a table: `tsx bench/acl-main.ts [--quick] [--json]`. */

import { benchAcl, formatAclTable } from './acl.js';
import { reexecWithGc } from './expose-gc.js';

reexecWithGc();
const quick = process.argv.includes('--quick');
const result = await benchAcl({ quick });
if (process.argv.includes('--json')) console.log(JSON.stringify(result, null, 2));
else console.log(formatAclTable(result));
