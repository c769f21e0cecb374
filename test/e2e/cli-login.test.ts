/**
 * `gatehouse login` by browser against the local stack: the real CLI waits on its loopback
 * callback while a headless chromium signs in on the local OAuth page; then commands run on the
 * stored tokens. Wrong state, a refused sign-in and a timeout end with exit 4 and plain words.
 */
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI_CALLBACK_URL } from '#shared/config/stages.js';
import { launchBrowser } from '../support/browser.js';
import { type RunningCli, runCli, startCli } from '../support/cli-runner.js';
import { signInOnOAuthPage } from '../support/console-page.js';
import { createUser, stack, type TestUser } from '../support/stack-client.js';

const scratch = mkdtempSync(join(tmpdir(), 'gatehouse-cli-login-'));
const stackFile = join(scratch, 'stack.json');
writeFileSync(stackFile, JSON.stringify(stack));
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

/** Every login a test starts, stopped after it whatever happened. */
const running: RunningCli[] = [];
const login = (dir: string, args: string[], env?: NodeJS.ProcessEnv) => {
  const run = startCli(stackFile, dir, ['login', ...args], env);
  running.push(run);
  return run;
};

afterEach(() => {
  for (const run of running.splice(0)) run.stop();
});

afterAll(async () => {
  await browser?.close();
  rmSync(scratch, { recursive: true, force: true });
});

const slow = { timeout: 90_000 };
const SIGN_IN_URL = /^ {2}(http:\/\/\S+\/oauth2\/authorize\?\S+)$/m;

interface StoredSession {
  email: string;
  accessToken: string;
  refreshToken: string;
  expiresAt: string;
  oauth?: { issuer: string; tokenEndpoint: string };
}

function sessionIn(dir: string): StoredSession | undefined {
  const path = join(dir, 'credentials.json');
  if (!existsSync(path)) return undefined;
  const file = JSON.parse(readFileSync(path, 'utf8')) as {
    sessions: Record<string, StoredSession>;
  };
  return file.sessions[stack.apiUrl];
}

const newDir = () => mkdtempSync(join(scratch, 'config-'));

/** Signs `user` in on the page at `url` in a fresh browser context; the text the tab ends on. */
async function signInInBrowser(url: string, user: TestUser): Promise<string> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(url);
    await signInOnOAuthPage(page, user.email, user.password);
    await page.waitForURL(`${CLI_CALLBACK_URL}**`);
    return await page.locator('main').innerText();
  } finally {
    await context.close();
  }
}

/** The callback address with these query parameters (what the sign-in server would send). */
function callbackWith(params: Record<string, string>): string {
  const url = new URL(CLI_CALLBACK_URL);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.href;
}

describe('gatehouse login through the browser', slow, () => {
  it('signs in on the sign-in page, stores the tokens and later commands use them', async () => {
    const user = await createUser();
    const dir = newDir();
    const signIn = login(dir, ['--no-browser']);
    const [, url] = await signIn.stderrMatch(SIGN_IN_URL);
    const authorize = new URL(url as string);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('redirect_uri')).toBe(CLI_CALLBACK_URL);

    expect(await signInInBrowser(url as string, user)).toContain('You are signed in');
    const result = await signIn.done;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Logged in to ${stack.apiUrl} as ${user.email}.`);

    const session = sessionIn(dir);
    expect(session?.email).toBe(user.email);
    expect(session?.oauth?.tokenEndpoint).toBe(`${stack.apiUrl}/oauth2/token`);
    expect(statSync(join(dir, 'credentials.json')).mode & 0o777).toBe(0o600);
    const secrets = [session?.accessToken, session?.refreshToken] as string[];
    for (const secret of secrets) expect(result.stdout + result.stderr).not.toContain(secret);

    const whoami = await runCli(stackFile, dir, ['whoami', '--json']);
    expect(whoami.code).toBe(0);
    expect(JSON.parse(whoami.stdout)).toMatchObject({ userId: user.userId, email: user.email });
  });

  it('refreshes an expiring token at the token endpoint and keeps working', async () => {
    const user = await createUser();
    const dir = newDir();
    const signIn = login(dir, ['--no-browser']);
    const [, url] = await signIn.stderrMatch(SIGN_IN_URL);
    await signInInBrowser(url as string, user);
    expect((await signIn.done).code).toBe(0);

    const path = join(dir, 'credentials.json');
    const file = JSON.parse(readFileSync(path, 'utf8'));
    const before = file.sessions[stack.apiUrl].accessToken as string;
    file.sessions[stack.apiUrl].expiresAt = new Date(Date.now() - 1000).toISOString();
    writeFileSync(path, JSON.stringify(file));

    const whoami = await runCli(stackFile, dir, ['whoami']);
    expect(whoami.code).toBe(0);
    expect(whoami.stdout).toContain(user.email);
    const after = sessionIn(dir);
    expect(after?.accessToken).not.toBe(before);
    expect(Date.parse(after?.expiresAt ?? '')).toBeGreaterThan(Date.now());
    expect(whoami.stdout + whoami.stderr).not.toContain(after?.accessToken);
  });

  it('opens the browser named by $BROWSER with the sign-in address', async () => {
    const user = await createUser();
    const dir = newDir();
    const opened = join(scratch, 'opened-url.txt');
    const fakeBrowser = join(scratch, 'fake-browser.sh');
    writeFileSync(fakeBrowser, `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`);
    chmodSync(fakeBrowser, 0o755);
    const signIn = login(dir, [], { BROWSER: fakeBrowser });
    await signIn.stderrMatch(/Opening your browser/);
    await expect.poll(() => existsSync(opened)).toBe(true);
    const url = readFileSync(opened, 'utf8');
    expect(url).toMatch(/\/oauth2\/authorize\?/);
    await signInInBrowser(url, user);
    const result = await signIn.done;
    expect(result.code).toBe(0);
    expect(sessionIn(dir)?.email).toBe(user.email);
  });

  it('refuses a callback from another sign-in (wrong state): exit 4, nothing stored', async () => {
    const dir = newDir();
    const signIn = login(dir, ['--no-browser']);
    await signIn.stderrMatch(SIGN_IN_URL);
    const res = await fetch(callbackWith({ code: 'a-code-from-elsewhere', state: 'not-this-one' }));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Sign-in failed');
    const result = await signIn.done;
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('state mismatch');
    expect(result.stderr).not.toContain('a-code-from-elsewhere');
    expect(sessionIn(dir)).toBeUndefined();
  });

  it('reports a sign-in refused in the browser (access_denied): exit 4, nothing stored', async () => {
    const dir = newDir();
    const signIn = login(dir, ['--no-browser']);
    const [, url] = await signIn.stderrMatch(SIGN_IN_URL);
    const state = new URL(url as string).searchParams.get('state') as string;
    const res = await fetch(
      callbackWith({ error: 'access_denied', error_description: 'User cancelled', state }),
    );
    expect(res.status).toBe(400);
    const result = await signIn.done;
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('Sign-in was cancelled or refused in the browser.');
    expect(sessionIn(dir)).toBeUndefined();
  });

  it('gives up after --timeout with a plain message and frees the callback port', async () => {
    const dir = newDir();
    const result = await runCli(stackFile, dir, ['login', '--no-browser', '--timeout', '1']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('error: Sign-in was not finished within 1 s.');
    expect(sessionIn(dir)).toBeUndefined();
    // The one-shot receiver is gone: nothing answers on the callback port any more.
    await expect(fetch(CLI_CALLBACK_URL)).rejects.toThrow();
  });

  it('says so when the callback port is taken, instead of waiting for nothing', async () => {
    const taken = createServer((_req, res) => res.end('someone else'));
    await new Promise<void>((resolve) =>
      taken.listen(Number(new URL(CLI_CALLBACK_URL).port), '127.0.0.1', resolve),
    );
    try {
      const result = await runCli(stackFile, newDir(), ['login', '--no-browser']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('Port 8765 on this machine is in use');
      expect(result.stderr).not.toContain('/oauth2/authorize');
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('reads the sign-in settings from the console on the API origin when only the API is known', async () => {
    const user = await createUser();
    const dir = newDir();
    const apiOnly = join(scratch, 'api-only.json');
    writeFileSync(apiOnly, JSON.stringify({ apiUrl: stack.apiUrl }));
    const signIn = startCli(apiOnly, dir, ['login', '--no-browser']);
    running.push(signIn);
    const [, url] = await signIn.stderrMatch(SIGN_IN_URL);
    await signInInBrowser(url as string, user);
    expect((await signIn.done).code).toBe(0);
    expect(sessionIn(dir)?.email).toBe(user.email);
    const whoami = await runCli(apiOnly, dir, ['whoami']);
    expect(whoami.code).toBe(0);
    expect(whoami.stdout).toContain(user.email);
  });
});
