/** `npx tsx bench/read-units-main.ts`: read units per decision alone (its own local stack), as JSON. */
import { benchReadUnits } from './read-units.js';
import { startBenchStack } from './stack.js';

const stack = await startBenchStack();
try {
  console.log(JSON.stringify(await benchReadUnits(stack), null, 2));
} finally {
  await stack.stop();
}
