/**
 * Operator command, once after deploying the two-item decision read (issue 19): writes the
 * policy-version shards of tenants created before them, and folds the tenant floor and the
 * user's sign-out stamp into member items written before (format 2). Until then those decisions
 * are correct but read a second batch (the policy item, the two stamp items). Safe to run while
 * the service runs, and again. Reads the table from the environment (TABLE_NAME, AWS_REGION,
 * DYNAMODB_ENDPOINT); against `npm start`, the endpoint and table are in .local/stack.json.
 *
 *   npx tsx ops/backfill-decision-items.ts [<tenantId> ...]    (no id: every tenant, by a Scan)
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { stack: { type: 'string', default: '.local/stack.json' } },
});
// Local convenience: without DYNAMODB_ENDPOINT, use the running `npm start` stack if there is one.
if (!process.env.DYNAMODB_ENDPOINT && values.stack && existsSync(values.stack)) {
  const stack = JSON.parse(readFileSync(values.stack, 'utf8')) as {
    dynamodb: { endpoint: string; region: string; tableName: string };
  };
  process.env.DYNAMODB_ENDPOINT = stack.dynamodb.endpoint;
  process.env.AWS_REGION = stack.dynamodb.region;
  process.env.TABLE_NAME = stack.dynamodb.tableName;
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
}
const { appDeps } = await import('#shared/app/deps.js');
const { allTenantIds, backfillTenant } = await import('#shared/sessions/decision-backfill.js');
const deps = appDeps();
const tenantIds = positionals.length > 0 ? positionals : await allTenantIds(deps);
for (const tenantId of tenantIds) {
  console.log(JSON.stringify(await backfillTenant(deps, tenantId)));
}
