/**
 * `npm start`: the whole stack on 127.0.0.1 with no AWS account. `npm start -- --fresh` starts
 * empty. A taken port is named before anything starts; a failed start, Ctrl-C or SIGTERM leaves
 * no emulator running. Every request the API answers prints one line.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { localExtras } from './extras.js';
import { projectRoot } from './function-modules.js';
import { ensurePrivateDir, writePrivateFile } from './private-dir.js';
import { stopAllChildren } from './processes.js';
import { formatRequestLine } from './request-log.js';
import { type RunningStack, startStack } from './stack.js';

const { values } = parseArgs({
  options: {
    fresh: { type: 'boolean', default: false },
    /** Where data and stack.json live (default `.local`). */
    dir: { type: 'string' },
    port: { type: 'string', default: process.env.PORT ?? '3000' },
    'cors-origin': { type: 'string', multiple: true, default: [] },
    quiet: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});

let stack: RunningStack | undefined;
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nStopping Gatehouse...\n');
    // Before the stack is up there is no stack to stop: end whatever emulator has started.
    const stopped = stack ? stack.stop() : stopAllChildren();
    stopped.then(
      () => process.exit(stack ? 0 : 130),
      () => process.exit(1),
    );
  });
}

const dir = values.dir ?? join(projectRoot, '.local');
const started = Date.now();
const apiPort = Number(values.port);
if (!Number.isInteger(apiPort) || apiPort < 1 || apiPort > 65532) {
  process.stderr.write(`npm start: --port must be a port number (1-65532), not "${values.port}"\n`);
  process.exit(2);
}
try {
  stack = await startStack({
    dir,
    persist: true,
    fresh: values.fresh,
    log: values.verbose,
    ports: { api: apiPort, dynamodb: apiPort + 1, cognito: apiPort + 2, ses: apiPort + 3 },
    corsOrigins: values['cors-origin'],
    onRequest: values.quiet
      ? undefined
      : (entry) => process.stdout.write(`${formatRequestLine(entry)}\n`),
    ...localExtras(),
  });
} catch (error) {
  await stopAllChildren();
  process.stderr.write(`npm start: ${(error as Error).message}\n`);
  process.exit(1);
}
if (stopping) await new Promise(() => undefined); // a signal came during the start: it exits
ensurePrivateDir(dir);
const stackFile = join(dir, 'stack.json');
writePrivateFile(stackFile, `${JSON.stringify(stack.info, null, 2)}\n`);
const { info } = stack;
process.stdout.write(
  [
    '',
    `Gatehouse is running (started in ${Date.now() - started} ms)`,
    `  API              ${info.apiUrl}/v1`,
    `  Console          ${info.consoleUrl}  (sign in with the superuser below)`,
    `  Accept page      ${info.apiUrl}/accept  (the link in each invite mail)`,
    `  Sign-in (OAuth)  ${info.apiUrl}/oauth2/authorize  (local stand-in for Cognito's managed login)`,
    `  Mail viewer      ${info.mail.viewerUrl}`,
    `  DynamoDB Local   ${info.dynamodb.endpoint}  (table ${info.dynamodb.tableName})`,
    `  Cognito          ${info.cognito.endpoint}  (cognito-local behind a password-policy proxy; pool ${info.cognito.userPoolId}, client ${info.cognito.clientId})`,
    `  CORS origins     ${info.cors?.allowedOrigins.join(', ') || '(none; add one with --cors-origin <origin>)'}`,
    `  Tenant           ${info.bootstrap.tenantId}`,
    `  Superuser        ${info.bootstrap.email} / ${info.bootstrap.password}`,
    `  Everything above is in ${stackFile}`,
    '',
    JSON.stringify(info, null, 2),
    '',
    'Press Ctrl-C to stop. One line per request follows (--quiet to turn it off).',
    '',
  ].join('\n'),
);
