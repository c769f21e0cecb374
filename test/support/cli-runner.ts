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
 * target from the environment (TARGET_ENV).
 */
export function runCli(
  stackFile: string,
  configDir: string,
  args: string[],
  input?: string,
): Promise<CliRun> {
  return startCli(stackFile, configDir, args, {}, input).done;
}

/** What would point the CLI elsewhere than the test stack, or open a real browser. */
const TARGET_ENV = [
  'GATEHOUSE_API_URL',
  'GATEHOUSE_TENANT',
  'GATEHOUSE_STACK',
  'GATEHOUSE_ISSUER',
  'GATEHOUSE_USER_POOL_ID',
  'GATEHOUSE_CALLBACK_URL',
  'BROWSER',
];

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
  input?: string,
): RunningCli {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of TARGET_ENV) delete env[name];
  Object.assign(env, { GATEHOUSE_CONFIG_DIR: configDir }, extraEnv);
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
  child.stdin.end(input);
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
