/**
 * `npm start` fails clearly and cleanly: a taken port is named before anything starts, and a
 * start that fails after the emulators are up stops every one of them.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../local/function-modules.js';
import { freePort, liveChildCount, PortInUseError } from '../../local/processes.js';
import { startStack } from '../../local/stack.js';

async function hold(port: number): Promise<Server> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return server;
}

/** Whether something accepts connections on 127.0.0.1:`port`. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createServer().listen(port, '127.0.0.1');
    socket.once('listening', () => socket.close(() => resolve(false)));
    socket.once('error', () => resolve(true));
  });
}

/** Whether a connection to 127.0.0.1:`port` is accepted (probes without taking the port). */
function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-start-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * A port below the system's ephemeral range (32768 and up) with the next `count - 1` free as
 * well: a port `listen(0)` handed out may see its neighbours taken by outgoing connections.
 */
async function quietPorts(count: number): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const base = 20_000 + Math.floor(Math.random() * 10_000);
    const taken = await Promise.all(Array.from({ length: count }, (_, k) => listening(base + k)));
    if (!taken.some(Boolean)) return base;
  }
  throw new Error(`no ${count} free ports in a row below 30000`);
}

describe('npm start', () => {
  it('names a taken port and starts nothing', async () => {
    // four free ports in a row, below the ephemeral range so no connection takes one mid-test;
    // hold the Cognito one
    const api = await quietPorts(4);
    const busy = await hold(api + 2).catch(() => undefined);
    if (!busy) throw new Error(`port ${api + 2} was taken by someone else; run again`);
    try {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'local/start.ts', '--port', String(api), '--dir', tempDir()],
        { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      expect(code).toBe(1);
      expect(stderr).toContain(`port ${api + 2} is in use (Cognito endpoint)`);
      expect(stderr).toContain('--port');
      // nothing started: neither the API nor DynamoDB Local nor the SES emulator listens
      for (const port of [api, api + 1, api + 3]) expect(await listening(port)).toBe(false);
    } finally {
      busy.close();
    }
  });

  it('rejects with PortInUseError naming the part, before starting any emulator', async () => {
    const port = await freePort();
    const busy = await hold(port);
    try {
      const started = startStack({ dir: tempDir(), ports: { ses: port } });
      await expect(started).rejects.toBeInstanceOf(PortInUseError);
      await expect(started).rejects.toThrow(
        `port ${port} is in use (SES emulator and mail viewer)`,
      );
      expect(liveChildCount()).toBe(0);
    } finally {
      busy.close();
    }
  });

  it('stops every emulator it started when the start fails later', async () => {
    const dynamodb = await freePort();
    const failing = startStack({
      dir: tempDir(),
      ports: { dynamodb },
      extraApis: async () => {
        expect(liveChildCount()).toBe(3); // the emulators are up when this fails
        throw new Error('an extra API failed to load');
      },
    });
    await expect(failing).rejects.toThrow('an extra API failed to load');
    expect(liveChildCount()).toBe(0);
    expect(await listening(dynamodb)).toBe(false);
  }, 120_000);

  it('stops the emulators already started when interrupted (SIGINT) during the start', async () => {
    // All four ports free before the start, so what answers on the SES port below is the child's
    // emulator (another process's would make the test interrupt the child before it even ran).
    let api = await freePort();
    for (let tries = 0; tries < 20; tries++) {
      const taken = await Promise.all([1, 2, 3].map((i) => listening(api + i)));
      if (!taken.some(Boolean)) break;
      api = await freePort();
    }
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'local/start.ts', '--port', String(api), '--dir', tempDir()],
      { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    // interrupt once the SES emulator (the quickest to start) is up, before the stack is ready
    const deadline = Date.now() + 60_000;
    // Probed by connecting, not by binding: a bind probe could take the port from the emulator.
    while (!(await accepting(api + 3)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await accepting(api + 3)).toBe(true);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    for (const port of [api, api + 1, api + 3]) expect(await listening(port)).toBe(false);
  }, 120_000);
});
