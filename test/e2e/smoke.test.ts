/**
 * `npm run smoke` against the test stack, as CI runs it: the script reads a stack.json, runs the
 * end-to-end contract over HTTP and Cognito, and exits 0 only when every step passed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../local/function-modules.js';
import { stack } from '../support/stack-client.js';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runSmoke(stackFile: string): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'ops/smoke.ts', '--stack', stackFile], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SMOKE_ADMIN_EMAIL: '', SMOKE_ADMIN_PASSWORD: '' },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out, err })));
}

describe('npm run smoke', () => {
  it('passes every step against the test stack and cleans up after itself', async () => {
    const file = join(dir, 'stack.json');
    writeFileSync(file, JSON.stringify(stack));
    const { code, out, err } = await runSmoke(file);
    expect(code, `${out}\n${err}`).toBe(0);
    for (const step of [
      'sign in as',
      'create tenant smoke-',
      'accept the mailed invite',
      'grant read on smoke:service/app (sent as smoke%3Aservice%2Fapp)',
      'check: allowed below the grant',
      'forced logout',
      'API token',
      'CORS: a preflight from an allowed origin',
      'unknown route',
      'delete service account',
      'revoke the grant',
      'remove member',
      'delete the Cognito user',
    ]) {
      expect(out).toMatch(new RegExp(`^ok {4}${step.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
    }
    expect(out).not.toContain('FAIL');
    expect(out).toMatch(/(\d+) of \1 steps passed/);
  }, 120_000);

  it('names the missing field of a stack file before sending anything', async () => {
    const file = join(dir, 'broken.json');
    const { clientId: _dropped, ...cognito } = stack.cognito;
    writeFileSync(file, JSON.stringify({ ...stack, cognito }));
    const { code, err } = await runSmoke(file);
    expect(code).toBe(2);
    expect(err).toContain('cognito.clientId');
  }, 60_000);
});
