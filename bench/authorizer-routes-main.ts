/** Runs the route-map and REST/HTTP form benchmark alone against a fresh local stack: `tsx bench/authorizer-routes-main.ts [--quick] [--json]`. */
import { benchAuthorizerRoutes, formatAuthorizerRoutes } from './authorizer-routes.js';
import { startBenchStack } from './stack.js';

const stack = await startBenchStack();
try {
  const result = await benchAuthorizerRoutes(stack, { quick: process.argv.includes('--quick') });
  if (process.argv.includes('--json')) console.log(JSON.stringify(result, null, 2));
  else console.log(formatAuthorizerRoutes(result).join('\n'));
} finally {
  await stack.stop();
}
