import { benchAcl } from './bench/acl.js';
process.stderr.write('start\n');
const r = await benchAcl({ quick: true });
process.stderr.write('returned\n');
console.log(JSON.stringify(r.engines.gatehouse));
