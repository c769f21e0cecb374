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

/** A CLI run still going: read its stderr as it comes, wait for it to end. */
export interface RunningCli {
  /** Resolves with the first match of `pattern` in stderr so far or to come. */
  stderrMatch(pattern: RegExp): Promise<RegExpExecArray>;
  done: Promise<CliRun>;
  /** Ends the run if it is still going (a failed test must not leave it holding a port). */
  stop(): void;
}

/** Starts `gatehouse --stack <stackFile> ...args` like `runCli`, without waiting for it. */
export function startCli(
  stackFile: string,
  configDir: string,
  args: string[],
  extraEnv: NodeJS.ProcessEnv = {},
): RunningCli {
  const env: NodeJS.ProcessEnv = { ...process.env, GATEHOUSE_CONFIG_DIR: configDir, ...extraEnv };
  for (const name of ['GATEHOUSE_API_URL', 'GATEHOUSE_TENANT', 'GATEHOUSE_STACK']) delete env[name];
  const child = spawn(process.execPath, [bin, '--stack', stackFile, ...args], { env });
  let stdout = '';
  let stderr = '';
  let ended = false;
  const waiters: (() => void)[] = [];
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
    for (const wake of waiters.splice(0)) wake();
  });
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      ended = true;
      for (const wake of waiters.splice(0)) wake();
      resolve({ code, stdout, stderr });
    });
  });
  child.stdin.end();
  return {
    done,
    stop() {
      if (!ended) child.kill();
    },
    stderrMatch(pattern) {
      return new Promise((resolve, reject) => {
        const look = () => {
          const match = pattern.exec(stderr);
          if (match) return resolve(match);
          if (ended) return reject(new Error(`CLI ended without ${pattern}; stderr: ${stderr}`));
          waiters.push(look);
        };
        look();
      });
    },
  };
}
