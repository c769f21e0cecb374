/** `gatehouse login`, `logout` and `whoami`: the caller's own session. */
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { type Command, InvalidArgumentError } from 'commander';
import { signIn } from '../auth.js';
import { browserSignIn } from '../browser-login.js';
import { contextOf } from '../context.js';
import { forgetSession, loadSession, type StoredSession, saveSession } from '../credentials.js';
import { notLoggedIn, usageError } from '../errors.js';
import { emit, renderFields, renderTable } from '../output.js';

interface LoginOptions {
  email?: string;
  password?: string;
  passwordStdin?: boolean;
  bootstrap?: boolean;
  browser: boolean;
  timeout: number;
}

/** Any password option makes `login` a password sign-in (scripts, the local stack's tooling). */
const wantsPassword = (opts: LoginOptions) =>
  opts.email !== undefined ||
  opts.password !== undefined ||
  Boolean(opts.passwordStdin) ||
  Boolean(opts.bootstrap);

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 3600) {
    throw new InvalidArgumentError('a whole number of seconds from 1 to 3600');
  }
  return n;
}

/** Standard input as lines: the password, and the new one for a first sign-in. */
async function readStdinLines(): Promise<string[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/);
}

/** Asks on the terminal; `hidden` keeps the answer off the screen (passwords). */
async function prompt(question: string, hidden = false): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, encoding, done) {
      if (!muted) process.stderr.write(chunk, encoding);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  try {
    process.stderr.write(question);
    muted = hidden;
    return (await rl.question('')).trim();
  } finally {
    muted = false;
    if (hidden) process.stderr.write('\n');
    rl.close();
  }
}

async function credentialsFrom(
  opts: LoginOptions,
  bootstrap: { email: string; password: string } | undefined,
): Promise<{ email: string; password: string; newPassword?: () => Promise<string | undefined> }> {
  if (opts.bootstrap) {
    if (!bootstrap)
      throw usageError('This stack has no bootstrap user.', 'give --email and a password');
    return bootstrap;
  }
  if (opts.password !== undefined && opts.passwordStdin) {
    throw usageError('Give either --password or --password-stdin, not both.');
  }
  const interactive = Boolean(process.stdin.isTTY);
  const email = opts.email ?? (interactive ? await prompt('Email: ') : undefined);
  if (!email) throw usageError('No email.', 'give --email <address>');
  let password = opts.password;
  let next: string | undefined;
  if (opts.passwordStdin) [password, next] = await readStdinLines();
  else if (password === undefined && interactive) password = await prompt('Password: ', true);
  if (!password) {
    throw usageError(
      'No password.',
      'pipe it with --password-stdin (or give --password, which shows it in your shell history)',
    );
  }
  const newPassword = async () =>
    next ||
    (interactive ? await prompt('First sign-in: choose a new password: ', true) : undefined);
  return { email: email.trim().toLowerCase(), password, newPassword };
}

/** Registers login, logout and whoami. */
export function registerSessionCommands(program: Command): void {
  program
    .command('login')
    .description(
      'sign in through your browser (or with a password for scripts); stores the tokens (file mode 0600)',
    )
    .option('--no-browser', 'print the sign-in address instead of opening a browser')
    .option('--timeout <seconds>', 'how long to wait for the browser sign-in', seconds, 300)
    .option('--email <email>', 'password sign-in: your email address (prompted on a terminal)')
    .option('--password <password>', 'password sign-in: the password (prefer --password-stdin)')
    .option(
      '--password-stdin',
      'password sign-in: read the password from standard input (a second line: the new password of a first sign-in)',
    )
    .option('--bootstrap', "password sign-in as the local stack's bootstrap superuser")
    .addHelpText(
      'after',
      [
        '',
        'Without a password option, login opens the sign-in page (Cognito managed login, or the',
        "local stack's page) and waits for the browser to come back to",
        'http://localhost:8765/callback. Password sign-in works only where the app client allows',
        'it (the local stack); deployed stages sign in through the browser.',
      ].join('\n'),
    )
    .action(async (opts: LoginOptions, command: Command) => {
      const ctx = contextOf(command);
      let session: StoredSession;
      if (wantsPassword(opts)) {
        const { email, password, newPassword } = await credentialsFrom(opts, ctx.target.bootstrap);
        session = await signIn(ctx.target.cognito, email, password, newPassword);
      } else {
        session = await browserSignIn(ctx.target, {
          openBrowser: opts.browser,
          timeoutMs: opts.timeout * 1000,
          say: (line) => ctx.output.err(line),
        });
      }
      saveSession(ctx.configDir, ctx.target.apiUrl, session);
      emit(
        ctx.output,
        { email: session.email, apiUrl: ctx.target.apiUrl, expiresAt: session.expiresAt },
        () => `Logged in to ${ctx.target.apiUrl} as ${session.email}.`,
      );
    });

  program
    .command('logout')
    .description('forget the stored tokens; --everywhere also signs out every session first')
    .option('--everywhere', 'sign out everywhere (all devices, every tenant) before forgetting')
    .action(async (opts: { everywhere?: boolean }, command: Command) => {
      const ctx = contextOf(command);
      const session = loadSession(ctx.configDir, ctx.target.apiUrl);
      if (opts.everywhere) {
        if (!session) throw notLoggedIn();
        await ctx.api.request('POST', '/v1/me/logout');
      }
      const forgotten = forgetSession(ctx.configDir, ctx.target.apiUrl);
      emit(ctx.output, { loggedOut: forgotten, everywhere: Boolean(opts.everywhere) }, () =>
        !forgotten
          ? 'You were not logged in.'
          : opts.everywhere
            ? `Signed out everywhere and logged out of ${ctx.target.apiUrl}.`
            : `Logged out of ${ctx.target.apiUrl}.`,
      );
    });

  program
    .command('whoami')
    .description('who you are logged in as, and your tenants')
    .action(async (_opts: unknown, command: Command) => {
      const ctx = contextOf(command);
      const { body } = await ctx.api.request<{
        userId: string;
        email: string;
        tenants: { tenantId: string; name: string; status: string; joinedAt: string }[];
      }>('GET', '/v1/me');
      emit(ctx.output, body, () =>
        [
          renderFields([
            ['email', body.email],
            ['userId', body.userId],
            ['api', ctx.target.apiUrl],
            ['tenant', ctx.target.tenant],
          ]),
          '',
          body.tenants.length === 0
            ? 'No tenants yet: create one with `gatehouse tenants create <id> <name>`.'
            : renderTable(
                ['tenant', 'name', 'status', 'joined'],
                body.tenants.map((t) => [t.tenantId, t.name, t.status, t.joinedAt]),
              ),
        ].join('\n'),
      );
    });
}
