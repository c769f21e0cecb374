/** Runs the console benchmark on its own against a fresh local stack: `tsx bench/console-main.ts [--quick] [--json]`. */
import { benchConsole, formatConsole } from './console.js';
import { startBenchStack } from './stack.js';

const stack = await startBenchStack({ console: true });
try {
  const result = await benchConsole(stack, { quick: process.argv.includes('--quick') });
  if (process.argv.includes('--json')) console.log(JSON.stringify(result, null, 2));
  else console.log(formatConsole(result).join('\n'));
} finally {
  await stack.stop();
}
