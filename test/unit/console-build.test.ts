/** The console's build: its types follow the OpenAPI document, and its first load stays small. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildConsole, generatedSchema, SCHEMA_FILE } from '../../console/build.js';

const outDir = mkdtempSync(join(tmpdir(), 'gatehouse-console-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('console build', () => {
  it('has its API types generated from the current OpenAPI document', async () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(await generatedSchema());
  });

  it('loads each page with at most 200 KiB of compressed JavaScript, under hashed names', async () => {
    const built = await buildConsole({ outDir });
    for (const [name, page] of Object.entries(built.pages)) {
      expect(page.jsGzipBytes, name).toBeLessThanOrEqual(200 * 1024);
      expect(page.html).toMatch(/src="\/console\/assets\/[\w]+-[A-Z0-9]{8}\.js"/);
    }
  });
});
