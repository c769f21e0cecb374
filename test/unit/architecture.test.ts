/**
 * The shape of the code, kept: only the storage layer speaks DynamoDB, folders of shared/ import
 * in one direction, handlers take no untyped input, and no source file (the console's included)
 * grows past 400 lines.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return sources(path);
    return /\.(ts|tsx|mts)$/.test(name) ? [path] : [];
  });
}

const PRODUCT = ['shared', 'functions', 'infra', 'local', 'cli', 'ops'];
const files = PRODUCT.flatMap(sources);
const text = (file: string) => readFileSync(join(root, file), 'utf8');

describe('architecture', () => {
  it('lets only shared/store import a DynamoDB SDK package', () => {
    const offenders = files.filter(
      (f) =>
        !f.startsWith(join('shared', 'store')) &&
        /from '@aws-sdk\/(client-dynamodb|lib-dynamodb|util-dynamodb|client-dynamodb-streams)'/.test(
          text(f),
        ),
    );
    expect(offenders).toEqual([]);
  });

  it('has no two folders of shared/ importing each other', () => {
    const edges = new Set<string>();
    for (const f of files.filter((f) => f.startsWith('shared'))) {
      const from = f.split(/[\\/]/)[1];
      for (const m of text(f).matchAll(/'#shared\/([a-z-]+)\//g)) {
        if (m[1] !== from) edges.add(`${from} -> ${m[1]}`);
      }
    }
    const cycles = [...edges].filter((e) => {
      const [a = '', b = ''] = e.split(' -> ');
      return a < b && edges.has(`${b} -> ${a}`);
    });
    expect(cycles).toEqual([]);
  });

  it('gives handlers typed input: no `any` in the HTTP adapter, no casts of path parameters', () => {
    expect(text(join('shared', 'http', 'api-handler.ts'))).not.toMatch(/:\s*any\b/);
    const casts = sources('functions').filter((f) => /String\(params\./.test(text(f)));
    expect(casts).toEqual([]);
  });

  it('keeps every source file under 400 lines', () => {
    // The console's too, but not the API types generated from the OpenAPI document.
    const consoleFiles = sources(join('console', 'src')).filter((f) => !f.endsWith('schema.d.ts'));
    const long = [...files, ...consoleFiles]
      .map((f) => ({ file: relative(root, join(root, f)), lines: text(f).split('\n').length }))
      .filter((f) => f.lines > 400);
    expect(long).toEqual([]);
  });
});
