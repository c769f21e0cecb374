/** Runs the authorizer-package benchmark on its own against a fresh local stack: `tsx bench/package-main.ts [--quick] [--json]`. */
import { benchPackage, formatPackage } from './package.js';
import { startBenchStack } from './stack.js';

const stack = await startBenchStack();
try {
  const result = await benchPackage(stack, { quick: process.argv.includes('--quick') });
  if (process.argv.includes('--json')) console.log(JSON.stringify(result, null, 2));
  else console.log(formatPackage(result).join('\n'));
} finally {
  await stack.stop();
}
