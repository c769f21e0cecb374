/**
 * Operator command: raise (or lower) a tenant's invite-mail limits, which tenant admins cannot
 * change. Reads the table from the environment (TABLE_NAME, AWS_REGION, DYNAMODB_ENDPOINT);
 * against `npm start`, the endpoint and table are in .local/stack.json.
 *
 *   npm run tenant-limits -- <tenantId> [--mails-per-hour <n>] [--mails-per-day <n>]
 *   npm run tenant-limits -- --user <sub> --tenants-per-day <n>
 */
import { parseArgs } from 'node:util';
import { useLocalStackTable } from './local-table-env.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    'mails-per-hour': { type: 'string' },
    'mails-per-day': { type: 'string' },
    user: { type: 'string' },
    'tenants-per-day': { type: 'string' },
    stack: { type: 'string', default: '.local/stack.json' },
  },
});
const [tenantId] = positionals;
const forUser = values.user !== undefined && values['tenants-per-day'] !== undefined;
if (!forUser && (!tenantId || (!values['mails-per-hour'] && !values['mails-per-day']))) {
  console.error(
    'usage: npm run tenant-limits -- <tenantId> [--mails-per-hour <n>] [--mails-per-day <n>]\n' +
      '       npm run tenant-limits -- --user <sub> --tenants-per-day <n>',
  );
  process.exit(2);
}
// Local convenience: without DYNAMODB_ENDPOINT, use the running `npm start` stack if there is one.
useLocalStackTable(values.stack);
const { appDeps } = await import('#shared/app/deps.js');
const { setTenantLimits, setUserTenantCap } = await import('#shared/limits/mail-limits.js');
const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
if (forUser) {
  await setUserTenantCap(appDeps(), String(values.user), Number(values['tenants-per-day']));
  console.log(
    JSON.stringify({ userId: values.user, tenantsPerDay: Number(values['tenants-per-day']) }),
  );
  process.exit(0);
}
if (!tenantId) process.exit(2);
const limits = await setTenantLimits(appDeps(), tenantId, {
  ...(values['mails-per-hour'] ? { mailsPerHour: num(values['mails-per-hour']) } : {}),
  ...(values['mails-per-day'] ? { mailsPerDay: num(values['mails-per-day']) } : {}),
});
console.log(JSON.stringify({ tenantId, ...limits }));
