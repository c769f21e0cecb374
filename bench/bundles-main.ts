/**
 * Runs the bundle and cold-start benchmark on its own (no emulator needed):
 * `tsx bench/bundles-main.ts [--quick] [--json] [--write] [--only authorizer,docs]`.
 * `--write` puts `bundles`, `coldStart` and their goal rows into bench/results.json (or
 * results.quick.json with --quick), leaving every other part of the file as it was.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../local/function-modules.js';
import { benchBundles, bundleGoals, formatBundles } from './bundles.js';

const quick = process.argv.includes('--quick');
const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex > 0 ? process.argv[onlyIndex + 1]?.split(',') : undefined;
const outDir = mkdtempSync(join(tmpdir(), 'gatehouse-bundles-'));
try {
  const result = await benchBundles({ quick, outDir, ...(only ? { only } : {}) });
  if (process.argv.includes('--json')) console.log(JSON.stringify(result, null, 2));
  else console.log(formatBundles(result).join('\n'));
  const goals = bundleGoals(result);
  for (const g of goals)
    console.log(`${g.met ? 'met ' : 'NOT '} ${g.goal}: ${g.actual} (${g.target})`);
  if (process.argv.includes('--write')) {
    if (only) throw new Error('--write records every function: leave out --only');
    const file = join(projectRoot, 'bench', quick ? 'results.quick.json' : 'results.json');
    const previous = existsSync(file)
      ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>)
      : {};
    // This part's rows are replaced (earlier runs named them differently); the rest stay.
    const kept = ((previous.goals ?? []) as { goal: string }[]).filter(
      (g) => !/bundle|cold start/.test(g.goal),
    );
    const written = {
      ...previous,
      bundles: result.bundles,
      coldStart: result.coldStart,
      bundlesTimestamp: new Date().toISOString(),
      goals: [...kept, ...goals],
    };
    writeFileSync(file, `${JSON.stringify(written, null, 2)}\n`);
    console.log(`wrote bundles and coldStart into ${file}`);
  }
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
