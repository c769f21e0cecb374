/** Runs the `gatehouse` CLI as a subprocess (a fresh Node process each time) against a stack file. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'gatehouse.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `gatehouse --stack <stackFile> ...args` with its own config dir, `input` on stdin, and no
 * target from the environment (GATEHOUSE_API_URL, GATEHOUSE_TENANT, GATEHOUSE_STACK).
 */
export function runCli(
  stackFile: string,
  configDir: string,
  args: string[],
  input?: string,
): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, GATEHOUSE_CONFIG_DIR: configDir };
  for (const name of ['GATEHOUSE_API_URL', 'GATEHOUSE_TENANT', 'GATEHOUSE_STACK']) delete env[name];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, '--stack', stackFile, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}
