/** Runs the invite benchmark on its own against a fresh local stack: `tsx bench/invites-main.ts [--json]`. */
import { benchInvites, formatInvites } from './invites.js';
import { startBenchStack } from './stack.js';

const stack = await startBenchStack();
try {
  const result = await benchInvites(stack);
  if (!result) throw new Error('POST /v1/tenants/{tenantId}/invites is not in the route table');
  if (process.argv.includes('--json')) console.log(JSON.stringify(result, null, 2));
  else console.log(formatInvites(result).join('\n'));
} finally {
  await stack.stop();
}
