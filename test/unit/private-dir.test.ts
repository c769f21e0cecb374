/** The local stack's state directory (bootstrap password inside) is private to its owner. */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensurePrivateDir, writePrivateFile } from '../../local/private-dir.js';

const scratch = mkdtempSync(join(tmpdir(), 'gatehouse-private-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const mode = (path: string) => statSync(path).mode & 0o777;

describe('the local state directory', () => {
  it('is created 0700, and an existing 0755 one (an older run) is narrowed to 0700', () => {
    const fresh = join(scratch, 'fresh', '.local');
    ensurePrivateDir(fresh);
    expect(mode(fresh)).toBe(0o700);
    const old = join(scratch, 'old');
    mkdirSync(old, { mode: 0o755 });
    expect(mode(old)).toBe(0o755);
    ensurePrivateDir(old);
    expect(mode(old)).toBe(0o700);
  });

  it('writes stack.json 0600, narrowing a world-readable file left by an older run', () => {
    const file = join(scratch, 'stack.json');
    writeFileSync(file, '{}', { mode: 0o644 });
    writePrivateFile(file, '{"bootstrap":{}}');
    expect(mode(file)).toBe(0o600);
  });
});
