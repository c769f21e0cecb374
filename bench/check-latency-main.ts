/** Runs the check-latency benchmark on its own against a fresh local stack: `tsx bench/check-latency-main.ts [--quick] [--json]`. */
import { benchCheckLatency, formatCheckLatency } from './check-latency.js';
import { startBenchStack } from './stack.js';

const stack = await startBenchStack();
try {
  const result = await benchCheckLatency(stack, { quick: process.argv.includes('--quick') });
  if (process.argv.includes('--json')) console.log(JSON.stringify(result, null, 2));
  else console.log(formatCheckLatency(result).join('\n'));
} finally {
  await stack.stop();
}
