/**
 * Operator command, once after deploying the two-item decision read (issue 19) or member format
 * 3: writes the policy-version shards of tenants created before them, and upgrades member items
 * written before to format 3 (format 1: fold the tenant floor and the user's sign-out stamp in and
 * pack the rules; format 2: pack the rules). Until then those decisions are correct but read a
 * second batch (the policy item, the two stamp items) or a larger member item. Safe to run while
 * the service runs, and again. Prints `{ tenantId, shards, folded, packed, current }` per tenant. Reads the table from the environment (TABLE_NAME, AWS_REGION,
 * DYNAMODB_ENDPOINT); against `npm start`, the endpoint and table are in .local/stack.json.
 *
 *   npm run backfill-decision-items -- [<tenantId> ...]    (no id: every tenant, by a Scan)
 */
import { parseArgs } from 'node:util';
import { useLocalStackTable } from './local-table-env.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { stack: { type: 'string', default: '.local/stack.json' } },
});
// Local convenience: without DYNAMODB_ENDPOINT, use the running `npm start` stack if there is one.
useLocalStackTable(values.stack);
const { appDeps } = await import('#shared/app/deps.js');
const { allTenantIds, backfillTenant } = await import('#shared/sessions/decision-backfill.js');
const deps = appDeps();
const tenantIds = positionals.length > 0 ? positionals : await allTenantIds(deps);
for (const tenantId of tenantIds) {
  console.log(JSON.stringify(await backfillTenant(deps, tenantId)));
}
