/** Runs the ACL benchmark on its own and prints a table: `tsx bench/acl-main.ts [--quick] [--json]`. */

import { spawnSync } from 'node:child_process';
import { type AclBenchResult, benchAcl, type EngineResult } from './acl.js';

/** Formats the ACL benchmark result as a fixed-width table with one row per engine. */
export function formatAclTable(result: AclBenchResult): string {
  const header = [
    'engine',
    'checks/s',
    'p50 us',
    'p99 us',
    'build ms',
    'heap MB',
    'timed',
    'rules',
  ];
  const rows: string[][] = [header];
  const num = (n: number) => n.toLocaleString('en-US');
  for (const [name, e] of Object.entries(result.engines) as [string, EngineResult | undefined][]) {
    if (e === undefined) continue;
    rows.push([
      name,
      num(e.checksPerSec),
      e.p50us.toFixed(3),
      e.p99us.toFixed(3),
      num(e.buildMs),
      e.heapMb.toFixed(1),
      num(e.checksTimed),
      num(e.rules),
    ]);
  }
  const widths = header.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((cell, col) =>
        col === 0 ? cell.padEnd(widths[col] ?? 0) : cell.padStart(widths[col] ?? 0),
      )
      .join('  ');
  const out = [
    `ACL: ${num(result.rules)} rules, ${num(result.users)} users, ${num(result.groups)} groups, ` +
      `${num(result.queries)} queries (${(result.allowRate * 100).toFixed(1)}% allowed), ` +
      `all engines agree with the reference on ${result.agreementSample} decisions`,
    line(header),
    ...rows.slice(1).map(line),
    '',
    ...Object.entries(result.engines).flatMap(([name, e]) =>
      e?.note === undefined ? [] : [`  ${name}: ${e.note}`],
    ),
  ];
  return out.join('\n');
}

if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
  // Heap deltas need full collections: run again with --expose-gc (tsx's loader flags kept).
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', ...process.execArgv, ...process.argv.slice(1)],
    { stdio: 'inherit' },
  );
  process.exit(child.status ?? 1);
}
const quick = process.argv.includes('--quick');
const result = await benchAcl({ quick });
if (process.argv.includes('--json')) console.log(JSON.stringify(result, null, 2));
else console.log(formatAclTable(result));
