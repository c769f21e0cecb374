/** Child processes of the local stack: the emulators, started on chosen ports and stopped cleanly. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export interface RunningProcess {
  name: string;
  url: string;
  /** Ends it (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** Ends it at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data after a stop or kill; resolves once it answers. */
  start(): Promise<void>;
  /** Freezes it (SIGSTOP): connections stay open and nothing answers. */
  pause(): void;
  /** Thaws it (SIGCONT). */
  resume(): void;
}

/** A port the stack was asked to use is taken by another process. */
export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly role: string,
  ) {
    super(
      `port ${port} is in use (${role}); stop the other process, or start on other ports with \`npm start -- --port <n>\` (the API on <n>, the emulators on the next three)`,
    );
    this.name = 'PortInUseError';
  }
}

/** Whether `port` can be bound on `host` right now. */
function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

/**
 * Fails with PortInUseError naming the first taken port, before anything starts. `host` is
 * where the part listens (DynamoDB Local listens on every interface: `0.0.0.0`).
 */
export async function assertPortsFree(
  ports: { port: number; role: string; host?: string }[],
): Promise<void> {
  for (const { port, role, host } of ports) {
    if (!(await portFree(port, host ?? '127.0.0.1'))) throw new PortInUseError(port, role);
  }
}

/** Every child process started and not yet ended; killed when this process exits. */
const liveChildren = new Set<ChildProcess>();

/** How many emulator processes of this process are running (tests check none is left). */
export function liveChildCount(): number {
  return liveChildren.size;
}

/** Ends every running child now (SIGKILL): the last resort on exit, so no emulator outlives us. */
export function killAllChildren(): void {
  for (const child of liveChildren) child.kill('SIGKILL');
}

/** Ends every running child gracefully (SIGTERM, then SIGKILL after 5 s). */
export async function stopAllChildren(): Promise<void> {
  await Promise.allSettled([...liveChildren].map((child) => stopper(child)()));
}

process.once('exit', killAllChildren);

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntil(
  name: string,
  probe: () => Promise<boolean>,
  child: ChildProcess,
  timeoutMs = 60_000,
) {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}`);
    try {
      if (await probe()) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} did not start within ${timeoutMs} ms`);
}

function ended(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function stopper(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (ended(child)) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      // A paused process would hold its SIGTERM until thawed.
      child.kill('SIGCONT');
      child.kill(signal);
    });
}

/** A process that can be stopped, killed, paused and started again on the same port. */
async function controllable(
  name: string,
  url: string,
  spawnChild: () => ChildProcess,
  probe: () => Promise<boolean>,
): Promise<RunningProcess> {
  let child = spawnChild();
  await waitUntil(name, probe, child);
  return {
    name,
    url,
    stop: () => stopper(child)(),
    kill: () => stopper(child, 'SIGKILL')(),
    async start() {
      if (!ended(child)) return;
      child = spawnChild();
      await waitUntil(name, probe, child);
    },
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
  };
}

function launch(
  name: string,
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; log?: boolean },
) {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: options.log ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'ignore', 'pipe'],
  });
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  child.once('error', () => liveChildren.delete(child));
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  child.once('exit', (code) => {
    // 130 and 143: ended by the Ctrl-C or SIGTERM that stops the stack, not a failure.
    if (code && code !== 130 && code !== 143 && stderr)
      process.stderr.write(`[${name}] exited ${code}: ${stderr}\n`);
  });
  return child;
}

/** AWS's DynamoDB Local (the jar shipped in amplify-dynamodb-simulator), run with Java. */
export async function startDynamoDbLocal(opts: {
  port: number;
  dataDir?: string;
  log?: boolean;
}): Promise<RunningProcess> {
  const emulator = join(
    dirname(require.resolve('amplify-dynamodb-simulator/package.json')),
    'emulator',
  );
  const storage = opts.dataDir ? ['-dbPath', opts.dataDir] : ['-inMemory'];
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const spawnChild = () =>
    launch(
      'dynamodb-local',
      'java',
      [
        `-Djava.library.path=${join(emulator, 'DynamoDBLocal_lib')}`,
        '-jar',
        join(emulator, 'DynamoDBLocal.jar'),
        ...storage,
        '-sharedDb',
        // It has no bind-address option (it listens on every interface); at least no web page
        // of another origin may call it from a browser.
        '-cors',
        'http://127.0.0.1',
        '-port',
        String(opts.port),
      ],
      { log: opts.log },
    );
  const url = `http://127.0.0.1:${opts.port}`;
  return controllable('DynamoDB Local', url, spawnChild, async () => {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.ListTables',
        authorization:
          'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x',
      },
      body: '{}',
    });
    return res.status < 500;
  });
}

/**
 * Sets the issuer cognito-local stamps in tokens (`<issuerDomain>/<poolId>`) in its config
 * file, keeping whatever else the file holds.
 */
function setIssuerDomain(dataDir: string, issuerDomain: string) {
  const dir = join(dataDir, '.cognito');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'config.json');
  const config = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>)
    : {};
  config.TokenConfig = {
    ...(config.TokenConfig as object | undefined),
    IssuerDomain: issuerDomain,
  };
  writeFileSync(file, JSON.stringify(config, null, 2));
}

/**
 * cognito-local; keeps its data under `<dataDir>/.cognito`. `issuerDomain` is the URL clients
 * reach it at (the password-policy proxy), so tokens name it as their issuer.
 */
export async function startCognitoLocal(opts: {
  port: number;
  dataDir: string;
  issuerDomain?: string;
  log?: boolean;
}): Promise<RunningProcess> {
  mkdirSync(opts.dataDir, { recursive: true });
  if (opts.issuerDomain) setIssuerDomain(opts.dataDir, opts.issuerDomain);
  const bin = join(
    dirname(require.resolve('cognito-local/package.json')),
    'lib',
    'bin',
    'start.js',
  );
  const spawnChild = () =>
    launch('cognito-local', process.execPath, [bin], {
      cwd: opts.dataDir,
      env: { PORT: String(opts.port), HOST: '127.0.0.1' },
      log: opts.log,
    });
  const url = `http://127.0.0.1:${opts.port}`;
  return controllable(
    'cognito-local',
    url,
    spawnChild,
    async () => (await fetch(`${url}/health`)).status < 500,
  );
}

/** The SES emulator with its mail viewer (`/`) and JSON store (`/store`). */
export async function startSesLocal(opts: {
  port: number;
  log?: boolean;
}): Promise<RunningProcess> {
  const bin = join(dirname(require.resolve('aws-ses-v2-local/package.json')), 'dist', 'cli.js');
  const spawnChild = () =>
    launch(
      'aws-ses-v2-local',
      process.execPath,
      [bin, '--host', '127.0.0.1', '--port', String(opts.port)],
      { log: opts.log },
    );
  const url = `http://127.0.0.1:${opts.port}`;
  return controllable(
    'SES emulator',
    url,
    spawnChild,
    async () => (await fetch(`${url}/store`)).ok,
  );
}
