/** Runs the worst-case check benchmark on its own against a fresh local stack: `tsx bench/check-worst-main.ts [--quick] [--json]`. */
import { benchWorstCheck, formatWorstCheck } from './check-worst.js';
import { startBenchStack } from './stack.js';

const stack = await startBenchStack();
try {
  const result = await benchWorstCheck(stack, { quick: process.argv.includes('--quick') });
  if (process.argv.includes('--json')) console.log(JSON.stringify(result, null, 2));
  else console.log(formatWorstCheck(result).join('\n'));
} finally {
  await stack.stop();
}
